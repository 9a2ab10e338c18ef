"""An imported article's identity: its archive and its path there (or its front-matter id).

No archive's import ever touches another archive's articles or redirects; importing the same
archive from another of its folders finds the same articles; collisions are reported, and
articles imported before archives were recorded are adopted only by the rule in docs/importing.md.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from articles.importing.frontmatter import LegacyFileError, NoFrontMatter, read_legacy_file
from articles.models import Article, LegacyURL
from articles.tests.factories import write_file as write

pytestmark = pytest.mark.django_db

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "legacy" / "corpus"
DATE = "date: 2024-05-08 10:30:00"
OUTCOMES = ("created", "updated", "unchanged", "conflict", "skipped", "failed")


def run(*paths, **options):
    """Run the command; return (stdout, stderr). CommandError propagates."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_frontmatter", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def summary(total, **counts):
    return f"{total} files: " + ", ".join(f"{counts.get(o, 0)} {o}" for o in OUTCOMES)


def post(*front_matter, body="这是为测试编写的正文。"):
    return "\n".join(["---", *front_matter, "---", "", body]) + "\n"


def hexo_blog(folder, *posts):
    """A Hexo blog at `folder` (its _config.yml, then each (name, text) under source/_posts)."""
    write(folder, "_config.yml", "title: 博客\n")
    for name, text in posts:
        write(folder / "source" / "_posts", name, text)
    return folder


def rows():
    """Every article's identity and what the import wrote, by identity."""
    return {
        (a.source_archive, a.source_path): (a.pk, a.title, a.source_hash, a.imported_at, a.updated_at)
        for a in Article.objects.all()
    }


def redirects():
    return dict(LegacyURL.objects.values_list("path", "article_id"))


# --- two archives side by side ---------------------------------------------------------------------


def test_two_archives_with_the_same_paths_are_two_articles(tmp_path):
    first = hexo_blog(tmp_path / "first-blog", ("hello-world.md", post("title: 第一个博客的问候", DATE)))
    second = hexo_blog(tmp_path / "second-blog", ("hello-world.md", post("title: 第二个博客的问候", DATE)))

    run(first / "source" / "_posts")
    before = rows()
    out, err = run(second / "source" / "_posts")

    assert summary(1, created=1) in out
    after = rows()
    assert set(after) == {
        ("first-blog", "source/_posts/hello-world.md"),
        ("second-blog", "source/_posts/hello-world.md"),
    }
    assert (
        after[("first-blog", "source/_posts/hello-world.md")] == before[("first-blog", "source/_posts/hello-world.md")]
    )
    assert after[("second-blog", "source/_posts/hello-world.md")][1] == "第二个博客的问候"


def test_an_old_address_stays_with_the_archive_that_had_it_first(tmp_path):
    # Both posts had /2024/05/08/hello-world/ on their own sites: it can lead to only one.
    first = hexo_blog(tmp_path / "first-blog", ("hello-world.md", post("title: 第一个博客的问候", DATE)))
    second = hexo_blog(tmp_path / "second-blog", ("hello-world.md", post("title: 第二个博客的问候", DATE)))
    run(first)
    mine = Article.objects.get(source_archive="first-blog")
    assert redirects() == {"/2024/05/08/hello-world/": mine.pk}

    _, err = run(second)
    write(second / "source/_posts", "hello-world.md", post("title: 第二个博客的问候（改）", DATE, "permalink: /hi/"))
    _, err_again = run(second)

    theirs = Article.objects.get(source_archive="second-blog")
    assert redirects() == {"/2024/05/08/hello-world/": mine.pk, "/hi/": theirs.pk}
    assert f"legacy URL /2024/05/08/hello-world/ already leads to article {mine.pk}; not changed" in err
    assert Article.objects.get(pk=mine.pk).title == "第一个博客的问候"


