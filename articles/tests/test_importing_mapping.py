"""Mapping LegacyRecords to ArticleValues with Hexo's meaning of each key. No database."""

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest

from articles.importing.frontmatter import LegacyRecord, read_legacy_file
from articles.importing.mapping import (
    MappingError,
    category_paths,
    is_draft,
    jsonable,
    map_record,
    parse_date,
    tag_names,
)

DATA = Path(__file__).parent / "data"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def record(metadata, body="<div><p>正文</p></div>", relative_path="news/青禾物流.md"):
    return LegacyRecord(
        path=Path("/archive") / relative_path,
        relative_path=relative_path,
        metadata=metadata,
        body=body,
        content_hash="0" * 64,
    )


def mapped(metadata, **kwargs):
    kwargs.setdefault("relative_path", "news/青禾物流.md")
    return map_record(record(metadata, **kwargs), tz=SHANGHAI, default_author="编辑部")


# --- parse_date -------------------------------------------------------------------------------


def test_rfc_2822_with_gmt_is_the_exact_utc_instant():
    parsed = parse_date("Mon, 06 Jun 2022 03:24:21 GMT", SHANGHAI)
    assert parsed == dt.datetime(2022, 6, 6, 3, 24, 21, tzinfo=UTC)
    assert parsed.utcoffset() == dt.timedelta(0)


def test_rfc_2822_with_numeric_zone():
    parsed = parse_date("Wed, 08 May 2024 10:10:30 +0800", SHANGHAI)
    assert parsed == dt.datetime(2024, 5, 8, 2, 10, 30, tzinfo=UTC)


def test_iso_with_zone_is_absolute():
    assert parse_date("2024-05-08T10:10:30+08:00", UTC) == dt.datetime(2024, 5, 8, 2, 10, 30, tzinfo=UTC)
    assert parse_date("2024-05-08T02:10:30Z", SHANGHAI) == dt.datetime(2024, 5, 8, 2, 10, 30, tzinfo=UTC)


def test_zone_less_iso_is_read_in_the_given_zone():
    parsed = parse_date("2025-03-18 09:30:00", SHANGHAI)
    assert parsed == dt.datetime(2025, 3, 18, 1, 30, tzinfo=UTC)
    assert parsed.tzinfo is SHANGHAI


def test_two_spaces_between_date_and_time():
    assert parse_date("2024-02-19  08:15:42", SHANGHAI) == dt.datetime(2024, 2, 19, 8, 15, 42, tzinfo=SHANGHAI)


def test_unpadded_parts():
    assert parse_date("2024-2-9 8:05:03", SHANGHAI) == dt.datetime(2024, 2, 9, 8, 5, 3, tzinfo=SHANGHAI)
    assert parse_date("2024-2-9 8:05", SHANGHAI) == dt.datetime(2024, 2, 9, 8, 5, tzinfo=SHANGHAI)


def test_date_only_text_is_midnight_in_the_given_zone():
    assert parse_date("2024-02-19", SHANGHAI) == dt.datetime(2024, 2, 19, tzinfo=SHANGHAI)
    assert parse_date("2024-2-9", SHANGHAI) == dt.datetime(2024, 2, 9, tzinfo=SHANGHAI)


def test_yaml_datetime_and_date_objects():
    naive = dt.datetime(2025, 3, 18, 9, 30)
    assert parse_date(naive, SHANGHAI) == dt.datetime(2025, 3, 18, 1, 30, tzinfo=UTC)
    aware = dt.datetime(2025, 3, 18, 9, 30, tzinfo=UTC)
    assert parse_date(aware, SHANGHAI) == aware
    assert parse_date(dt.date(2025, 3, 18), SHANGHAI) == dt.datetime(2025, 3, 18, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "value",
    ["", "   ", "yesterday", "Mon, 99 Foo 2022 03:24:21 GMT", "2024-13-45", "2024/05/08", None, 42, True, []],
)
def test_garbage_dates_raise_value_error(value):
    with pytest.raises(ValueError):
        parse_date(value, SHANGHAI)


