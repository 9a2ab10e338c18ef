"""The old addresses of a post, as Hexo, Jekyll and Hugo built them. No database."""

import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings

from articles.importing.frontmatter import LegacyRecord, read_legacy_file
from articles.importing.mapping import map_record
from articles.importing.permalinks import hugo_sanitize, hugo_sanitize_collapsing
from articles.importing.siteconfig import SiteConfig, read_site_config

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "legacy" / "corpus"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def addresses(metadata, relative_path, site=None, *, root=Path("/blog"), body="正文。"):
    """(old addresses, warnings) of a file at root/relative_path."""
    record = LegacyRecord(
        path=root / relative_path, relative_path=relative_path, metadata=metadata, body=body,
        content_hash="0" * 64,
    )  # fmt: skip
    values = map_record(record, tz=SHANGHAI, default_author="编辑部", site=site)
    return values.legacy_paths, values.warnings


def jekyll(permalink, **settings):
    return SiteConfig(generator="jekyll", root=Path("/blog"), content_dir="", permalink=permalink, **settings)


def hugo(**settings):
    settings.setdefault("default_language", "en")
    return SiteConfig(generator="hugo", root=Path("/blog"), content_dir="content", permalink="", **settings)


# --- Jekyll -------------------------------------------------------------------------------------


def test_jekyll_title_is_the_file_name_without_date_or_subfolder():
    site = jekyll("/:year/:month/:day/:title/")
    for path in ("_posts/2024-12-01-my-post.md", "_posts/2024/notes/2024-12-01-my-post.md"):
        assert addresses({"title": "我的文章"}, path, site)[0] == ["/2024/12/01/my-post/"], path


def test_jekyll_categories_are_lower_cased_and_joined():
    site = jekyll("/:categories/:year-:month/:title.html")
    found, _ = addresses({"title": "x", "category": "Linux"}, "_posts/2011-08-19-kvm.md", site)
    assert found == ["/linux/2011-08/kvm.html"]
    found, _ = addresses({"title": "x", "categories": "Java Reprints"}, "_posts/2011-08-19-kvm.md", site)
    assert found == ["/java/reprints/2011-08/kvm.html"]  # a string of words is a list
    found, _ = addresses({"title": "x"}, "_posts/2011-08-19-kvm.md", site)
    assert found == ["/2011-08/kvm.html"]  # none: the empty segment goes


def test_jekyll_folders_above_posts_are_categories():
    site = jekyll("/:categories/:title/")
    found, _ = addresses({"title": "x", "categories": ["Ops"]}, "Tech/_posts/2024-01-02-a-b.md", site)
    assert found == ["/tech/ops/a-b/"]


def test_jekyll_title_slugifies_spaces_but_keeps_case_and_chinese():
    site = jekyll("/blog/:year/:month/:title.html")
    found, _ = addresses({"title": "x"}, "_posts/2014-10-30-how to use Smack 中文.md", site)
    assert found == ["/blog/2014/10/how-to-use-Smack-中文.html"]


def test_jekyll_own_permalink_replaces_the_pattern_and_may_use_placeholders():
    site = jekyll("/blog/:year/:month/:title.html")
    meta = {"title": "x", "date": "2014-06-15 01:05:13 +0800", "permalink": "/blog/:year/:month/:day/:title.html"}
    assert addresses(meta, "_posts/2014-06-15-in-the-rain.md", site)[0] == ["/blog/2014/06/15/in-the-rain.html"]


def test_jekyll_slug_key_and_base_url():
    site = jekyll("/:year/:title/", base_path="/docs/")
    found, _ = addresses({"title": "x", "slug": "Better Name"}, "_posts/2024-01-02-a.md", site)
    assert found == ["/docs/2024/Better-Name/"]


def test_jekyll_date_with_a_zone_is_read_in_the_site_zone():
    site = jekyll("/:year/:month/:day/:title.html")
    meta = {"title": "x", "date": "2015-03-20 23:20:26 -0800"}  # 15:20 next day in Shanghai
    assert addresses(meta, "_posts/2015-03-20-vim.md", site)[0] == ["/2015/03/21/vim.html"]


def test_jekyll_redirect_from_is_kept():
    found, _ = addresses(
        {"title": "x", "redirect_from": ["/old/", "older.html"]}, "_posts/2024-01-02-a.md", jekyll("/:title/")
    )
    assert found == ["/a/", "/old/", "/older.html"]


