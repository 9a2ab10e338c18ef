"""Recognising an archive by its root, naming it, and how a file is known inside it. No database."""

import pytest

from articles.importing.archive import (
    Archive,
    ArchiveError,
    archives_for,
    derive_name,
    find_root,
    identity_path,
    pre_archive_paths,
)
from articles.tests.factories import write_file as write


def hexo_blog(folder):
    write(folder, "_config.yml", "title: 博客\npermalink: :year/:month/:day/:title/\n")
    write(folder, "source/_posts/hello-world.md", "---\ntitle: 你好\n---\n")
    return folder


@pytest.mark.parametrize("imported", ["", "source", "source/_posts"])
def test_root_of_a_hexo_blog_is_the_folder_of_its_config_from_any_folder_below(tmp_path, imported):
    blog = hexo_blog(tmp_path / "blog")
    assert find_root(blog / imported) == (blog, "_config.yml")


def test_root_is_found_from_a_file_given_alone(tmp_path):
    blog = hexo_blog(tmp_path / "blog")
    assert find_root(blog / "source/_posts/hello-world.md") == (blog, "_config.yml")


@pytest.mark.parametrize("config", ["hugo.toml", "hugo.yaml"])
def test_hugo_root_is_the_folder_of_its_own_config(tmp_path, config):
    write(tmp_path / "site", config, "title = 'x'\n")
    write(tmp_path / "site", "content/post/a.md", "+++\ntitle = 'a'\n+++\n")
    assert find_root(tmp_path / "site/content/post") == (tmp_path / "site", config)


@pytest.mark.parametrize("config", ["config.toml", "config.yaml", "config.yml"])
def test_hugo_generic_config_counts_beside_a_content_folder(tmp_path, config):
    site = tmp_path / "site"
    write(site, config, "baseURL = 'https://example.com/'\n")
    write(site, "content/post/a.md", "+++\ntitle = 'a'\n+++\n")
    assert find_root(site / "content") == (site, config)


def test_a_generic_config_without_a_content_folder_is_not_a_site(tmp_path):
    # an unrelated tool's config.yml above a folder of posts must not claim the folder
    write(tmp_path, "config.yml", "editor: vim\n")
    posts = tmp_path / "notes" / "posts"
    write(posts, "a.md", "---\ntitle: a\n---\n")
    assert find_root(posts) == (posts, "")


def test_the_nearest_root_going_up_wins(tmp_path):
    outer = hexo_blog(tmp_path / "outer")
    inner = hexo_blog(outer / "source" / "mirror")
    assert find_root(inner / "source/_posts") == (inner, "_config.yml")


@pytest.mark.parametrize("imported", ["", "source", "source/_posts", "source/_posts/2024"])
def test_a_hexo_blog_copied_without_its_config_is_known_by_its_source_posts(tmp_path, imported):
    blog = tmp_path / "blog"
    write(blog, "source/_posts/2024/a.md", "---\ntitle: a\n---\n")
    assert find_root(blog / imported)[0] == blog


@pytest.mark.parametrize("imported", ["", "_posts"])
def test_a_jekyll_site_without_its_config_is_known_by_its_posts_folder(tmp_path, imported):
    site = tmp_path / "site"
    write(site, "_posts/2024-01-01-a.md", "---\ntitle: a\n---\n")
    assert find_root(site / imported) == (site, "_posts")


def test_without_any_sign_of_a_site_the_import_path_is_the_root(tmp_path):
    folder = tmp_path / "exported" / "articles"
    write(folder, "a.md", "---\ntitle: a\n---\n")
    assert find_root(folder) == (folder, "")
    assert find_root(folder / "a.md") == (folder, "")


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("vgist_vgist.github.io", "vgist-vgist-github-io"),
        ("BoobooWei_site", "booboowei-site"),
        ("bmpi-dev_bmpi.dev", "bmpi-dev-bmpi-dev"),
        ("我的博客", "wo-de-bo-ke"),
        ("My Blog 2024", "my-blog-2024"),
        ("!!!", "archive"),
    ],
)
def test_derived_name_is_the_root_folders_name_as_a_slug(tmp_path, folder, name):
    assert derive_name(tmp_path / folder) == name


def test_derived_name_of_the_filesystem_root_is_archive(tmp_path):
    assert derive_name(tmp_path.anchor) == "archive"


def test_paths_of_one_root_are_one_archive(tmp_path):
    blog = hexo_blog(tmp_path / "blog")
    archives = archives_for([blog / "source/_posts", blog / "source"])
    assert set(archives.values()) == {Archive("blog", blog, "_config.yml")}


def test_given_name_names_every_path(tmp_path):
    first, second = hexo_blog(tmp_path / "a"), hexo_blog(tmp_path / "b")
    archives = archives_for([first, second], "old-site")
    assert {archive.name for archive in archives.values()} == {"old-site"}


def test_two_roots_that_derive_one_name_are_refused(tmp_path):
    first, second = hexo_blog(tmp_path / "one" / "blog"), hexo_blog(tmp_path / "two" / "blog")
    with pytest.raises(ArchiveError, match=r"would all be called 'blog'.*--source"):
        archives_for([first, second])


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_an_empty_or_overlong_given_name_is_refused(tmp_path, name):
    with pytest.raises(ArchiveError, match="--source"):
        archives_for([tmp_path], name)


def test_identity_path_is_below_the_root_with_forward_slashes(tmp_path):
    blog = hexo_blog(tmp_path / "blog")
    assert identity_path(blog / "source/_posts/hello-world.md", blog) == "source/_posts/hello-world.md"


def test_identity_path_is_the_same_for_relative_and_absolute_paths(tmp_path, monkeypatch):
    blog = hexo_blog(tmp_path / "blog")
    monkeypatch.chdir(tmp_path)
    assert identity_path("blog/source/_posts/hello-world.md", blog) == "source/_posts/hello-world.md"


def test_pre_archive_paths_are_below_the_root_and_each_folder_down_to_the_file(tmp_path):
    blog = hexo_blog(tmp_path / "blog")
    post = write(blog / "source/_posts/2024", "a.md", "---\ntitle: a\n---\n")
    assert pre_archive_paths(post, blog) == ("source/_posts/2024/a.md", "_posts/2024/a.md", "2024/a.md", "a.md")
