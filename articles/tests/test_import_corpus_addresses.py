"""Over every real archive of ../shared/legacy/corpus: each old address answers, the links between
its posts lead to them, and an export imported into an empty database gives the same articles,
addresses, identities and front-matter keys back."""

import io
import os
import re
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.exporting import MAPPED_KEYS, updated_time
from articles.models import Article, Author, Category, Image, LegacyURL, Tag

pytestmark = pytest.mark.django_db

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "legacy" / "corpus"
# Archives that came without their config get a small one of our own, with what their own links
# show the site used.
OWN_CONFIGS = {
    "DIYgod_diygod.me": "permalink: :title/\n",
    "jerryc127_butterfly.js.org": "permalink: posts/:abbrlink/\nlanguage: zh-TW\n",
}
ARCHIVES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
# The site's own host in the links of its posts.
HOSTS = {
    "ouuan_hugo-blog": "ouuan.github.io", "bmpi-dev_bmpi.dev": "bmpi.dev",
    "EZLippi_EZLippi.github.io": "coolshell.info", "DIYgod_diygod.me": "diygod.me",
    "jerryc127_butterfly.js.org": "butterfly.js.org",
}  # fmt: skip
# Links between posts that name no post of the archive: pages and files outside the posts,
# and addresses from before the site's last change of pattern that no front matter kept.
NOT_POSTS = {
    "ouuan_hugo-blog": {"/randpic/people", "/randpic/people/", "/randpic/generator/", "/antiyigedinglia",
                        "/好用的网站/", "/404.html"},
    "bmpi-dev_bmpi.dev": {"/resume/en", "/share/ilNU9n5W/bmpi.dev", "/2022/how-to-implement-concurrency/",
                          "/2022/content-marketing-to-personal-brand/", "/2021/blog-arch", "/2021/i18n-java",
                          "/2020/web-traffic-research", "/2019/elixir", "/2019/elixir/", "/money/what-is-seo/"},
    "EZLippi_EZLippi.github.io": {"/2014/12/c-code-opt.html"},
    "DIYgod_diygod.me": {"/make-gugu-great-again"},
    "jerryc127_butterfly.js.org": {"/en//posts/butterfly-docs-en-theme-config-one/",
                                   "/en/posts/butterfly-docs-en-4-tag-plugins/", "/en/categories/Release-Notes/"},
    "vgist_vgist.github.io": {"/your/path/image"},
}  # fmt: skip
# Old addresses that are this site's own pages too (a year's archive, search, the feed): this
# site's page answers there, not a redirect.
SERVED_HERE = {
    "DIYgod_diygod.me": {"/2018/", "/2019/", "/2020/"},
    "ouuan_hugo-blog": {"/search/"},
    "bmpi-dev_bmpi.dev": {"/feed/"},
}
_LINK = re.compile(r"""(?:\]\(|href=["'])([^)"'\s]+)""")
_NOT_A_PAGE = re.compile(r"\.(png|jpe?g|gif|svg|xml|json|css|js|pdf|mp4|webp|ico|txt|ppt)$", re.I)
_SITE_SECTIONS = re.compile(
    r"^/(tags|categories|series|images|img|cdn|static|post_img|about|links?|search|archives)(/|$)"
)


def import_archive(archive, tmp_path):
    options = {}
    if archive in OWN_CONFIGS:
        config = tmp_path / "config" / "_config.yml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(OWN_CONFIGS[archive], encoding="utf-8")
        options["site_config"] = config
    try:
        call_command(
            "import_frontmatter", str(CORPUS / archive), jobs=0, stdout=io.StringIO(), stderr=io.StringIO(), **options
        )
    except CommandError as error:  # a few files whose front matter no YAML reader takes
        assert re.fullmatch(r"\d+ of \d+ files failed to import", str(error)), error


def post_links(archive):
    """The paths of the links from the archive's posts to pages of the same site."""
    host = HOSTS.get(archive)
    paths = set()
    for path in (CORPUS / archive).rglob("*.md"):
        for url in _LINK.findall(path.read_text(encoding="utf-8", errors="replace")):
            parts = urlsplit(url)
            if (
                parts.netloc
                and not (host and parts.netloc.endswith(host))
                or not parts.netloc
                and not url.startswith("/")
            ):
                continue
            if (
                parts.path not in ("", "/")
                and not _NOT_A_PAGE.search(parts.path)
                and not _SITE_SECTIONS.match(parts.path)
            ):
                paths.add(unquote(parts.path))
    return paths