# --- Hexo ---------------------------------------------------------------------------------------


def test_hexo_title_is_the_path_under_posts():
    found, _ = addresses({"title": "x", "date": "2024-05-08 10:00:00"}, "source/_posts/tech/chip.md")
    assert found == ["/2024/05/08/tech/chip/"]


def test_hexo_abbrlink_only_where_the_post_has_one():
    site = SiteConfig(permalink="posts/:abbrlink/")
    with_one, _ = addresses({"title": "x", "date": "2024-05-08", "abbrlink": "4aa8abbe"}, "_posts/a.md", site)
    without, warnings = addresses({"title": "x", "date": "2024-05-08"}, "_posts/a.md", site)
    empty, _ = addresses({"title": "x", "date": "2024-05-08", "abbrlink": ""}, "_posts/a.md", site)
    assert with_one == ["/posts/4aa8abbe/"]
    assert without == empty == []  # never /posts//
    assert any(":abbrlink" in w and "no old address" in w for w in warnings)


def test_hexo_own_permalink_replaces_the_pattern():
    found, _ = addresses({"title": "x", "date": "2016-08-20", "permalink": "2648/", "id": 2648}, "_posts/dplayer.md")
    assert found == ["/2648/"]


def test_hexo_category_placeholder_is_the_slug_path_of_the_deepest_category():
    site = SiteConfig(permalink=":category/:title.html", category_map={"科技": "tech"})
    meta = {"title": "x", "date": "2024-05-08", "categories": ["科技", "AI 芯片"]}
    assert addresses(meta, "_posts/a.md", site)[0] == ["/tech/AI-芯片/a.html"]
    assert addresses({"title": "x", "date": "2024-05-08"}, "_posts/a.md", site)[0] == ["/uncategorized/a.html"]


def test_hexo_pages_live_at_their_path_below_source():
    site = SiteConfig(root=Path("/blog"))
    assert addresses({"title": "关于"}, "source/about/index.md", site)[0] == ["/about/"]
    assert addresses({"title": "笔记"}, "source/db/mysql/5.6.md", site)[0] == ["/db/mysql/5.6.html"]


def test_hexo_root_prefixes_every_address():
    site = SiteConfig(permalink=":title/", base_path="/blog/")
    found, _ = addresses({"title": "x", "date": "2024-05-08", "alias": "/old.html"}, "_posts/a.md", site)
    assert found == ["/blog/a/", "/blog/old.html"]


def test_hexo_date_is_the_local_date_in_the_site_zone():
    found, _ = addresses({"title": "x", "date": "Wed, 08 May 2024 18:30:00 GMT"}, "_posts/a.md")
    assert found == ["/2024/05/09/a/"]


# --- Hugo ---------------------------------------------------------------------------------------


def test_hugo_default_is_the_section_and_file_name_lower_cased():
    found, _ = addresses({"title": "x", "date": "2024-05-08"}, "content/post/My First Post.md", hugo())
    assert found == ["/post/my-first-post/"]


def test_hugo_bundle_is_named_by_its_folder_and_slug_replaces_the_name():
    assert addresses({"title": "x"}, "content/dev/Serverless/index.md", hugo())[0] == ["/dev/serverless/"]
    assert addresses({"title": "x", "slug": "faas"}, "content/dev/serverless/index.md", hugo())[0] == ["/dev/faas/"]


def test_hugo_section_permalink_and_its_tokens():
    site = hugo(section_permalinks={"post": "/:year/:month/:slug/", "notes": "/n/:filename/"})
    meta = {"title": "Hello World", "date": "2024-05-08"}
    assert addresses(meta, "content/post/a.md", site)[0] == ["/2024/05/hello-world/"]  # :slug falls back to the title
    assert addresses({**meta, "slug": "hi"}, "content/post/a.md", site)[0] == ["/2024/05/hi/"]
    assert addresses(meta, "content/notes/B c/index.md", site)[0] == ["/n/b-c/"]
    assert addresses(meta, "content/other/d.md", site)[0] == ["/other/d/"]  # no pattern: its path


