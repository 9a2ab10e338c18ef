"""Reading old sites' configs (Hexo, Jekyll, Hugo) into SiteConfigs. No database."""

from pathlib import Path

import pytest
from django.conf import settings

from articles.importing.siteconfig import (
    HEXO_DEFAULT_PERMALINK,
    SiteConfig,
    SiteConfigError,
    find_site_config,
    hugo_language_suffix,
    read_site_config,
)

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "legacy" / "corpus"


def write(folder, name, text):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- the real configs of the corpus -------------------------------------------------------------


def test_vgist_jekyll_config():
    site = read_site_config(CORPUS / "vgist_vgist.github.io" / "_config.yml")
    assert site.generator == "jekyll"
    assert site.permalink == "/:categories/:year-:month/:title.html"
    assert (site.timezone, site.content_dir, site.base_path) == ("", "", "/")


def test_ezlippi_jekyll_config_with_its_time_zone():
    site = read_site_config(CORPUS / "EZLippi_EZLippi.github.io" / "_config.yml")
    assert site.generator == "jekyll"
    assert site.permalink == "/blog/:year/:month/:title.html"  # its trailing space is no part of it
    assert site.timezone == "Asia/Shanghai"


def test_bmpi_hugo_config_is_bilingual_with_amp_pages():
    site = read_site_config(CORPUS / "bmpi-dev_bmpi.dev" / "config.toml")
    assert site.generator == "hugo"
    assert site.root == CORPUS / "bmpi-dev_bmpi.dev"
    assert site.content_dir == "content"
    # keys written `defaultcontentlanguage` and `languagecode`: Hugo reads them in any case
    assert (site.default_language, site.language) == ("zh-cn", "zh-cn")
    assert set(site.languages) == {"en", "zh-cn"}
    assert site.taxonomies == {"category": "categories", "tag": "tags", "series": "series"}
    assert site.page_outputs == ("html", "amp")
    assert site.section_permalinks == {}  # no [permalinks]: pages live at their file's path


def test_ouuan_hugo_config():
    site = read_site_config(CORPUS / "ouuan_hugo-blog" / "config.toml")
    assert site.generator == "hugo"
    assert (site.default_language, site.language, site.languages) == ("zh-cn", "zh-cn", {})
    assert site.lowercase_paths and not site.ugly_urls


# --- small configs of our own -------------------------------------------------------------------


def test_hexo_config_beside_a_source_folder(tmp_path):
    (tmp_path / "source" / "_posts").mkdir(parents=True)
    path = write(tmp_path, "_config.yml", (
        "permalink: posts/:abbrlink/\n"
        "timezone: Asia/Taipei\n"
        "language: [zh-TW, en]\n"
        "root: /blog\n"
        "category_map:\n  科技: tech\n"
        "default_category: 未分类\n"
    ))  # fmt: skip
    site = read_site_config(path)
    assert site.generator == "hexo"
    assert (site.permalink, site.timezone, site.language) == ("posts/:abbrlink/", "Asia/Taipei", "zh-TW")
    assert (site.base_path, site.content_dir) == ("/blog/", "source")
    assert site.category_map == {"科技": "tech"} and site.default_category == "未分类"


def test_hexo_or_jekyll_told_apart_by_their_keys_without_folders(tmp_path):
    hexo = read_site_config(write(tmp_path / "a", "_config.yml", "new_post_name: :year-:month-:day-:title.md\n"))
    jekyll = read_site_config(write(tmp_path / "b", "_config.yml", "baseurl: /docs\nmarkdown: kramdown\n"))
    assert (hexo.generator, hexo.permalink) == ("hexo", HEXO_DEFAULT_PERMALINK)
    assert (jekyll.generator, jekyll.base_path) == ("jekyll", "/docs/")
    assert jekyll.permalink == "/:categories/:year/:month/:day/:title:output_ext"  # Jekyll's `date`


def test_jekyll_named_permalink_style(tmp_path):
    (tmp_path / "_posts").mkdir()
    site = read_site_config(write(tmp_path, "_config.yml", "permalink: pretty\n"))
    assert site.permalink == "/:categories/:year/:month/:day/:title/"


def test_hugo_yaml_config_with_section_permalinks_and_time_zone(tmp_path):
    site = read_site_config(write(tmp_path, "hugo.yaml", (
        "baseURL: https://example.com/site/\n"
        "timeZone: Europe/Berlin\n"
        "uglyURLs: true\n"
        "permalinks:\n  page:\n    posts: /:year/:month/:slug/\n"
    )))  # fmt: skip
    assert site.section_permalinks == {"posts": "/:year/:month/:slug/"}
    assert (site.timezone, site.base_path, site.ugly_urls) == ("Europe/Berlin", "/site/", True)
    assert site.language == ""  # nothing declared: the text decides


