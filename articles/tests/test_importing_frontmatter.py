"""Reading legacy files into LegacyRecords: encodings, fences, YAML errors. No database."""

import datetime as dt
import hashlib
import os
import time
from pathlib import Path

import pytest
import yaml

from articles.importing import frontmatter as frontmatter_module
from articles.importing.frontmatter import (
    DEFAULT_MAX_BYTES,
    LegacyFileError,
    NoFrontMatter,
    parse_front_matter,
    read_legacy_file,
    split_front_matter,
)

DATA = Path(__file__).parent / "data"

SEED_LIKE_HEADER = (
    "\n---\n"
    "title: '青禾物流发布城配新方案'\n"
    "categories: \n"
    " - 新媒体\n"
    " - 36kr\n"
    " - 资讯\n"
    "author: 36kr\n"
    "comments: false\n"
    "date: Wed, 08 May 2024 02:10:30 GMT\n"
    "---\n"
    "\n"
)
BODY = "<div>   \n<p>青禾物流表示，新方案先在两座城市试点。</p> \n</div>\n"


def write(tmp_path, name, content):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def read(tmp_path, name, content):
    return read_legacy_file(write(tmp_path, name, content), tmp_path)


def test_seed_shaped_fixture_is_read_with_its_blank_first_line():
    path = DATA / "seed_like.md"
    assert path.read_bytes().startswith(b"\n---\n")
    record = read_legacy_file(path, DATA)
    assert record.relative_path == "seed_like.md"
    assert record.metadata["title"] == "青禾物流发布城配新方案，试点城市夜间配送时效缩短两成"
    assert record.metadata["categories"] == ["新媒体", "36kr", "资讯"]
    assert record.metadata["comments"] is False
    assert record.metadata["date"] == "Wed, 08 May 2024 02:10:30 GMT"  # not a YAML timestamp
    assert record.body.startswith("<div>")
    assert record.body.endswith("</div>")
    assert record.warnings == []


def test_blank_first_line_is_tolerated(tmp_path):
    record = read(tmp_path, "a.md", SEED_LIKE_HEADER + BODY)
    assert record.metadata["title"] == "青禾物流发布城配新方案"
    assert record.body == BODY.strip()


def test_several_blank_lines_before_the_fence_are_tolerated(tmp_path):
    record = read(tmp_path, "a.md", "\n \n\n" + SEED_LIKE_HEADER + BODY)
    assert record.metadata["author"] == "36kr"


def test_utf8_bom_is_stripped(tmp_path):
    record = read(tmp_path, "a.md", b"\xef\xbb\xbf" + (SEED_LIKE_HEADER + BODY).encode("utf-8"))
    assert record.metadata["title"] == "青禾物流发布城配新方案"
    assert "\ufeff" not in record.body
    assert record.warnings == []


def test_bom_directly_before_the_fence(tmp_path):
    record = read(tmp_path, "a.md", b"\xef\xbb\xbf---\ntitle: x\n---\nbody\n")
    assert record.metadata == {"title": "x"}


def test_crlf_line_ends_are_normalised(tmp_path):
    text = (SEED_LIKE_HEADER + BODY).replace("\n", "\r\n")
    record = read(tmp_path, "a.md", text)
    assert record.metadata["categories"] == ["新媒体", "36kr", "资讯"]
    assert record.metadata["date"] == "Wed, 08 May 2024 02:10:30 GMT"
    assert "\r" not in record.body
    assert record.body == BODY.strip()


def test_gb18030_file_is_decoded_with_a_warning(tmp_path):
    raw = (SEED_LIKE_HEADER + BODY).encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    record = read(tmp_path, "a.md", raw)
    assert record.metadata["title"] == "青禾物流发布城配新方案"
    assert "两座城市" in record.body
    assert any("GB18030" in warning for warning in record.warnings)


def test_binary_file_with_nul_bytes_is_refused(tmp_path):
    with pytest.raises(LegacyFileError, match="binary"):
        read(tmp_path, "a.md", b"---\ntitle: x\n---\n\x00\x01\x02\x89PNG")


def test_file_without_front_matter(tmp_path):
    with pytest.raises(LegacyFileError, match="no front matter"):
        read(tmp_path, "a.md", "# 只是一篇笔记\n\n没有 front matter。\n")