def test_changing_a_file_of_one_archive_updates_only_its_own_article(tmp_path):
    first = hexo_blog(tmp_path / "first-blog", ("a.md", post("title: 甲", DATE)))
    second = hexo_blog(tmp_path / "second-blog", ("a.md", post("title: 乙", DATE)))
    run(first)
    run(second)
    before = rows()
    write(second / "source/_posts", "a.md", post("title: 乙（更新）", DATE))

    out, _ = run(second)

    assert summary(1, updated=1) in out
    after = rows()
    assert after[("first-blog", "source/_posts/a.md")] == before[("first-blog", "source/_posts/a.md")]
    assert after[("second-blog", "source/_posts/a.md")][1] == "乙（更新）"


def test_a_moved_file_keeps_its_article_by_id_only_within_its_archive(tmp_path):
    first = hexo_blog(tmp_path / "first-blog", ("old-name.md", post("title: 甲", DATE, "abbrlink: c0ffee")))
    run(first)
    (first / "source/_posts/old-name.md").unlink()  # gone from the first blog
    second = hexo_blog(tmp_path / "second-blog", ("other.md", post("title: 乙", DATE, "abbrlink: c0ffee")))

    out, err = run(second)

    assert summary(1, created=1) in out
    assert Article.objects.get(source_archive="first-blog").title == "甲"
    assert (
        "id 'c0ffee' is also the id of first-blog:source/_posts/old-name.md; imported as a separate article "
        "of this archive"
    ) in err


# --- the same archive from another folder -----------------------------------------------------------


def test_reimport_from_a_parent_or_child_folder_finds_the_same_articles(tmp_path):
    blog = hexo_blog(
        tmp_path / "blog",
        ("hello-world.md", post("title: 你好", DATE)),
        ("2024/night.md", post("title: 夜间配送", DATE)),
    )
    run(blog / "source" / "_posts")
    before = rows()

    for folder in (blog / "source", blog, blog / "source" / "_posts" / "2024"):
        out, _ = run(folder)
        assert "0 created" in out and "0 updated" in out

    assert rows() == before
    assert set(before) == {("blog", "source/_posts/hello-world.md"), ("blog", "source/_posts/2024/night.md")}


def test_a_changed_file_imported_from_the_root_updates_the_article_imported_from_posts(tmp_path):
    blog = hexo_blog(tmp_path / "blog", ("a.md", post("title: 初稿", DATE)))
    run(blog / "source" / "_posts")
    pk = Article.objects.get().pk
    write(blog / "source/_posts", "a.md", post("title: 改稿", DATE))

    out, _ = run(blog)

    assert summary(1, updated=1) in out
    assert list(Article.objects.values_list("pk", "title")) == [(pk, "改稿")]


def test_a_folder_given_twice_imports_each_file_once(tmp_path):
    blog = hexo_blog(tmp_path / "blog", ("a.md", post("title: 甲", DATE)))
    out, _ = run(blog / "source", blog / "source" / "_posts")
    assert summary(1, created=1) in out


# --- naming -----------------------------------------------------------------------------------------


def test_source_option_names_the_archive(tmp_path):
    blog = hexo_blog(tmp_path / "blog", ("a.md", post("title: 甲", DATE)))
    out, _ = run(blog / "source" / "_posts", source="旧站")
    assert Article.objects.get().source_archive == "旧站"
    assert out.startswith(f"归档：旧站（根目录 {blog}）\n")


def test_derived_name_is_printed_at_the_start(tmp_path):
    blog = hexo_blog(tmp_path / "Old_Blog.github.io", ("a.md", post("title: 甲", DATE)))
    out, _ = run(blog / "source" / "_posts")
    assert out.startswith(f"归档：old-blog-github-io（根目录 {blog}）\n")
    assert Article.objects.get().source_archive == "old-blog-github-io"


def test_the_same_blog_under_another_name_is_another_archive(tmp_path):
    blog = hexo_blog(tmp_path / "blog", ("a.md", post("title: 甲", DATE)))
    run(blog)
    out, _ = run(blog, source="renamed")
    assert summary(1, created=1) in out
    assert sorted(Article.objects.values_list("source_archive", flat=True)) == ["blog", "renamed"]


