"""Which generator an archive was written for, from its files (articles.importing.generators)."""

import pytest

from articles.importing.generators import HEXO, HUGO, JEKYLL, SiteGuess, guess_generator, guess_site, site_setting
from articles.tests.factories import write_file as write

POST = "---\ntitle: 文\n---\n正文\n"


@pytest.mark.parametrize("config", ["hugo.toml", "config.toml", "hugo.yaml"])
def test_hugo_config_at_the_root(tmp_path, config):
    write(tmp_path, config, "title = 'x'\n")
    path = write(tmp_path / "content" / "post", "a.md", POST)
    site = guess_site(path, tmp_path / "content" / "post")  # two levels below the config
    assert (site.generator, site.site_root, site.config_file) == (HUGO, tmp_path, tmp_path / config)


@pytest.mark.parametrize("config", ["config.toml", "config.yaml"])
def test_config_of_a_common_name_is_hugo_only_beside_a_content_folder(tmp_path, config):
    write(tmp_path, config, "title = 'x'\n")
    assert guess_generator(write(tmp_path / "posts", "a.md", POST), tmp_path) == ""
    assert guess_generator(write(tmp_path / "content", "a.md", POST), tmp_path) == HUGO


def test_toml_front_matter_is_hugo_anywhere(tmp_path):
    path = write(tmp_path, "a.md", POST)
    assert guess_generator(path, tmp_path) == ""
    assert guess_generator(path, tmp_path, front_matter_format="toml") == HUGO


def test_jekyll_config_beside_posts(tmp_path):
    write(tmp_path, "_config.yml", "excerpt_separator: <!--more-->\n")
    path = write(tmp_path / "_posts" / "2024", "2024-05-08-a.md", POST)
    site = guess_site(path, tmp_path / "_posts")
    assert site.generator == JEKYLL
    assert site_setting(site, "excerpt_separator") == "<!--more-->"


def test_hexo_source_posts_without_its_config(tmp_path):
    path = write(tmp_path / "source" / "_posts", "a.md", POST)
    assert guess_site(path, tmp_path / "source" / "_posts") == SiteGuess(HEXO, tmp_path, None)


def test_hexo_config_beside_source(tmp_path):
    write(tmp_path, "_config.yml", "title: x\n")
    path = write(tmp_path / "source" / "_posts", "a.md", POST)
    assert guess_site(path, tmp_path / "source" / "_posts") == SiteGuess(HEXO, tmp_path, tmp_path / "_config.yml")


def test_nothing_above_the_limit_is_read(tmp_path):
    write(tmp_path, "hugo.toml", "title = 'x'\n")
    path = write(tmp_path / "a" / "b" / "c" / "d", "p.md", POST)
    assert guess_generator(path, tmp_path / "a" / "b" / "c" / "d") == ""  # the config is three levels up
    assert guess_generator(path, tmp_path / "a" / "b") == HUGO


def test_a_file_that_does_not_exist_is_unknown(tmp_path):
    assert guess_generator(tmp_path / "missing.md") == ""