def test_empty_file_has_no_front_matter(tmp_path):
    with pytest.raises(LegacyFileError, match="no front matter"):
        read(tmp_path, "a.md", "\n\n")


def test_unclosed_fence(tmp_path):
    with pytest.raises(LegacyFileError, match="not closed"):
        read(tmp_path, "a.md", "\n---\ntitle: 'x'\ndate: 2024-05-08\n\n<p>正文</p>\n")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # the broken value is on line 5 of the file (after the blank first line and the fence)
        ("\n---\ntitle: 'x'\nauthor: 36kr\ndate: : :\n---\nbody\n", 5),
        # without a blank first line, the same line is line 4
        ("---\ntitle: 'x'\nauthor: 36kr\ndate: : :\n---\nbody\n", 4),
        # a blank line inside the front matter still counts
        ("---\n\ntitle: 'x'\nbad: : :\n---\nbody\n", 4),
        # CRLF files are counted the same way
        ("\r\n---\r\ntitle: 'x'\r\nbad: [1, 2\r\nauthor: y\r\n---\r\nbody\r\n", 5),
    ],
)
def test_invalid_yaml_names_the_line(tmp_path, text, line):
    with pytest.raises(LegacyFileError, match=f"not valid YAML at line {line}:"):
        read(tmp_path, "a.md", text)


_constructed = []


def _record_construction(*args):
    _constructed.append(args)
    return "constructed"


def test_python_object_tags_are_refused_without_constructing_anything(tmp_path):
    text = f"---\ntitle: x\nevil: !!python/object/apply:{__name__}._record_construction [boom]\n---\nbody\n"
    with pytest.raises(LegacyFileError, match="not valid YAML at line 3") as error:
        read(tmp_path, "a.md", text)
    assert "python/object" in str(error.value)
    assert _constructed == []


@pytest.mark.parametrize(
    ("front_matter", "kind"),
    [("- a\n- b\n", "list"), ("just a sentence\n", "str"), ("42\n", "int")],
)
def test_front_matter_must_be_a_mapping(front_matter, kind):
    with pytest.raises(LegacyFileError, match=f"must be a mapping.*not {kind}"):
        split_front_matter(f"---\n{front_matter}---\nbody\n")


def test_empty_front_matter_is_an_empty_mapping():
    assert split_front_matter("---\n---\nbody\n") == ({}, "body")


def test_relative_path_is_relative_to_the_root(tmp_path):
    path = write(tmp_path, "2024/05/青禾.md", SEED_LIKE_HEADER + BODY)
    assert read_legacy_file(path, tmp_path).relative_path == "2024/05/青禾.md"
    assert read_legacy_file(path, tmp_path / "2024").relative_path == "05/青禾.md"
    assert read_legacy_file(path, path.parent).relative_path == "青禾.md"


def test_content_hash_is_the_sha256_of_the_bytes_and_stable(tmp_path):
    path = write(tmp_path, "a.md", SEED_LIKE_HEADER + BODY)
    first = read_legacy_file(path, tmp_path).content_hash
    assert first == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_legacy_file(path, tmp_path).content_hash == first
    write(tmp_path, "b.md", SEED_LIKE_HEADER + BODY)
    assert read_legacy_file(tmp_path / "b.md", tmp_path).content_hash == first
    path.write_text(SEED_LIKE_HEADER + BODY + "<p>补充</p>\n", encoding="utf-8")
    assert read_legacy_file(path, tmp_path).content_hash != first


# --- the reading layer of the migration importer: fences, formats, safety, limits ---------------


@pytest.fixture(params=["libyaml", "python"])
def yaml_loader(request, monkeypatch):
    """Run a test with the libyaml-based loader (used when PyYAML has it) and the pure-Python one:
    messages and line numbers must not depend on which one runs."""
    if request.param == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("PyYAML was built without libyaml")
        base = yaml.CSafeLoader
    else:
        base = yaml.SafeLoader
    monkeypatch.setattr(frontmatter_module, "_FrontMatterLoader", frontmatter_module.make_loader(base))
    return base