def test_two_archives_that_derive_one_name_are_refused_before_anything_is_written(tmp_path):
    one = hexo_blog(tmp_path / "one" / "blog", ("a.md", post("title: 甲", DATE)))
    two = hexo_blog(tmp_path / "two" / "blog", ("a.md", post("title: 乙", DATE)))
    with pytest.raises(CommandError, match="would all be called 'blog'") as error:
        run(one, two)
    assert error.value.returncode == 2
    assert not Article.objects.exists()


def test_an_empty_source_name_is_refused(tmp_path):
    blog = hexo_blog(tmp_path / "blog", ("a.md", post("title: 甲", DATE)))
    with pytest.raises(CommandError, match="--source"):
        run(blog, source=" ")


# --- collisions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [0, 2], ids=["one process", "worker processes"])
def test_two_files_of_one_identity_in_a_run_are_reported_and_never_merged(tmp_path, jobs):
    # Named as one archive, two roots give the same path twice.
    one = hexo_blog(tmp_path / "one", ("a.md", post("title: 甲", DATE)))
    two = hexo_blog(tmp_path / "two", ("a.md", post("title: 乙", DATE)))

    out, err = run(one, two, source="both", jobs=jobs)

    assert summary(2, created=1, conflict=1) in out
    assert list(Article.objects.values_list("title", flat=True)) == ["甲"]
    second, first = two / "source/_posts/a.md", one / "source/_posts/a.md"
    assert (f"{second}: conflict: same identity (both:source/_posts/a.md) as {first} in this run; not imported") in err
    assert f"{first}: warning: {second} has the same identity (both:source/_posts/a.md) in this run" in err


def test_two_files_sharing_an_id_in_one_run_are_two_articles_and_reported(tmp_path):
    blog = hexo_blog(
        tmp_path / "blog",
        ("en.md", post("title: Hello", DATE, "abbrlink: x1")),
        ("zh.md", post("title: 你好", DATE, "abbrlink: x1")),
    )
    out, err = run(blog)
    assert summary(2, created=2) in out
    assert Article.objects.count() == 2
    zh = blog / "source/_posts/zh.md"
    assert f"{zh}: warning: id 'x1' is also the id of {blog / 'source/_posts/en.md'} in this run" in err


# --- articles imported before archives were recorded -------------------------------------------------


def imported_before_archives(folder):
    """Import `folder` the way the importer did before archives: paths below the folder given."""
    run(folder)
    for article in Article.objects.all():
        old_path = Path(article.source_path).relative_to(Path(folder).relative_to(_root_of(folder)))
        Article.objects.filter(pk=article.pk).update(source_archive="", source_path=old_path.as_posix())


def _root_of(folder):
    return next(p for p in (folder, *folder.parents) if (p / "_config.yml").exists())


def test_an_article_imported_below_the_import_path_is_adopted(tmp_path):
    blog = hexo_blog(tmp_path / "blog", ("a.md", post("title: 甲", DATE)))
    imported_before_archives(blog / "source" / "_posts")
    pk = Article.objects.get().pk
    assert Article.objects.get().source_path == "a.md"

    out, err = run(blog)  # from the root this time

    assert summary(1, updated=1) in out
    article = Article.objects.get()
    assert (article.pk, article.source_archive, article.source_path) == (pk, "blog", "source/_posts/a.md")
    assert f"adopted article {pk}, imported from a.md before archives were recorded" in err
    out, _ = run(blog / "source")
    assert summary(1, unchanged=1) in out


def test_an_article_imported_below_the_root_is_adopted_even_when_its_file_changed(tmp_path):
    blog = hexo_blog(tmp_path / "blog", ("a.md", post("title: 甲", DATE)))
    imported_before_archives(blog)
    pk = Article.objects.get().pk
    write(blog / "source/_posts", "a.md", post("title: 甲", DATE, body="改过的正文。"))

    out, _ = run(blog / "source" / "_posts")

    assert summary(1, updated=1) in out
    article = Article.objects.get()
    assert (article.pk, article.source_archive, article.source_path) == (pk, "blog", "source/_posts/a.md")
    assert "改过的正文" in article.body