# --- category_paths, tag_names, is_draft --------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("资讯", [["资讯"]]),
        ("  资讯 ", [["资讯"]]),
        (["新媒体", "36kr", "资讯"], [["新媒体", "36kr", "资讯"]]),
        ([["新媒体", "36kr"], ["科技", "芯片"]], [["新媒体", "36kr"], ["科技", "芯片"]]),
        # Hexo: once any item is a list, bare names are single-level paths of their own
        ([["科技", "芯片"], "快讯"], [["科技", "芯片"], ["快讯"]]),
        (["新媒体", "", None, " ", "资讯"], [["新媒体", "资讯"]]),
        ([["新媒体", ""], [], [None]], [["新媒体"]]),
        (None, []),
        ("", []),
        ([], []),
        (["", None], []),
        (2024, [["2024"]]),
        (["年度", 2024], [["年度", "2024"]]),
    ],
)
def test_category_paths(value, expected):
    assert category_paths(value) == expected


def test_category_paths_refuse_a_mapping():
    with pytest.raises(ValueError):
        category_paths({"a": "b"})


def test_unusable_categories_are_a_mapping_error_naming_the_field():
    with pytest.raises(MappingError, match="^categories: ") as error:
        mapped({"title": "x", "date": "2024-05-08", "categories": {"a": "b"}})
    assert error.value.field_name == "categories"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("电商", ["电商"]),
        (["电商", "直播"], ["电商", "直播"]),
        (["电商", "", None, "  ", "直播"], ["电商", "直播"]),
        (["AI", "ai", " Ai ", "大模型", "AI"], ["AI", "大模型"]),
        ([2024, "SaaS"], ["2024", "SaaS"]),
        (None, []),
        ("", []),
        ([], []),
    ],
)
def test_tag_names(value, expected):
    assert tag_names(value) == expected


@pytest.mark.parametrize(
    ("metadata", "relative_path", "draft"),
    [
        ({}, "a.md", False),
        ({"published": True}, "a.md", False),
        ({"published": False}, "a.md", True),
        ({"draft": True}, "a.md", True),
        ({"draft": False}, "a.md", False),
        ({"published": True, "draft": True}, "a.md", True),
        ({}, "_drafts/a.md", True),
        ({}, "_posts/a.md", False),
    ],
)
def test_is_draft(metadata, relative_path, draft):
    assert is_draft(metadata, relative_path) is draft


# --- title, body, the whole record --------------------------------------------------------------


def test_title_entities_are_decoded():
    values = mapped({"title": "用 &#123;模板&#125; 写作 &amp; 发布", "date": "2024-05-08"})
    assert values.title == "用 {模板} 写作 & 发布"
    assert values.warnings == []


def test_title_with_markup_characters_is_kept_as_text():
    values = mapped({"title": '云帆发布 <AI> 助手 & "灵犀"', "date": "2024-05-08"})
    assert values.title == '云帆发布 <AI> 助手 & "灵犀"'


@pytest.mark.parametrize("title", [None, "", "   "])
def test_missing_title_falls_back_to_the_file_name_with_a_warning(title):
    metadata = {"date": "2024-05-08"} if title is None else {"title": title, "date": "2024-05-08"}
    values = mapped(metadata, relative_path="2024/青禾物流夜间配送.md")
    assert values.title == "青禾物流夜间配送"
    assert any(w.startswith("title:") and "file name" in w for w in values.warnings)


def test_overlong_title_is_shortened_with_a_warning():
    values = mapped({"title": "长" * 400, "date": "2024-05-08"})
    assert len(values.title) == 300
    assert any(w.startswith("title:") for w in values.warnings)


def test_markdown_body_is_rendered_and_html_body_passes_through():
    markdown = map_record(
        record({"date": "2025-01-01"}, body="## 小标题\n\n第一段，**加粗**。"), tz=SHANGHAI, default_author="x"
    )
    assert markdown.body_html == "<h2>小标题</h2>\n<p>第一段，<strong>加粗</strong>。</p>"
    html = map_record(
        record({"date": "2025-01-01"}, body="<div><p>已是 HTML</p></div>"), tz=SHANGHAI, default_author="x"
    )
    assert html.body_html == "<div><p>已是 HTML</p></div>"


def test_map_record_on_the_seed_shaped_fixture():
    rec = read_legacy_file(DATA / "seed_like.md", DATA)
    values = map_record(rec, tz=SHANGHAI, default_author="编辑部")
    assert values.source_path == "seed_like.md"
    assert values.source_hash == rec.content_hash
    assert values.title == "青禾物流发布城配新方案，试点城市夜间配送时效缩短两成"
    assert values.category_paths == [["新媒体", "36kr", "资讯"]]
    assert values.status == "published"
    assert values.allow_comments is False
    assert values.author_name == "36kr"
    assert values.tags == []
    assert values.published_at == dt.datetime(2024, 5, 8, 2, 10, 30, tzinfo=UTC)
    assert values.hero_image_url == "https://img.example.com/tests/seed-like-01.jpg"
    assert values.thumbnail_url == "https://img.example.com/tests/seed-like-02.jpg"
    assert values.body_html.startswith("<div>")  # HTML body passed through, cleaned on save
    assert values.front_matter["comments"] is False
    assert values.warnings == []