def test_no_front_matter_is_its_own_error_class(tmp_path):
    assert issubclass(NoFrontMatter, LegacyFileError)
    with pytest.raises(NoFrontMatter, match=r"^no front matter"):
        read(tmp_path, "a.md", "# 只是一篇笔记\n\n没有 front matter。\n")
    with pytest.raises(NoFrontMatter, match=r"^no front matter"):
        read(tmp_path, "b.md", "")


def test_unclosed_bracket_names_where_it_was_opened(tmp_path, yaml_loader):
    # the parser notices on the next line; the message names both lines (libyaml and PyYAML
    # word the problem differently)
    expected = (
        r"^front matter is not valid YAML at line 4: .*expected ',' or '\]'.* "
        r"\(while parsing a flow sequence at line 3\)$"
    )
    with pytest.raises(LegacyFileError, match=expected):
        read(tmp_path, "a.md", "---\ntitle: x\ntags: [a, b\nauthor: y\n---\nbody\n")


def test_front_matter_errors_are_not_no_front_matter(tmp_path):
    with pytest.raises(LegacyFileError) as error:
        read(tmp_path, "a.md", "---\ntitle: [x\n---\nbody\n")
    assert not isinstance(error.value, NoFrontMatter)


def test_allow_missing_front_matter_reads_the_whole_text_as_body(tmp_path):
    text = "\n# 只是一篇笔记\r\n\r\n没有 front matter。\r\n\r\n---\r\n\r\n后记\r\n"
    path = write(tmp_path, "a.md", text)
    record = read_legacy_file(path, tmp_path, allow_missing_front_matter=True)
    assert record.metadata == {}
    assert record.body == "# 只是一篇笔记\n\n没有 front matter。\n\n---\n\n后记"
    assert record.front_matter_format == ""
    assert len(record.warnings) == 1
    assert record.warnings[0].startswith("no front matter")
    assert record.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