def test_another_blogs_file_at_the_same_path_does_not_adopt_the_article(tmp_path):
    mine = hexo_blog(tmp_path / "mine", ("hello-world.md", post("title: 我的问候", DATE)))
    imported_before_archives(mine / "source" / "_posts")
    old = Article.objects.get()
    theirs = hexo_blog(tmp_path / "theirs", ("hello-world.md", post("title: 别人的问候", DATE)))

    out, err = run(theirs / "source" / "_posts")

    assert summary(1, created=1) in out
    assert Article.objects.get(pk=old.pk).source_archive == ""  # still waiting for its own archive
    assert "hello-world.md (imported before archives were recorded)" in err
    assert "has this file's path but neither its bytes, its id nor its title; not adopted" in err
    out, _ = run(mine / "source" / "_posts")
    assert summary(1, updated=1) in out  # its own archive adopts it
    assert Article.objects.get(pk=old.pk).source_archive == "mine"


def test_an_article_matching_both_old_paths_ambiguously_is_not_adopted(tmp_path):
    blog = hexo_blog(tmp_path / "blog", ("a.md", post("title: 甲", DATE)))
    imported_before_archives(blog)  # source/_posts/a.md
    twin = Article.objects.get()
    twin.pk, twin.slug, twin.source_path = None, "jia-2", "a.md"  # as if imported from source/_posts too
    twin.save()

    out, err = run(blog / "source" / "_posts")

    assert summary(1, created=1) in out
    assert "all match this file; none adopted: imported as a new article" in err
    assert Article.objects.filter(source_archive="").count() == 2


def test_an_article_two_files_of_the_run_match_is_not_adopted(tmp_path):
    # The same relative path in two roots named as one archive: which file was it?
    one = hexo_blog(tmp_path / "one", ("a.md", post("title: 甲", DATE)))
    two = write(tmp_path / "two", "a.md", post("title: 甲", DATE))
    imported_before_archives(one / "source" / "_posts")

    out, err = run(one / "source" / "_posts", two.parent, source="both")

    assert summary(2, created=2) in out
    assert f"a.md (imported before archives were recorded) also matches {two} of this run; not adopted" in err
    assert Article.objects.filter(source_archive="").count() == 1


# --- two real archives ------------------------------------------------------------------------------------


def files_with_front_matter(folder):
    count = 0
    for path in folder.rglob("*"):
        if path.suffix.lower() in (".md", ".markdown", ".html", ".htm", ".txt") and path.is_file():
            try:
                read_legacy_file(path, folder)
            except NoFrontMatter:
                continue
            except LegacyFileError as error:  # a file that cannot be read would not be counted
                raise AssertionError(f"{path}: {error}") from None
            count += 1
    return count


@pytest.mark.django_db(transaction=True)
def test_two_real_hexo_archives_both_holding_hello_world_import_side_by_side():
    # Both blogs have source/_posts/hello-world.md, titled "Hello World".
    first, second = CORPUS / "DIYgod_diygod.me", CORPUS / "hexojs_hexo-theme-unit-test"
    run(first)
    before, before_redirects = rows(), redirects()

    out, _ = run(second / "source" / "_posts")

    assert re.search(r"^归档：hexojs-hexo-theme-unit-test（根目录 .*hexojs_hexo-theme-unit-test）$", out, re.M)
    assert Article.objects.count() == files_with_front_matter(first) + files_with_front_matter(second)
    after = rows()
    assert {identity: after[identity] for identity in before} == before  # nothing of the first updated
    assert {path: pk for path, pk in redirects().items() if path in before_redirects} == before_redirects
    hellos = Article.objects.filter(source_path="source/_posts/hello-world.md")
    assert sorted(hellos.values_list("source_archive", "title")) == [
        ("diygod-diygod-me", "Hello World"),
        ("hexojs-hexo-theme-unit-test", "Hello World"),
    ]