def test_hugo_language_prefix_for_other_languages_only():
    site = hugo(languages={"en": "en", "zh-cn": "zh-cn"}, default_language="zh-cn")
    assert addresses({"title": "x"}, "content/dev/a/index.zh-cn.md", site)[0] == ["/dev/a/"]
    assert addresses({"title": "x"}, "content/dev/a/index.en.md", site)[0] == ["/en/dev/a/"]
    subdir = hugo(languages={"en": "en", "zh-cn": "zh-cn"}, default_language="zh-cn", default_language_in_subdir=True)
    assert addresses({"title": "x"}, "content/dev/a.zh-cn.md", subdir)[0] == ["/zh-cn/dev/a/"]


def test_hugo_aliases_url_and_ugly_urls():
    meta = {"title": "x", "aliases": ["/old/path", "sibling"]}
    assert addresses(meta, "content/post/a.md", hugo())[0] == ["/post/a/", "/post/sibling", "/old/path"]
    assert addresses({"title": "x", "url": "/custom/place/"}, "content/post/a.md", hugo())[0] == ["/custom/place/"]
    assert addresses({"title": "x"}, "content/post/a.md", hugo(ugly_urls=True))[0] == ["/post/a.html"]


def test_hugo_amp_pages_unless_the_page_names_its_own_outputs():
    site = hugo(page_outputs=("html", "amp"))
    assert addresses({"title": "x", "aliases": ["/o/"]}, "content/p/a.md", site)[0] == [
        "/p/a/",
        "/amp/p/a/",
        "/amp/o/",
        "/o/",
    ]
    assert addresses({"title": "x", "outputs": "html"}, "content/p/a.md", site)[0] == ["/p/a/"]


def test_hugo_chinese_file_names_under_both_of_hugos_hyphen_rules():
    found, _ = addresses({"title": "x"}, "content/post/悬崖边的踟蹰-——-CSP-S-2019.md", hugo())
    assert found == ["/post/悬崖边的踟蹰--csp-s-2019/", "/post/悬崖边的踟蹰-csp-s-2019/"]
    assert hugo_sanitize("AC自动机（SAM）学习笔记") == "AC自动机SAM学习笔记"
    assert hugo_sanitize_collapsing("--a -  b--") == "a-b"


def test_hugo_section_page_lives_at_its_folder():
    assert addresses({"title": "Dev"}, "content/dev/_index.en.md", hugo())[0] == ["/dev/"]


# --- over the real archives ---------------------------------------------------------------------


def corpus_addresses(archive, relative_path):
    root = CORPUS / archive
    site = read_site_config(next(p for p in (root / "_config.yml", root / "config.toml") if p.is_file()))
    record = read_legacy_file(root / relative_path, root)
    tz = zoneinfo.ZoneInfo(site.timezone or settings.TIME_ZONE)
    return map_record(record, tz=tz, default_author="编辑部", site=site).legacy_paths


@pytest.mark.parametrize(
    ("archive", "relative_path", "expected"),
    [
        ("vgist_vgist.github.io", "_posts/2011-08-19-kernel-based-virtual-machine.md",
         ["/linux/2011-08/kernel-based-virtual-machine.html"]),
        ("EZLippi_EZLippi.github.io", "_posts/2014-10-30-how to use smack.md",
         ["/blog/2014/10/how-to-use-smack.html"]),
        ("EZLippi_EZLippi.github.io", "_posts/2014-06-15-in-the-rain.md",
         ["/blog/2014/06/15/in-the-rain.html"]),  # its own permalink
        ("EZLippi_EZLippi.github.io", "_posts/2015-04-16-android-tips.md",
         ["/blog/2015/04/android-tips.html"]),  # linked as coolshell.info/blog/2015/04/android-tips.html
        ("bmpi-dev_bmpi.dev", "content/money/passive-income-protfolio/202008.zh-cn.md",
         ["/money/passive-income-protfolio/202008/", "/amp/money/passive-income-protfolio/202008/"]),
        ("bmpi-dev_bmpi.dev", "content/dev/Coding-Anytime-Anywhere.en.md",
         ["/en/dev/coding-anytime-anywhere/", "/en/amp/dev/coding-anytime-anywhere/"]),
        ("ouuan_hugo-blog", "content/post/莫队、带修莫队、树上莫队详解.md",
         ["/post/莫队带修莫队树上莫队详解/", "/post/莫队、带修莫队、树上莫队详解", "/莫队、带修莫队、树上莫队详解"]),
    ],
)  # fmt: skip
def test_real_posts_get_the_addresses_their_sites_gave_them(archive, relative_path, expected):
    assert corpus_addresses(archive, relative_path) == expected