def test_allow_missing_front_matter_still_refuses_broken_front_matter(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: a: b\n---\nbody\n")
    with pytest.raises(LegacyFileError, match="not valid YAML at line 2"):
        read_legacy_file(path, tmp_path, allow_missing_front_matter=True)


def test_yaml_record_names_its_format(tmp_path):
    assert read(tmp_path, "a.md", SEED_LIKE_HEADER + BODY).front_matter_format == "yaml"


@pytest.mark.parametrize(
    "text",
    [
        "---  \ntitle: 标题\n---\nbody\n",
        "---\ntitle: 标题\n---\t \nbody\n",
        "--- \t\r\ntitle: 标题\r\n---   \r\nbody\r\n",
    ],
)
def test_fences_with_trailing_white_space(tmp_path, text):
    record = read(tmp_path, "a.md", text)
    assert (record.metadata, record.body) == ({"title": "标题"}, "body")
    assert record.front_matter_format == "yaml"


@pytest.mark.parametrize(
    "text",
    ["----\ntitle: 标题\n----\nbody\n", "-----\ntitle: 标题\n-----\nbody\n", "----\ntitle: 标题\n---\nbody\n"],
)
def test_fences_of_four_or_more_dashes(tmp_path, text):
    record = read(tmp_path, "a.md", text)
    assert (record.metadata, record.body) == ({"title": "标题"}, "body")


def test_jekyll_document_end_closes_yaml_front_matter(tmp_path):
    record = read(tmp_path, "a.md", "---\ntitle: 标题\n...\nbody\n")
    assert (record.metadata, record.body) == ({"title": "标题"}, "body")


def test_lone_cr_line_ends(tmp_path):
    record = read(tmp_path, "a.md", "---\rtitle: 标题\rtags:\r - a\r---\r\rline 1\rline 2\r")
    assert record.metadata == {"title": "标题", "tags": ["a"]}
    assert record.body == "line 1\nline 2"


def test_body_keeps_the_indentation_of_its_first_line(tmp_path):
    record = read(tmp_path, "a.md", "---\ntitle: x\n---\n\n    code block\n\ntext  \n\n")
    assert record.body == "    code block\n\ntext"


# Hexo's no-prefix form: `key: value` lines, then `---`, and no opening fence.


def test_no_prefix_front_matter_is_accepted(tmp_path):
    text = "title: 无前缀\r\ndate: 2013-12-24 23:31:06\r\ntags:\r\n---\r\n\r\n正文第一段。\r\n\r\n---\r\n\r\n后记\r\n"
    record = read(tmp_path, "a.md", text)
    assert record.front_matter_format == "yaml-no-prefix"
    assert record.metadata == {
        "title": "无前缀",
        "date": dt.datetime(2013, 12, 24, 23, 31, 6),
        "tags": None,
    }
    assert record.body == "正文第一段。\n\n---\n\n后记"
    assert record.warnings == []


def test_no_prefix_front_matter_needs_only_one_known_key(tmp_path):
    record = read(tmp_path, "a.md", "\n\nabbrlink: 3f2a\nweight: 3\n----\nbody\n")
    assert record.metadata == {"abbrlink": "3f2a", "weight": 3}
    assert record.front_matter_format == "yaml-no-prefix"


@pytest.mark.parametrize(
    "text",
    [
        # prose, then a Markdown horizontal rule
        "第一段文字，没有 front matter。\n\n---\n\n第二段。\n",
        # prose that happens to be a YAML mapping, but with no front-matter key
        "Note: 这是一段说明\n\n---\n\n第二段。\n",
        # a Markdown list is YAML too, but not a mapping
        "- 第一点\n- 第二点\n\n---\n\n第二段。\n",
        # prose that is not YAML at all
        "# 标题\n\n他说: 好: 的\n\n---\n",
    ],
)
def test_prose_then_a_horizontal_rule_is_not_swallowed(tmp_path, text):
    with pytest.raises(NoFrontMatter, match="^no front matter.*line"):
        read(tmp_path, "a.md", text)
    record = read_legacy_file(tmp_path / "a.md", tmp_path, allow_missing_front_matter=True)
    assert record.metadata == {}
    assert record.body == text.strip()


def test_no_prefix_header_with_a_yaml_error_is_reported_with_its_line(tmp_path):
    text = "\ntitle: 标题\ndate: 2020-01-01\ntags: a: b\n---\nbody\n"
    with pytest.raises(LegacyFileError, match="not valid YAML at line 4:") as error:
        read(tmp_path, "a.md", text)
    assert not isinstance(error.value, NoFrontMatter)


# Hexo's ;;; JSON and Hugo's +++ TOML.


@pytest.mark.parametrize(
    "text",
    [
        ';;;\n"title": "标题",\n"tags": ["a", "b"]\n;;;\nbody\n',
        ';;;\n{"title": "标题", "tags": ["a", "b"]}\n;;;\nbody\n',
        '"title": "标题",\n"tags": ["a", "b"]\n;;;\nbody\n',
        '\n{\n  "title": "标题",\n  "tags": ["a", "b"]\n}\n;;;;\nbody\n',
    ],
    ids=["members", "object", "no-prefix members", "no-prefix object"],
)
def test_json_front_matter(tmp_path, text):
    record = read(tmp_path, "a.md", text)
    assert record.metadata == {"title": "标题", "tags": ["a", "b"]}
    assert record.body == "body"
    assert record.front_matter_format == "json"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (';;;\n"title": "标题"\n"tags": []\n;;;\nbody\n', 3),
        ('\n;;;\n{"title": "标题",\n"tags": [}\n;;;\nbody\n', 4),
        ('"title": "标题",\n"date": 2024-05-08\n;;;\nbody\n', 2),
    ],
)
def test_invalid_json_names_the_format_and_the_line(tmp_path, text, line):
    with pytest.raises(LegacyFileError, match=f"not valid JSON at line {line}:"):
        read(tmp_path, "a.md", text)


def test_json_duplicate_keys_are_warned_about(tmp_path):
    record = read(tmp_path, "a.md", ';;;\n"title": "一",\n"title": "二"\n;;;\nbody\n')
    assert record.metadata == {"title": "二"}
    assert record.warnings == ["front matter: duplicate key 'title'; the last value wins"]


