"""The `export_frontmatter` command: the files it writes, and that importing them gives the articles back."""

import datetime as dt
import hashlib
import io
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from articles.exporting import absolute_image_url, portable_body, updated_time
from articles.importing.frontmatter import split_front_matter
from articles.models import Article, Author, Category, Image, Tag
from articles.tests.factories import make_article, make_author, make_category_path, make_image
from articles.tests.test_image_download import LocalImageServer

pytestmark = pytest.mark.django_db

SAMPLE_ARCHIVE = Path(settings.BASE_DIR) / "articles" / "sample_archive"
UTC = dt.UTC
# A 1×1 transparent GIF, for an image stored as a local file.
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


def export(folder, **options):
    """Run the command; return stdout. CommandError propagates."""
    out = io.StringIO()
    call_command("export_frontmatter", str(folder), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def import_archive(folder):
    call_command("import_frontmatter", str(folder), stdout=io.StringIO(), stderr=io.StringIO())


def exported(folder):
    """{relative path: file text} of every file below `folder`."""
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def read_export(path):
    """(front matter, body) of one exported file, read the way the importer reads it."""
    return split_front_matter(Path(path).read_text(encoding="utf-8"))


def category_path(category):
    names = []
    while category is not None:
        names.insert(0, category.name)
        category = category.parent
    return tuple(names)


def snapshot():
    """Everything an export must carry, per article, keyed by slug."""
    articles = Article.objects.select_related("author", "hero_image", "thumbnail").prefetch_related(
        "categories__parent__parent__parent", "tags", "legacy_urls"
    )
    return {
        article.slug: {
            "title": article.title,
            "slug": article.slug,
            "body": article.body,
            "summary": article.summary,
            "status": article.status,
            "published_at": article.published_at,
            "allow_comments": article.allow_comments,
            "author": article.author.name,
            "categories": frozenset(category_path(c) for c in article.categories.all()),
            "tags": frozenset(t.name for t in article.tags.all()),
            # as the export writes them: a local file's URL on this site is a remote URL there
            "hero_image": absolute_image_url(article.hero_image),
            "thumbnail": absolute_image_url(article.thumbnail),
            "updated": updated_time(article),
            "language": article.language,
            "old_addresses": frozenset(legacy.path for legacy in article.legacy_urls.all()),
        }
        for article in articles
    }


def empty_the_database():
    """Delete every article and everything an import creates, as in a fresh database."""
    Article.objects.all().delete()
    for depth in sorted(set(Category.objects.values_list("depth", flat=True)), reverse=True):
        Category.objects.filter(depth=depth).delete()  # children first: parents are protected
    Tag.objects.all().delete()
    Author.objects.all().delete()
    Image.objects.all().delete()


def round_trip(tmp_path):
    """Export, empty the database, import the export; return (snapshot before, snapshot after)."""
    before = snapshot()
    folder = tmp_path / "export"
    export(folder)
    empty_the_database()
    assert Article.objects.count() == 0
    import_archive(folder)
    return before, snapshot()


# --- the sample archive ---------------------------------------------------------------------------


def test_sample_archive_exports_one_file_per_article(tmp_path):
    import_archive(SAMPLE_ARCHIVE)
    folder = tmp_path / "export"
    out = export(folder)
    assert out.strip() == f"12 files written to {folder}"
    files = exported(folder)
    assert len(files) == 12
    expected = set()
    for article in Article.objects.all():
        day = article.published_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
        expected.add(f"{day:%Y}/{day:%m}/{article.slug}.html")
    assert set(files) == expected
    for text in files.values():
        assert text.startswith("---\n")
        assert "\r" not in text


def test_exported_front_matter_key_by_key(tmp_path):
    import_archive(SAMPLE_ARCHIVE)
    fab = Article.objects.get(source_path="2025-03-18-chip-fab-expansion.md")
    folder = tmp_path / "export"
    export(folder)
    path = folder / "2025" / "03" / f"{fab.slug}.html"
    meta, body = read_export(path)
    assert list(meta) == [
        "title", "slug", "date", "permalink", "author", "categories", "tags", "comments",
        "description", "headimg", "thumbnail", "disableNunjucks", "lang", "aliases",
        "source_archive", "source_path",
    ]  # fmt: skip
    assert meta["title"] == "星河科技12英寸晶圆厂二期扩产，成熟制程产能提升三成"
    assert meta["slug"] == fab.slug
    assert meta["date"] == "2025-03-18T09:30:00+08:00"  # text with its zone, not a YAML timestamp
    assert meta["permalink"] == fab.get_absolute_url()
    # no `updated`: the source had none, and importing it changed nothing
    assert meta["lang"] == "zh-Hans"
    assert meta["aliases"] == ["/2025/03/18/2025-03-18-chip-fab-expansion/"]  # Hexo's default pattern
    assert (meta["source_archive"], meta["source_path"]) == (fab.source_archive, fab.source_path)
    assert fab.source_archive == "sample-archive"  # the sample archive's folder, as a name
    assert meta["author"] == "编辑部"
    assert meta["categories"] == ["科技", "芯片", "制造"]  # one category: a flat path, root first
    assert meta["tags"] == ["制造", "芯片"]
    assert meta["comments"] is False
    assert "published" not in meta
    assert meta["description"] == fab.summary
    # the archive's own picture, now a library file, at this site's address
    assert meta["headimg"] == settings.NEWSROOM["SITE_URL"].rstrip("/") + fab.hero_image.file.url
    assert meta["thumbnail"] == meta["headimg"]
    assert meta["disableNunjucks"] is True  # the body is stored HTML, not a Hexo template
    # the library's <picture>s as <img>s of their original files, everything else as stored
    assert "<picture>" in fab.body and "<picture>" not in body
    assert body == portable_body(fab)
    raw = path.read_bytes()
    assert raw.decode("utf-8").startswith("---\ntitle: 星河科技")  # UTF-8 text, not \u escapes
    assert b"\r" not in raw


def test_draft_is_exported_with_published_false(tmp_path):
    import_archive(SAMPLE_ARCHIVE)
    draft = Article.objects.get(status=Article.Status.DRAFT)
    folder = tmp_path / "export"
    export(folder)
    meta, _ = read_export(folder / "2025" / "06" / f"{draft.slug}.html")
    assert meta["published"] is False
    assert meta["title"] == "行远出行扩大无人驾驶出租车试点，夜间时段首次开放"
    assert meta["date"] == "2025-06-23T18:36:44+08:00"
    others = [read_export(folder / name)[0] for name in exported(folder) if draft.slug not in name]
    assert len(others) == 11
    assert not any("published" in meta for meta in others)


def test_article_without_tags_or_images_omits_those_keys(tmp_path):
    make_article("没有标签也没有图片的文章", summary="摘要")
    folder = tmp_path / "export"
    export(folder)
    (text,) = exported(folder).values()
    meta, _ = split_front_matter(text)
    assert {"tags", "categories", "headimg", "thumbnail", "published"}.isdisjoint(meta)
    assert meta["description"] == "摘要"


def test_local_image_files_are_exported_as_absolute_urls(tmp_path, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "https://news.example.com/"}
    local = Image.objects.create(file=SimpleUploadedFile("hero.gif", GIF, content_type="image/gif"))
    remote = make_image("https://img.example.com/thumb.jpg")
    article = make_article("本地头图的文章", hero_image=local, thumbnail=remote)
    folder = tmp_path / "export"
    export(folder)
    (name,) = exported(folder)
    meta, _ = read_export(folder / name)
    assert local.file.url.startswith("/media/images/")
    assert meta["headimg"] == "https://news.example.com" + local.file.url
    assert meta["thumbnail"] == "https://img.example.com/thumb.jpg"
    assert name.endswith(f"/{article.slug}.html")


# --- round trips ----------------------------------------------------------------------------------


def test_sample_archive_round_trips(tmp_path, settings):
    """Its pictures are library files, which the old site serves to the import of the export."""
    import_archive(SAMPLE_ARCHIVE)
    # Each as it was given: a library image is named by the digest of the original file.
    pictures = [path.read_bytes() for path in (SAMPLE_ARCHIVE / "images").glob("*.png")]
    originals = {hashlib.sha256(data).hexdigest(): data for data in pictures}
    with LocalImageServer() as old_site:
        for image in Image.objects.all():
            old_site.routes[image.file.url] = (200, {"Content-Type": "image/png"}, originals[image.sha256])
        settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": old_site.url("/")}
        before = snapshot()
        folder = tmp_path / "export"
        export(folder)
        empty_the_database()
        shutil.rmtree(settings.MEDIA_ROOT)
        call_command(
            "import_frontmatter", str(folder), download_images=True, allow_private_image_hosts=True,
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    after = snapshot()
    assert len(before) == 12
    assert set(after) == set(before)
    for slug, fields in before.items():
        assert after[slug] == fields, slug


def test_several_categories_round_trip_as_several_paths(tmp_path):
    fab = make_category_path("科技", "芯片", "制造")
    commerce = make_category_path("商业", "电商")
    root = make_category_path("快讯")
    article = make_article(
        "一篇文章归入三个分类", categories=[fab, commerce, root], tags=["芯片", "电商"],
        hero_image=make_image(), thumbnail=make_image(),
    )  # fmt: skip
    folder = tmp_path / "export"
    export(folder)
    (name,) = exported(folder)
    meta, _ = read_export(folder / name)
    assert meta["categories"] == [["商业", "电商"], ["快讯"], ["科技", "芯片", "制造"]]
    before, after = round_trip(tmp_path / "again")
    assert after == before
    assert after[article.slug]["categories"] == {("科技", "芯片", "制造"), ("商业", "电商"), ("快讯",)}


def test_awkward_title_summary_and_body_round_trip(tmp_path):
    title = "---：云帆 \"灵犀\" 2.0: 开发者的'第二大脑' --- 来了 #1 & <AI>"
    body = "<p>第一段。</p>\n---\n<p>第二段: key: value</p>\n<hr>\n---\n<p>最后一段。</p>"
    summary = "第一行\n---\n第三行: 有冒号 # 和井号"
    article = make_article(
        title, body=body, summary=summary, allow_comments=False, author=make_author("王晓雯"),
        categories=[make_category_path("科技", "yes", "2024")], tags=["true", "null", "1.0", "C#"],
    )  # fmt: skip
    assert "\n---\n" in article.body  # the sanitizer keeps the line
    before, after = round_trip(tmp_path)
    assert after == before
    fields = after[article.slug]
    assert fields["title"] == title and fields["summary"] == summary and fields["body"] == article.body
    assert fields["categories"] == {("科技", "yes", "2024")}
    assert fields["tags"] == {"true", "null", "1.0", "C#"}


def test_drafts_scheduled_and_unicode_articles_round_trip(tmp_path):
    author = make_author("李明")
    make_article("已发布的文章", author=author)
    make_article("排期中的文章", published_at=dt.datetime(2030, 1, 1, 0, 0, 0, 123456, tzinfo=UTC))
    make_article("有日期的草稿", published=False, published_at=dt.datetime(2024, 12, 31, 16, 30, tzinfo=UTC))
    make_article("Emoji 标题 🚀 与全角：符号", tags=["🚀"])
    before, after = round_trip(tmp_path)
    assert len(before) == 4
    assert after == before


def test_custom_slug_round_trips(tmp_path):
    article = make_article("一篇改过网址的文章", slug="renamed-by-an-editor")
    before, after = round_trip(tmp_path)
    assert after == before
    assert set(after) == {"renamed-by-an-editor"}, "the importer ignored the exported `slug`"
    assert after["renamed-by-an-editor"]["title"] == article.title


def test_entity_like_title_and_summary_round_trip(tmp_path):
    # The importer decodes HTML entities in titles and summaries (legacy files hold them).
    title = "HTML 里的 &lt; 与 &amp;copy 怎么写 (AT&T &para)"
    plain = "R&D 与 AT&T：A & B"
    make_article(title, summary="摘要里的 &amp; 字样")
    make_article(plain, summary="Q&A")
    folder = tmp_path / "export"
    export(folder)
    titles = {read_export(path)[0]["title"] for path in folder.rglob("*.html")}
    assert plain in titles  # text the importer reads as it is stays readable
    before, after = round_trip(tmp_path / "again")
    assert after == before
    assert {fields["title"] for fields in after.values()} == {title, plain}


def test_local_image_files_round_trip_as_their_urls(tmp_path):
    local = Image.objects.create(file=SimpleUploadedFile("hero.gif", GIF, content_type="image/gif"))
    body = f'<p><img src="{local.file.url}" alt="本地图"></p>'
    article = make_article("本地图片的文章", hero_image=local, thumbnail=local, body=body)
    before, after = round_trip(tmp_path)
    assert after == before
    assert after[article.slug]["hero_image"] == settings.NEWSROOM["SITE_URL"].rstrip("/") + local.file.url


def imported_with_a_body_picture(tmp_path):
    """An article imported from a Hexo post with a local picture: its body holds a <picture>."""
    source = tmp_path / "source"
    (source / "images").mkdir(parents=True)
    buffer = io.BytesIO()
    PILImage.new("RGB", (48, 32), (30, 120, 200)).save(buffer, "PNG")
    (source / "images" / "a.png").write_bytes(buffer.getvalue())
    (source / "_posts").mkdir()
    (source / "_posts" / "a.md").write_text(
        "---\ntitle: 带本地配图的文章\ndate: 2024-05-08 10:30:00\n---\n\n导语。\n\n"
        '![江边的晚霞](/images/a.png "晚霞")\n\n结尾。\n',
        encoding="utf-8",
    )
    call_command(
        "import_frontmatter", str(source / "_posts"), source_root=source, stdout=io.StringIO(), stderr=io.StringIO()
    )
    article = Article.objects.get()
    assert "<picture>" in article.body
    return article, buffer.getvalue()


def test_a_body_picture_is_exported_as_the_img_of_its_original_file(tmp_path, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": "https://news.example.com/"}
    article, _ = imported_with_a_body_picture(tmp_path)
    image = article.body_images.get()
    export(tmp_path / "export")
    _, body = read_export(next((tmp_path / "export").rglob("*.html")))
    assert "<picture>" not in body and "/renditions/" not in body
    assert f'<img src="https://news.example.com{image.file.url}" alt="江边的晚霞" title="晚霞">' in body
    assert body.startswith("<p>导语。</p>") and body.rstrip().endswith("<p>结尾。</p>")


def test_a_body_picture_round_trips_through_a_download_from_the_old_site(tmp_path, settings):
    """Into an empty database and library, the old site serving its files: the same body."""
    article, data = imported_with_a_body_picture(tmp_path)
    image = article.body_images.get()
    with LocalImageServer() as old_site:
        old_site.routes[image.file.url] = (200, {"Content-Type": "image/png"}, data)
        settings.NEWSROOM = {**settings.NEWSROOM, "SITE_URL": old_site.url("/")}
        before = snapshot()
        folder = tmp_path / "export"
        export(folder)
        empty_the_database()
        shutil.rmtree(settings.MEDIA_ROOT)
        err = io.StringIO()
        call_command(
            "import_frontmatter", str(folder), download_images=True, allow_private_image_hosts=True,
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
        assert err.getvalue() == ""
        assert old_site.count(image.file.url) == 1
    assert snapshot() == before
    assert "<picture>" in Article.objects.get().body
    assert Article.objects.get().body_images.get().sha256 == image.sha256


# --- known importer gaps: each test turns red (XPASS) once the importer closes the gap ----------


def test_undated_draft_round_trips(tmp_path):
    article = make_article("还没定发布时间的草稿", published=False)
    assert article.published_at is None
    before, after = round_trip(tmp_path)
    assert after[article.slug]["published_at"] is None, "the imported draft got a publication time"
    assert after == before


def test_hero_image_without_thumbnail_round_trips(tmp_path):
    article = make_article("只有头图的文章", hero_image=make_image())
    before, after = round_trip(tmp_path)
    assert after[article.slug]["thumbnail"] == "", "the import made the hero image the thumbnail"
    assert after == before


def test_body_with_template_syntax_round_trips(tmp_path):
    article = make_article("模板语法入门", body="<p>在模板里写 {% raw %}{{ name }}{% endraw %} 即可。</p>")
    before, after = round_trip(tmp_path)
    assert after[article.slug]["body"] == article.body, "the import ran the body's {% %} tags"
    assert after == before


def test_slug_longer_than_100_characters_round_trips(tmp_path):
    article = make_article("很长的网址", slug="a" * 95 + "-bcdef-2")
    before, after = round_trip(tmp_path)
    assert set(after) == {article.slug}, "the import shortened the slug"
    assert after == before


# --- cost, refusals and filters -------------------------------------------------------------------


def make_newsroom(n):
    authors = [make_author() for _ in range(3)]
    leaves = [
        make_category_path("科技", "芯片"),
        make_category_path("商业", "电商", "直播"),
        make_category_path("快讯"),
    ]
    for i in range(n):
        make_article(
            author=authors[i % 3], categories=leaves[: 1 + i % 3], tags=[f"标签{i % 5}", "AI"],
            hero_image=make_image(), thumbnail=make_image(), published=bool(i % 4),
        )  # fmt: skip


def test_export_costs_a_bounded_number_of_queries(tmp_path, django_assert_max_num_queries):
    make_newsroom(3)
    with CaptureQueriesContext(connection) as few:
        export(tmp_path / "few")
    make_newsroom(27)
    with django_assert_max_num_queries(10):
        out = export(tmp_path / "many")
    assert out.strip().startswith("30 files written")
    with CaptureQueriesContext(connection) as many:
        export(tmp_path / "again")
    assert len(many) == len(few)  # the same queries for 30 articles as for 3


def test_refuses_a_non_empty_folder_without_force(tmp_path):
    make_article("第一篇")
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "notes.txt").write_text("编辑部的笔记", encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(str(folder))):
        export(folder)
    assert exported(folder) == {"notes.txt": "编辑部的笔记"}
    out = export(folder, force=True)
    assert out.strip() == f"1 files written to {folder}"
    assert len(exported(folder)) == 2


def test_force_replaces_files_of_the_same_name_and_leaves_no_temporary_files(tmp_path):
    article = make_article("会被改标题的文章")
    folder = tmp_path / "export"
    export(folder)
    Article.objects.filter(pk=article.pk).update(title="改过的标题")
    export(folder, force=True)
    files = exported(folder)
    assert len(files) == 1  # no leftover temporary files either
    (text,) = files.values()
    assert split_front_matter(text)[0]["title"] == "改过的标题"


def test_an_empty_existing_folder_is_fine(tmp_path):
    make_article()
    export(tmp_path)
    assert len(exported(tmp_path)) == 1


def test_a_file_in_place_of_the_folder_is_a_command_error(tmp_path):
    target = tmp_path / "export"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(str(target))):
        export(target, force=True)


def test_status_filter(tmp_path):
    import_archive(SAMPLE_ARCHIVE)
    published = tmp_path / "published"
    assert export(published, status="published").strip() == f"11 files written to {published}"
    assert not any("published" in read_export(published / name)[0] for name in exported(published))
    drafts = tmp_path / "drafts"
    assert export(drafts, status="draft").strip() == f"1 files written to {drafts}"
    ((name, text),) = exported(drafts).items()
    assert split_front_matter(text)[0]["published"] is False
    with pytest.raises(CommandError, match="scrapped"):
        call_command("export_frontmatter", str(tmp_path / "other"), "--status", "scrapped")