@pytest.mark.parametrize("archive", ARCHIVES)
def test_a_real_archive_answers_at_every_old_address_and_round_trips(archive, tmp_path, client, monkeypatch):
    import_archive(archive, tmp_path)
    every_old_address_answers(archive, client)
    if archive in NOT_POSTS:
        links_lead_to_posts(archive, client)
    round_trips_through_an_export(tmp_path, monkeypatch)


def every_old_address_answers(archive, client):
    live = set(Article.objects.published().values_list("pk", flat=True))
    answered = set()
    for legacy in LegacyURL.objects.select_related("article"):
        expected = (301, legacy.article.get_absolute_url()) if legacy.article_id in live else (410, None)
        encoded = quote(legacy.path, safe="/")
        # As links write it (percent-encoded), and as typed when that is another text.
        forms = [encoded] + ([legacy.path] if encoded != legacy.path and not {"#", "?"} & set(legacy.path) else [])
        for form in forms:
            response = client.get(form)
            if legacy.path in SERVED_HERE.get(archive, ()):
                assert response.status_code == 200, form
            else:
                assert (response.status_code, response.get("Location")) == expected, form
                answered.add(legacy.path)
    assert answered


def links_lead_to_posts(archive, client):
    """The links between the archive's posts answer, but for those known to name no post."""
    answers = {path: client.get(path).status_code for path in post_links(archive)}
    assert {path for path, status in answers.items() if status == 404} == NOT_POSTS[archive]
    # The rest answer; 410 only for pages without a date, imported as drafts.
    for path, status in answers.items():
        if path in SERVED_HERE.get(archive, ()):
            assert status == 200, path
        elif status == 410:
            article = LegacyURL.objects.get(path__in=LegacyURL.candidates(path)).article
            assert article.status == Article.Status.DRAFT and article.published_at is None, path
        else:
            assert status in (301, 404), path


# --- the round trip -----------------------------------------------------------------------------


def identities():
    """Per article, by the archive and path it came from: what an export must bring back."""
    articles = Article.objects.select_related("author").prefetch_related("legacy_urls", "tags", "categories")
    return {
        (article.source_archive, article.source_path): {
            "title": article.title, "slug": article.slug, "status": article.status,
            "published_at": article.published_at, "body": article.body, "summary": article.summary,
            "author": article.author.name, "language": article.language,
            "source_id": article.source_id, "updated": updated_time(article),
            "source_updated_at": article.source_updated_at,
            "old_addresses": frozenset(legacy.path for legacy in article.legacy_urls.all()),
            "tags": frozenset(tag.name for tag in article.tags.all()),
            "categories": frozenset(c.name for c in article.categories.all()),
            "unknown_keys": {k: v for k, v in article.front_matter.items() if k not in MAPPED_KEYS},
        }
        for article in articles
    }  # fmt: skip


def empty_the_database():
    Article.objects.all().delete()
    for depth in sorted(set(Category.objects.values_list("depth", flat=True)), reverse=True):
        Category.objects.filter(depth=depth).delete()
    Tag.objects.all().delete()
    Author.objects.all().delete()
    Image.objects.all().delete()


def round_trips_through_an_export(tmp_path, monkeypatch):
    """Export, empty the database, import the export: the same articles, field by field, with
    the same old addresses (so they answer as before), identities and front-matter keys."""
    before = identities()
    export = tmp_path / "export"
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # a test's files need not reach the disk
    call_command("export_frontmatter", str(export), stdout=io.StringIO())
    empty_the_database()
    call_command("import_frontmatter", str(export), jobs=0, stdout=io.StringIO(), stderr=io.StringIO())
    after = identities()
    assert set(after) == set(before)
    for identity, fields in before.items():
        again = after[identity]
        for name, value in fields.items():
            if name == "unknown_keys":
                # The export's own keys come back besides: the original ones must all be there.
                assert {k: again[name].get(k) for k in value} == value, (identity, name)
            else:
                assert again[name] == value, (identity, name)
    assert LegacyURL.objects.count() == sum(len(f["old_addresses"]) for f in before.values())