def test_toml_front_matter_with_datetimes(tmp_path):
    text = (
        "+++\n"
        'title = "标题"\n'
        "date = 2024-05-08T10:30:00+08:00\n"
        "lastmod = 2024-05-09 08:00:00\n"
        "publishDate = 2024-05-08\n"
        'tags = ["a", "b"]\n'
        "draft = false\n"
        "[params]\n"
        'cover = "/img/a.png"\n'
        "+++\n"
        "\n"
        "body\n"
    )
    record = read(tmp_path, "a.md", text)
    assert record.front_matter_format == "toml"
    assert record.metadata == {
        "title": "标题",
        "date": dt.datetime(2024, 5, 8, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        "lastmod": dt.datetime(2024, 5, 9, 8, 0),
        "publishDate": dt.date(2024, 5, 8),
        "tags": ["a", "b"],
        "draft": False,
        "params": {"cover": "/img/a.png"},
    }
    assert record.body == "body"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('+++\ntitle = "标题"\ndate = \n+++\nbody\n', 3),
        ('\n\n+++\ntitle = "一"\ntitle = "二"\n+++\nbody\n', 5),
    ],
)
def test_invalid_toml_names_the_format_and_the_line(tmp_path, text, line):
    with pytest.raises(LegacyFileError, match=f"not valid TOML at line {line}:"):
        read(tmp_path, "a.md", text)


@pytest.mark.parametrize(("fence", "name"), [(";;;", "';;;'"), ("+++", "'\\+\\+\\+'")])
def test_unclosed_json_and_toml_fences(tmp_path, fence, name):
    expected = f"not closed \\(no {name} line after the opening one on line 1\\)"
    with pytest.raises(LegacyFileError, match=expected):
        read(tmp_path, "a.md", f"{fence}\ntitle = 'x'\n\nbody\n")


# Safe YAML: no objects, no unknown tags, no alias tricks.


def test_no_object_is_constructed_for_a_python_tag(tmp_path, monkeypatch, yaml_loader):
    calls = []
    monkeypatch.setattr(os, "system", lambda *args: calls.append(args) or 0)
    text = "---\ntitle: x\nrun: !!python/object/apply:os.system ['echo pwned']\n---\nbody\n"
    with pytest.raises(LegacyFileError) as error:
        read(tmp_path, "a.md", text)
    assert str(error.value) == (
        "front matter uses the YAML tag '!!python/object/apply:os.system', which is not allowed "
        "(not valid YAML at line 3)"
    )
    assert calls == []


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!!python/object:collections.OrderedDict {}", "!!python/object:collections.OrderedDict"),
        ("!custom 值", "!custom"),
        ("!<tag:example.com,2024:thing> x", "tag:example.com,2024:thing"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
    ],
)
def test_unknown_and_unsupported_yaml_tags_are_refused_by_name(tmp_path, yaml_loader, value, tag):
    with pytest.raises(LegacyFileError) as error:
        read(tmp_path, "a.md", f"\n---\ntitle: x\nvalue: {value}\n---\nbody\n")
    assert str(error.value) == (
        f"front matter uses the YAML tag '{tag}', which is not allowed (not valid YAML at line 4)"
    )


def test_standard_yaml_tags_are_still_read(tmp_path):
    text = "---\ntitle: !!str 2024\nid: !!int '42'\ndate: !!timestamp 2024-05-08\n---\nbody\n"
    metadata = read(tmp_path, "a.md", text).metadata
    assert metadata == {"title": "2024", "id": 42, "date": dt.date(2024, 5, 8)}


def test_undefined_alias_is_reported_as_such(tmp_path, yaml_loader):
    with pytest.raises(LegacyFileError) as error:
        read(tmp_path, "a.md", "---\ntitle: x\ntags: [a, *missing]\n---\nbody\n")
    assert str(error.value) == ("front matter uses the undefined YAML alias '*missing' (not valid YAML at line 3)")


def test_aliases_and_merge_keys_within_bounds_are_read(tmp_path):
    text = (
        "---\ntitle: x\nbase: &base {author: 甲, comments: false}\npost:\n  <<: *base\n  author: 乙\nalso: *base\n---\n"
    )
    metadata = read(tmp_path, "a.md", text).metadata
    assert metadata["post"] == {"author": "乙", "comments": False}
    assert metadata["also"] == {"author": "甲", "comments": False}


