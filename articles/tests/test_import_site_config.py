"""`import_frontmatter` with an old site's config: its permalinks, time zone and languages; every
form of an old address answering; undated posts."""

import datetime as dt
import io
import os
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, LegacyURL
from articles.tests.factories import make_article
from articles.tests.factories import write_file as write

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def run(*paths, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_frontmatter", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def post(*front_matter, body="这是为测试编写的正文。"):
    return "\n".join(["---", *front_matter, "---", "", body]) + "\n"


def old_paths():
    return set(LegacyURL.objects.values_list("path", flat=True))


def test_site_config_option_gives_the_jekyll_addresses_and_says_so(tmp_path, client):
    config = write(tmp_path / "site", "_config.yml", "permalink: /:categories/:year-:month/:title.html\n")
    write(tmp_path / "site", "_posts/2024/2024-12-01-my-post.md", post("title: 我的文章", "category: Linux"))
    out, _ = run(tmp_path / "site" / "_posts", site_config=config)
    assert f"旧站配置：Jekyll {config}（permalink /:categories/:year-:month/:title.html）" in out
    assert old_paths() == {"/linux/2024-12/my-post.html"}
    article = Article.objects.get()
    for form in ("/linux/2024-12/my-post.html", "/linux/2024-12/my-post", "/linux/2024-12/my-post/"):
        response = client.get(form)
        assert (response.status_code, response["Location"]) == (301, article.get_absolute_url()), form


def test_the_archives_own_config_is_found_and_said(tmp_path):
    config = write(tmp_path, "_config.yml", "permalink: :title.html\ntimezone: Asia/Tokyo\n")
    write(tmp_path, "source/_posts/tech/chip.md", post("title: 芯片", "date: 2024-05-08 10:30:00"))
    out, _ = run(tmp_path / "source" / "_posts")  # the config is two folders up
    assert f"旧站配置：Hexo {config}（permalink :title.html; timezone Asia/Tokyo）" in out
    assert old_paths() == {"/tech/chip.html"}
    assert Article.objects.get().published_at == dt.datetime(2024, 5, 8, 1, 30, tzinfo=UTC)  # 10:30 in Tokyo


def test_without_a_config_hexo_defaults_are_used_and_said(tmp_path):
    write(tmp_path, "_posts/a.md", post("title: 芯片", "date: 2024-05-08 10:30:00"))
    out, _ = run(tmp_path)
    assert "未找到旧站配置，按 Hexo 的默认设置（permalink :year/:month/:day/:title/）" in out
    assert old_paths() == {"/2024/05/08/a/"}


def test_an_unreadable_site_config_is_refused_naming_the_file(tmp_path):
    config = write(tmp_path, "_config.yml", "permalink: [unclosed\n")
    write(tmp_path, "_posts/a.md", post("title: 芯片", "date: 2024-05-08 10:30:00"))
    with pytest.raises(CommandError, match=rf"{config}: not valid YAML") as error:
        run(tmp_path)  # found beside the folder: refused all the same
    assert error.value.returncode == 2
    with pytest.raises(CommandError, match=rf"--site-config: {tmp_path / 'nope.yml'}: "):
        run(tmp_path, site_config=tmp_path / "nope.yml")
    assert Article.objects.count() == 0


def test_the_timezone_option_wins_over_the_site_configs(tmp_path):
    write(tmp_path, "_config.yml", "timezone: America/New_York\n")
    write(tmp_path, "source/_posts/a.md", post("title: 芯片", "date: 2024-05-08 22:00:00"))
    run(tmp_path)
    assert Article.objects.get().published_at == dt.datetime(2024, 5, 9, 2, 0, tzinfo=UTC)
    Article.objects.all().delete()
    run(tmp_path, timezone="Asia/Shanghai")
    assert Article.objects.get().published_at == dt.datetime(2024, 5, 8, 14, 0, tzinfo=UTC)


def test_the_permalink_option_replaces_the_site_configs_pattern(tmp_path):
    write(tmp_path, "_config.yml", "permalink: :title.html\n")
    write(tmp_path, "source/_posts/a.md", post("title: 芯片", "date: 2024-05-08 10:00:00", "abbrlink: x1"))
    run(tmp_path, permalink="p/:abbrlink/")
    assert old_paths() == {"/p/x1/"}


def test_two_sites_in_one_run_each_keep_their_own_config(tmp_path):
    write(tmp_path / "one", "_config.yml", "permalink: :title/\n")
    write(tmp_path / "two", "_config.yml", "permalink: posts/:title.html\ntimezone: America/New_York\n")
    for name in ("one", "two"):
        write(tmp_path / name, "source/_posts/a.md", post("title: 芯片", "date: 2024-05-08 10:00:00"))
    out, _ = run(tmp_path / "one", tmp_path / "two")
    assert out.count("旧站配置") == 2
    assert {"/a/", "/posts/a.html"} <= old_paths()
    one, two = (Article.objects.get(source_archive=name) for name in ("one", "two"))
    # Each clock its own: 10:00 in Shanghai (the project's zone) and in New York (EDT in May).
    assert (two.published_at - one.published_at) == dt.timedelta(hours=12)


def test_hugo_site_bilingual_addresses_and_languages(tmp_path, client):
    write(tmp_path, "config.toml", (
        'defaultContentLanguage = "zh-cn"\n'
        '[languages.en]\nweight = 1\n[languages.zh-cn]\nlanguageCode = "zh-CN"\n'
    ))  # fmt: skip
    write(tmp_path, "content/dev/Serverless/index.zh-cn.md", post('title: "无服务器"', "date: 2024-05-08"))
    write(
        tmp_path,
        "content/dev/Serverless/index.en.md",
        post('title: "Serverless"', "date: 2024-05-08", body="An English page about serverless computing."),
    )
    run(tmp_path)
    chinese, english = Article.objects.get(title="无服务器"), Article.objects.get(title="Serverless")
    assert (chinese.language, english.language) == ("zh-Hans", "en")
    assert list(chinese.legacy_urls.values_list("path", flat=True)) == ["/dev/serverless/"]
    assert list(english.legacy_urls.values_list("path", flat=True)) == ["/en/dev/serverless/"]
    assert client.get("/en/dev/serverless/index.html")["Location"] == english.get_absolute_url()


def test_an_undated_post_is_a_draft_whatever_its_files_age(tmp_path):
    path = write(tmp_path, "_posts/old-note.md", post("title: 一篇旧笔记"))
    os.utime(path, (dt.datetime(2017, 3, 1).timestamp(),) * 2)  # once dated by this, atop the home page
    _, err = run(tmp_path)
    article = Article.objects.get()
    assert (article.status, article.published_at) == (Article.Status.DRAFT, None)
    assert "date: missing, and the file name holds no date; imported as a draft" in err


def test_a_dated_file_name_dates_the_post(tmp_path):
    write(tmp_path, "_posts/2017-03-01-old-note.md", post("title: 一篇旧笔记"))
    run(tmp_path)
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == dt.datetime(2017, 2, 28, 16, 0, tzinfo=UTC)  # midnight in Shanghai


def test_traditional_chinese_text_is_imported_as_zh_hant(tmp_path):
    write(
        tmp_path,
        "_posts/a.md",
        post(
            "title: 主題配置", "date: 2024-05-08", body="這是我們對開發者的說明：學會這個工具以後，發佈文章會更簡單。"
        ),
    )
    run(tmp_path)
    assert Article.objects.get().language == "zh-Hant"


# --- every form of an old address ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "requested"),
    [
        ("/post/中文笔记/", ["/post/中文笔记/", "/post/中文笔记", "/post/中文笔记/index.html"]),
        ("/blog/2014/10/smack.html", ["/blog/2014/10/smack.html", "/blog/2014/10/smack", "/blog/2014/10/smack/"]),
        ("/2648/", ["/2648", "/2648/index.html"]),
        ("/post/c#入门/", ["/post/c#入门/"]),  # Hugo keeps `#` in a path; a link writes it %23
        ("/post/a?b", ["/post/a?b"]),
    ],
)
def test_an_old_address_answers_in_every_form_encoded_or_not(client, stored, requested):
    article = make_article("旧文章")
    LegacyURL.objects.create(path=stored, article=article)
    for path in requested:
        # A browser sends `#` and `?` of a path only encoded; the rest either way.
        forms = [quote(path, safe="/")] + ([] if {"#", "?"} & set(path) else [path])
        for form in forms:
            response = client.get(form)
            assert (response.status_code, response.get("Location")) == (301, article.get_absolute_url()), form


def test_other_addresses_near_an_old_one_are_not_found(client):
    LegacyURL.objects.create(path="/blog/2014/10/smack.html", article=make_article("旧文章"))
    for path in ("/blog/2014/10/smack2.html", "/blog/2014/10/", "/blog/2014/10/smack.htmlx"):
        assert client.get(path).status_code == 404, path