def test_hugo_config_split_under_config_default(tmp_path):
    write(tmp_path, "config/_default/hugo.toml", 'defaultContentLanguage = "zh-tw"\n')
    write(tmp_path, "config/_default/permalinks.toml", 'post = "/:section/:filename/"\n')
    write(tmp_path, "config/_default/languages.toml", '[en]\nweight = 2\n[zh-tw]\nlanguageCode = "zh-Hant-TW"\n')
    found = find_site_config(tmp_path / "content" / "post")
    assert found == tmp_path / "config" / "_default" / "hugo.toml"
    site = read_site_config(found)
    assert site.root == tmp_path
    assert site.section_permalinks == {"post": "/:section/:filename/"}
    assert site.languages == {"en": "en", "zh-tw": "zh-Hant-TW"} and site.language == "zh-Hant-TW"


def test_a_folder_is_read_for_the_config_in_it(tmp_path):
    write(tmp_path, "config.toml", 'permalinks.post = "/p/:slug/"\n')
    assert read_site_config(tmp_path).section_permalinks == {"post": "/p/:slug/"}


# --- finding the archive's config ---------------------------------------------------------------


def test_found_beside_the_import_path_or_up_to_three_folders_above(tmp_path):
    config = write(tmp_path, "_config.yml", "permalink: :title/\n")
    deep = tmp_path / "source" / "_posts" / "2024"
    deep.mkdir(parents=True)
    assert find_site_config(tmp_path) == config
    assert find_site_config(deep) == config  # three folders up
    assert find_site_config(deep / "a.md") == config  # a file: from its folder
    (deep / "deeper").mkdir()
    assert find_site_config(deep / "deeper") is None  # four up is another site's business


# --- refusals name the file ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("_config.yml", "permalink: [unclosed\n", r"_config\.yml: not valid YAML \(line 2\)"),
        ("_config.yml", "- just\n- a list\n", r"_config\.yml: expected settings \(key: value\), found a list"),
        ("config.toml", "title = \n", r"config\.toml: not valid TOML"),
        ("hugo.json", "{nope", r"hugo\.json: not valid JSON"),
        ("_config.yml", "timezone: Mars/Olympus\n", r"_config\.yml: timezone: unknown time zone 'Mars/Olympus'"),
        ("config.toml", "[permalinks]\npost = 3\n", r"config\.toml: permalinks\.post: expected a pattern"),
        ("_config.yml", "permalink: {a: 1}\n", r"_config\.yml: permalink: expected text"),
        ("site.ini", "permalink = x\n", r"site\.ini: not a site config this importer knows"),
    ],
)
def test_an_unusable_config_is_refused_naming_the_file(tmp_path, name, text, message):
    with pytest.raises(SiteConfigError, match=message) as error:
        read_site_config(write(tmp_path, name, text))
    assert str(tmp_path) in str(error.value)


def test_a_missing_or_unreadable_config_is_refused_naming_it(tmp_path):
    with pytest.raises(SiteConfigError, match=r"_config\.yml: no such file"):
        read_site_config(tmp_path / "_config.yml")
    (tmp_path / "config.toml").write_bytes(b"title = '\xff\xfe'\n")
    with pytest.raises(SiteConfigError, match=r"config\.toml: not UTF-8 text"):
        read_site_config(tmp_path / "config.toml")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SiteConfigError, match="empty: no site config in this folder"):
        read_site_config(tmp_path / "empty")


def test_hexo_defaults_when_there_is_no_config():
    site = SiteConfig()
    assert (site.generator, site.permalink, site.timezone, site.root) == ("hexo", HEXO_DEFAULT_PERMALINK, "", None)
    assert site.describe() == f"permalink {HEXO_DEFAULT_PERMALINK}"


@pytest.mark.parametrize(
    ("stem", "languages", "expected"),
    [
        ("about.en", {}, "en"),
        ("index.zh-cn", {}, "zh-cn"),
        ("post.zh-TW", {}, "zh-tw"),
        ("notes.fr", {"fr": "fr"}, "fr"),  # configured: a language whatever its code
        ("notes.fr", {}, ""),
        ("release.v1", {}, ""),
        ("report.final", {}, ""),
        ("plain", {}, ""),
    ],
)
def test_hugo_language_suffix(stem, languages, expected):
    assert hugo_language_suffix(stem, SiteConfig(generator="hugo", languages=languages)) == expected