def test_alias_bomb_is_refused_quickly(tmp_path, yaml_loader):
    # 'billion laughs': nine levels of nine aliases would expand to 9**9 strings. PyYAML itself
    # shares aliased objects (so loading is cheap), but anything that walks the result would not be.
    lines = ["---", "title: x", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = write(tmp_path, "a.md", "\n".join(lines + ["---", "body", ""]))
    started = time.perf_counter()
    # a5, on line 8, is the first to pass the bound: 9**6 = 531,441 strings
    expected = r"more than 100,000 values, counting what its YAML aliases expand to \(line 8\)"
    with pytest.raises(LegacyFileError, match=expected):
        read_legacy_file(path, tmp_path)
    assert time.perf_counter() - started < 1


def test_deeply_nested_yaml_is_refused(tmp_path, yaml_loader):
    deep = "[" * 101 + "]" * 101
    with pytest.raises(LegacyFileError, match=r"nested more than 100 levels deep \(line 3\)"):
        read(tmp_path, "a.md", f"---\ntitle: x\nnested: {deep}\n---\n")
    assert read(tmp_path, "b.md", f"---\ntitle: x\nnested: {'[' * 99}{']' * 99}\n---\n").metadata


def test_self_referencing_alias_is_refused(tmp_path, yaml_loader):
    with pytest.raises(LegacyFileError, match=r"alias that refers to itself \(line 3\)"):
        read(tmp_path, "a.md", "---\ntitle: x\nloop: &loop [a, *loop]\n---\n")


def test_leading_tabs_become_two_spaces_each_as_in_hexo(tmp_path, yaml_loader):
    text = "---\ntitle: x\ncategories:\n\t- 新媒体\n\t- 36kr\nseo:\n\tkeywords:\n\t\t- 物流\n---\nbody\n"
    assert read(tmp_path, "a.md", text).metadata == {
        "title": "x",
        "categories": ["新媒体", "36kr"],
        "seo": {"keywords": ["物流"]},
    }


def test_tabs_inside_a_line_are_left_alone(tmp_path):
    assert read(tmp_path, "a.md", "---\ntitle: 'a\tb'\n---\n").metadata == {"title": "a\tb"}


def test_duplicate_keys_are_warned_about_with_their_line(tmp_path, yaml_loader):
    text = "\n---\ntitle: 一\nauthor: 甲\ntitle: 二\nextra:\n  a: 1\n  a: 2\n---\nbody\n"
    record = read(tmp_path, "a.md", text)
    assert record.metadata == {"title": "二", "author": "甲", "extra": {"a": 2}}
    assert record.warnings == [
        "front matter: duplicate key 'title' (line 5); the last value wins",
        "front matter: duplicate key 'a' (line 8); the last value wins",
    ]


def test_impossible_date_is_kept_as_text_with_a_warning(tmp_path, yaml_loader):
    record = read(tmp_path, "a.md", "---\ntitle: x\ndate: 2024-02-30 10:00:00\n---\n")
    assert record.metadata["date"] == "2024-02-30 10:00:00"
    assert record.warnings == ["front matter: '2024-02-30 10:00:00' (line 3) is not a valid date; kept as text"]


def test_control_character_is_reported_with_its_line(tmp_path, yaml_loader):
    with pytest.raises(LegacyFileError, match=r"not valid YAML at line 3: .*U\+0007"):
        read(tmp_path, "a.md", "---\ntitle: 中文标题\nauthor: a\x07b\n---\n")


# Sizes, encodings, reading once.


def test_default_size_limit_is_five_mebibytes():
    assert DEFAULT_MAX_BYTES == 5 * 1024 * 1024


def test_oversized_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write(tmp_path, "a.md", "---\ntitle: x\n---\n" + "长" * 400)
    size = path.stat().st_size

    def must_not_read(self):
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", must_not_read)
    monkeypatch.setattr(Path, "read_text", must_not_read)
    monkeypatch.setattr(Path, "open", must_not_read)
    expected = f"too large: {size:,} bytes, over the limit of 1,000 bytes"
    with pytest.raises(LegacyFileError, match=expected):
        read_legacy_file(path, tmp_path, max_bytes=1000)


def test_file_at_the_size_limit_is_read(tmp_path):
    path = write(tmp_path, "a.md", "---\ntitle: x\n---\nbody\n")
    assert read_legacy_file(path, tmp_path, max_bytes=path.stat().st_size).metadata == {"title": "x"}


def test_the_file_is_read_once(tmp_path, monkeypatch):
    path = write(tmp_path, "a.md", SEED_LIKE_HEADER + BODY)
    calls = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: calls.append(self) or real(self))
    read_legacy_file(path, tmp_path)
    assert calls == [path]