def test_map_record_defaults():
    values = mapped({"title": "x", "date": dt.date(2024, 5, 8)})
    assert values.status == "published"
    assert values.allow_comments is True
    assert values.author_name == "编辑部"
    assert values.hero_image_url == values.thumbnail_url == ""
    assert values.category_paths == [] and values.tags == []
    assert values.front_matter == {"title": "x", "date": "2024-05-08"}


def test_thumbnail_falls_back_to_the_hero_image():
    values = mapped({"title": "x", "date": "2024-05-08", "cover": "https://img.example.com/c.jpg"})
    assert values.hero_image_url == values.thumbnail_url == "https://img.example.com/c.jpg"


def test_published_false_and_draft_true_map_to_draft():
    assert mapped({"title": "x", "date": "2024-05-08", "published": False}).status == "draft"
    assert mapped({"title": "x", "date": "2024-05-08", "draft": True}).status == "draft"


def test_unparseable_date_is_a_mapping_error_naming_date():
    with pytest.raises(MappingError, match="^date: ") as error:
        mapped({"title": "x", "date": "下周一"})
    assert error.value.field_name == "date"


def test_missing_date_takes_the_date_in_the_file_name():
    values = mapped({"title": "x"}, relative_path="2024-05-08-qinghe.md")
    assert values.published_at == dt.datetime(2024, 5, 8, tzinfo=SHANGHAI)
    assert values.status == "published"
    assert not any(w.startswith("date:") for w in values.warnings)  # the generators' own rule


def test_missing_date_takes_a_hugo_bundles_folder_date():
    values = mapped({"title": "x"}, relative_path="post/2024-12-01-qinghe/index.zh-cn.md")
    assert values.published_at == dt.datetime(2024, 12, 1, tzinfo=SHANGHAI)


def test_missing_date_with_an_impossible_file_name_date_is_a_draft_with_a_warning():
    values = mapped({"title": "x"}, relative_path="2024-13-45-qinghe.md")
    assert (values.status, values.published_at) == ("draft", None)
    assert any("2024-13-45-qinghe.md" in w and "impossible" in w for w in values.warnings)


def test_missing_date_without_a_file_name_date_is_a_draft_with_a_warning():
    values = mapped({"title": "x"}, relative_path="qinghe.md")
    assert (values.status, values.published_at) == ("draft", None)
    assert any(w.startswith("date: missing") and "draft" in w for w in values.warnings)


def test_an_undated_draft_is_not_warned_about():
    values = mapped({"title": "x", "draft": True}, relative_path="qinghe.md")
    assert values.status == "draft" and not any(w.startswith("date:") for w in values.warnings)


def test_hugo_publish_date_stands_in_for_a_missing_date():
    values = mapped({"title": "x", "publishDate": "2024-05-08"}, relative_path="qinghe.md")
    assert values.published_at == dt.datetime(2024, 5, 8, tzinfo=SHANGHAI)


def test_a_date_more_than_a_year_ahead_is_warned_about():
    now = dt.datetime(2024, 5, 8, tzinfo=UTC)
    ahead = map_record(record({"title": "x", "date": "2025-06-01"}), tz=SHANGHAI, default_author="编辑部", now=now)
    soon = map_record(record({"title": "x", "date": "2025-04-01"}), tz=SHANGHAI, default_author="编辑部", now=now)
    assert any("2025-06-01" in w and "more than a year ahead" in w for w in ahead.warnings)
    assert not any("ahead" in w for w in soon.warnings)


def test_front_matter_with_non_text_keys_is_kept_as_json():
    data = jsonable({dt.date(2024, 5, 8): "x", 3: [dt.datetime(2024, 5, 8, 1, 2)], None: True})
    assert data == {"2024-05-08": "x", "3": ["2024-05-08T01:02:00"], "null": True}
    values = mapped({"title": "x", "date": "2024-05-08", dt.date(2024, 1, 1): "y"})
    assert values.front_matter["2024-01-01"] == "y"


def test_the_title_is_cut_to_the_length_its_field_stores():
    from articles.importing.mapping import TITLE_MAX_LENGTH
    from articles.models import Article

    assert TITLE_MAX_LENGTH == Article._meta.get_field("title").max_length
