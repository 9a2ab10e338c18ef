"""An imported article's content language: declared, from a Hugo file name, or from the text."""

import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings

from articles.importing.frontmatter import LegacyRecord, read_legacy_file
from articles.importing.language import (
    SIMPLIFIED_ONLY,
    TRADITIONAL_ONLY,
    article_language,
    language_code,
    text_language,
)
from articles.importing.mapping import map_record
from articles.importing.siteconfig import SiteConfig, find_site_config, read_site_config

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "legacy" / "corpus"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

SIMPLIFIED_TEXT = "这是我们对国内开发者的说明：学会这个工具以后，发布文章会更简单。"
TRADITIONAL_TEXT = "這是我們對國內開發者的說明：學會這個工具以後，發佈文章會更簡單。"
ENGLISH_TEXT = (
    "This release adds a new theme option for the sidebar, and fixes the dark mode of code blocks. "
    "Run `npm install` and restart the server; thanks to 张伟 for the report."
)


def test_the_script_specific_characters_are_pairs_of_one_word():
    assert len(TRADITIONAL_ONLY) == len(SIMPLIFIED_ONLY) > 100
    assert not TRADITIONAL_ONLY & SIMPLIFIED_ONLY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SIMPLIFIED_TEXT, ("zh-Hans", True)),
        (TRADITIONAL_TEXT, ("zh-Hant", True)),
        (ENGLISH_TEXT, ("en", True)),
        ("使用 Docker 和 Kubernetes 部署这些服务，再用 GitHub Actions 发布到我们的网站。", ("zh-Hans", True)),
        ("短文", ("zh-Hans", False)),  # no character that differs: undecided
        ("", ("zh-Hans", False)),
    ],
)
def test_text_language(text, expected):
    assert text_language(text) == expected


def test_code_and_addresses_do_not_make_a_chinese_text_english():
    body = SIMPLIFIED_TEXT + "\n\n```python\n" + "def main(argv):\n    return run(argv)\n" * 40 + "```\n"
    body += "\n    $ yum install vsftpd db4-utils\n    $ systemctl enable vsftpd\n" * 20
    body += "\n见 [文档](https://example.com/docs/getting-started/installation-guide)\n"
    assert text_language(body)[0] == "zh-Hans"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("zh-CN", "zh-Hans"), ("zh_TW", "zh-Hant"), ("zh-Hant-HK", "zh-Hant"), ("zh-hans", "zh-Hans"),
     ("zh", "zh-Hans"), ("en-US", "en"), ("EN", "en"), ("ja", ""), (None, ""), (3, "")],
)  # fmt: skip
def test_language_code(tag, expected):
    assert language_code(tag) == expected


def test_the_front_matter_wins_over_everything():
    assert article_language({"lang": "zh-TW"}, SIMPLIFIED_TEXT, file_language="en") == "zh-Hant"
    assert article_language({"Language": "en"}, SIMPLIFIED_TEXT) == "en"


def test_the_file_language_wins_over_the_text():
    assert article_language({}, SIMPLIFIED_TEXT, file_language="en") == "en"


def test_the_site_language_breaks_a_tie_between_the_scripts_only():
    assert article_language({}, "短文", site_language="zh-TW") == "zh-Hant"
    assert article_language({}, TRADITIONAL_TEXT, site_language="zh-CN") == "zh-Hant"  # the text decides
    assert article_language({}, ENGLISH_TEXT, site_language="zh-CN") == "en"
    assert article_language({}, SIMPLIFIED_TEXT, site_language="en-us") == "zh-Hans"  # Hugo's default template


def mapped_language(metadata, relative_path, body, site=None):
    record = LegacyRecord(
        path=Path("/blog") / relative_path, relative_path=relative_path, metadata=metadata, body=body,
        content_hash="0" * 64,
    )  # fmt: skip
    return map_record(record, tz=SHANGHAI, default_author="编辑部", site=site).language


def test_import_sets_the_language_from_a_hugo_suffix_and_the_configured_code():
    site = SiteConfig(generator="hugo", languages={"en": "en", "tw": "zh-Hant-TW"}, default_language="en")
    assert mapped_language({"title": "x"}, "content/post/a.en.md", SIMPLIFIED_TEXT, site) == "en"
    assert mapped_language({"title": "x"}, "content/post/a.tw.md", "短文", site) == "zh-Hant"
    assert mapped_language({"title": "标题"}, "_posts/a.md", TRADITIONAL_TEXT) == "zh-Hant"


def corpus_languages(archive, folder):
    root = CORPUS / archive
    config = find_site_config(root)
    site = read_site_config(config) if config else SiteConfig()
    languages = {}
    for path in sorted((root / folder).rglob("*.md")):
        record = read_legacy_file(path, root)
        languages[record.relative_path] = map_record(record, tz=SHANGHAI, default_author="x", site=site).language
    return languages


@pytest.mark.parametrize(
    ("archive", "folder", "expected"),
    [
        (
            "jerryc127_butterfly.js.org",
            "source/_posts",
            {"zh-Hant": 27, "en": 1},
        ),  # Traditional docs; markdown.md is English
        ("jerryc127_butterfly.js.org", "source-en/_posts", {"en": 25}),
        ("vgist_vgist.github.io", "_posts", {"zh-Hans": 121}),
        ("bmpi-dev_bmpi.dev", "content/dev", {"zh-Hans": 40, "en": 10}),
    ],
)
def test_real_archives_get_their_languages(archive, folder, expected):
    languages = list(corpus_languages(archive, folder).values())
    assert {language: languages.count(language) for language in set(languages)} == expected


def test_bmpi_english_files_are_english_and_chinese_ones_chinese():
    for path, language in corpus_languages("bmpi-dev_bmpi.dev", "content").items():
        assert language == ("en" if ".en." in path else "zh-Hans"), path