def test_a_directory_is_refused(tmp_path):
    (tmp_path / "dir.md").mkdir()
    with pytest.raises(LegacyFileError, match="not a regular file"):
        read_legacy_file(tmp_path / "dir.md", tmp_path)


def test_missing_file_is_a_legacy_file_error(tmp_path):
    with pytest.raises(LegacyFileError, match="cannot read the file"):
        read_legacy_file(tmp_path / "gone.md", tmp_path)


def test_gb18030_only_characters_are_decoded_with_a_warning(tmp_path):
    # '𠀀' (outside the BMP) is a four-byte GB18030 sequence; GBK could not encode it
    raw = "---\ntitle: 青禾𠀀\n---\n正文\n".encode("gb18030")
    record = read(tmp_path, "a.md", raw)
    assert record.metadata == {"title": "青禾𠀀"}
    assert record.warnings == ["not valid UTF-8; read as GB18030"]
    assert record.content_hash == hashlib.sha256(raw).hexdigest()


def test_neither_utf8_nor_gb18030_is_refused(tmp_path):
    with pytest.raises(LegacyFileError, match="not valid UTF-8"):
        read(tmp_path, "a.md", b"---\ntitle: \xff\xfe\xff\n---\n")


def test_utf16_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(LegacyFileError, match="UTF-16"):
        read(tmp_path, "a.md", "---\ntitle: x\n---\n".encode("utf-16"))


def test_warnings_of_decoding_and_of_front_matter_are_both_kept(tmp_path):
    record = read(tmp_path, "a.md", "---\ntitle: 一\ntitle: 二\n---\n".encode("gb18030"))
    assert record.warnings == [
        "not valid UTF-8; read as GB18030",
        "front matter: duplicate key 'title' (line 3); the last value wins",
    ]


def test_split_front_matter_can_collect_warnings():
    warnings = []
    assert split_front_matter("---\na: 1\na: 2\n---\nbody", warnings) == ({"a": 2}, "body")
    assert warnings == ["front matter: duplicate key 'a' (line 3); the last value wins"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        # a no-prefix header meant as one: the tag is reported
        ("title: x\nrun: !!python/object/apply:os.system ['echo pwned']\n---\nbody\n", LegacyFileError),
        # prose before a rule: not front matter, and still nothing is run
        ("随手记\nrun: !!python/object/apply:os.system ['echo pwned']\n---\nbody\n", NoFrontMatter),
    ],
)
def test_no_object_is_constructed_from_a_no_prefix_header(tmp_path, monkeypatch, yaml_loader, text, error):
    calls = []
    monkeypatch.setattr(os, "system", lambda *args: calls.append(args) or 0)
    with pytest.raises(error, match="YAML tag '!!python/object/apply:os.system'|^no front matter"):
        read(tmp_path, "a.md", text)
    assert calls == []


def test_a_value_continued_on_an_unindented_line_is_joined_with_a_warning():
    text = "---\ntitle: 推送\ndescription: 第一行的说明，\n写到了第二行。\ntags: [a]\n---\n正文\n"
    front = parse_front_matter(text)
    assert front.metadata["description"] == "第一行的说明， 写到了第二行。"
    assert front.metadata["tags"] == ["a"]
    assert front.warnings == [
        "front matter line 4 continues the value of the line before without indenting it (not valid YAML); joined to it"
    ]


def test_a_line_that_is_no_continuation_is_still_an_error_naming_its_line():
    with pytest.raises(LegacyFileError, match="at line 4: did not find expected ',' or ']'"):
        parse_front_matter("---\ntitle: [未闭合\n写到了第二行。\n---\n正文\n")
