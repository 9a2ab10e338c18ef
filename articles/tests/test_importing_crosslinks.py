"""Links between imported articles: placeholders while a run lasts, real links (or text) after it."""

import io

import pytest
from django.core.management import call_command

from articles.importing.crosslinks import (
    LinkIndex,
    Target,
    placeholder_link,
    placeholder_url,
    resolve_cross_links,
)
from articles.models import Article
from articles.sanitize import clean_html
from articles.tests.factories import write_file as write

TARGETS = {
    "source/_posts/hello-world.md": Target("/2024/05/08/hello-world/", "你好，世界"),
    "source/_posts/notes/deep-dive.md": Target("/2024/05/09/deep-dive/", "深入"),
    "_posts/2010-07-21-name-of-post.md": Target("/2010/07/21/name-of-post/", "Jekyll 文章"),
    "content/post/bundle/index.zh-cn.md": Target("/2021/01/01/bundle/", "页面包"),
    "content/post/bundle/index.en.md": Target("/2021/01/01/bundle-en/", "Bundle"),
    "content/post/其他.md": Target("/2021/01/02/other/", "其他"),
}


def resolved(kind, ref, *, text="链接", source_path="", title_from_target=False):
    body = clean_html(placeholder_link(kind, ref, text, title_from_target=title_from_target), internal_hosts=())
    return resolve_cross_links(body, LinkIndex(TARGETS), source_path=source_path)


class TestPlaceholders:
    def test_placeholder_survives_the_sanitizer(self):
        cleaned = clean_html(placeholder_link("hexo", "hello-world", "看这里"), internal_hosts=())
        assert cleaned == '<a href="#newsroom-link:hexo:hello-world">看这里</a>'

    def test_reference_is_percent_encoded(self):
        assert placeholder_url("hugo", "post/其他.md#第一节") == (
            "#newsroom-link:hugo:post/%E5%85%B6%E4%BB%96.md#%E7%AC%AC%E4%B8%80%E8%8A%82"
        )


class TestResolution:
    @pytest.mark.parametrize(
        "kind, ref, url",
        [
            ("hexo", "hello-world", "/2024/05/08/hello-world/"),
            ("hexo", "notes/deep-dive", "/2024/05/09/deep-dive/"),
            ("hexo", "你好，世界", "/2024/05/08/hello-world/"),  # Hexo falls back to the title
            ("jekyll", "2010-07-21-name-of-post", "/2010/07/21/name-of-post/"),
            ("path", "_posts/2010-07-21-name-of-post.md", "/2010/07/21/name-of-post/"),
            ("hugo", "/post/其他.md", "/2021/01/02/other/"),
            ("hugo", "其他", "/2021/01/02/other/"),
        ],
    )
    def test_reference_leads_to_the_article(self, kind, ref, url):
        body, unresolved = resolved(kind, ref)
        assert body == f'<a href="{url}">链接</a>'
        assert unresolved == []

    def test_title_from_the_target_when_asked(self):
        body, _ = resolved("hexo", "hello-world", text="hello-world", title_from_target=True)
        assert body == '<a href="/2024/05/08/hello-world/">你好，世界</a>'

    def test_anchor_is_kept(self):
        body, _ = resolved("hugo", "其他#小节")
        assert body == '<a href="/2021/01/02/other/#%E5%B0%8F%E8%8A%82">链接</a>'

    def test_hugo_bundle_prefers_the_linking_articles_language(self):
        body, _ = resolved("hugo", "post/bundle", source_path="content/post/x.en.md")
        assert 'href="/2021/01/01/bundle-en/"' in body
        body, _ = resolved("hugo", "post/bundle/index.md", source_path="content/post/y.zh-cn.md")
        assert 'href="/2021/01/01/bundle/"' in body

    def test_hugo_relative_reference_reads_from_the_pages_folder(self):
        index = LinkIndex({
            "content/a/same.md": Target("/a/", "A"),
            "content/b/same.md": Target("/b/", "B"),
        })  # fmt: skip
        body = clean_html(placeholder_link("hugo", "same.md", "x"), internal_hosts=())
        linked, unresolved = resolve_cross_links(body, index, source_path="content/b/page.md")
        assert linked == '<a href="/b/">x</a>' and unresolved == []

    def test_missing_article_leaves_its_text_and_says_why(self):
        body, unresolved = resolved("hexo", "never-written", text="<em>没写</em>")
        assert body == "<em>没写</em>"
        assert [str(u) for u in unresolved] == [
            "link to 'never-written' (hexo) names no imported article of this archive; kept as text"
        ]

    def test_ambiguous_reference_is_not_guessed(self):
        index = LinkIndex({"x/a/p.md": Target("/1/", "1"), "y/b/p.md": Target("/2/", "2")})
        body = clean_html(placeholder_link("hexo", "p", "p"), internal_hosts=())
        linked, unresolved = resolve_cross_links(body, index, source_path="z/q.md")
        assert linked == "p" and "ambiguous" in unresolved[0].reason

    def test_other_links_are_untouched(self):
        body = '<p><a href="https://example.com/">外</a> <a href="#top">顶</a></p>'
        assert resolve_cross_links(body, LinkIndex(TARGETS)) == (body, [])


# --- through the importer ------------------------------------------------------------------------


def post(title, body, date="2024-05-08 10:30:00"):
    return f"---\ntitle: {title}\ndate: {date}\n---\n\n{body}\n"


def run(*paths):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_frontmatter", *map(str, paths), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_link_to_a_post_saved_later_in_the_run_is_real(tmp_path):
    posts = tmp_path / "source" / "_posts"
    # "a-first" is saved before "b-second", which it links to.
    write(posts, "a-first.md", post("第一篇", "见 {% post_link b-second %}，或 [那篇]({% post_path b-second %})。"))
    write(posts, "b-second.md", post("第二篇", "正文。", date="2024-05-09 10:30:00"))
    _, err = run(posts)
    second = Article.objects.get(source_path="source/_posts/b-second.md")
    body = Article.objects.get(source_path="source/_posts/a-first.md").body
    assert f'<a href="{second.get_absolute_url()}">第二篇</a>' in body
    assert f'<a href="{second.get_absolute_url()}">那篇</a>' in body
    assert "newsroom-link" not in body and "warning" not in err


@pytest.mark.django_db
def test_link_to_a_missing_post_is_text_and_reported_with_its_file(tmp_path):
    posts = tmp_path / "_posts"
    write(tmp_path, "_config.yml", "title: 测试站\n")
    write(posts, "2024-05-08-only.md", post("唯一", "参见[旧文]({% post_url 2009-01-01-gone %})。"))
    _, err = run(tmp_path)
    body = Article.objects.get().body
    assert "旧文" in body and "<a" not in body and "newsroom-link" not in body
    assert (
        "_posts/2024-05-08-only.md: warning: link to '2009-01-01-gone' (jekyll) names no imported article "
        "of this archive; kept as text"
    ) in err


@pytest.mark.django_db
def test_reimport_keeps_links_resolved(tmp_path):
    posts = tmp_path / "content" / "post"
    write(tmp_path, "config.toml", 'title = "测试"\n')
    write(posts, "a.md", '+++\ntitle = "甲"\ndate = 2024-05-08\n+++\n\n去 [乙]({{< ref "b.md" >}})。\n')
    write(posts, "b.md", '+++\ntitle = "乙"\ndate = 2024-05-09\n+++\n\n乙的正文。\n')
    run(tmp_path / "content")
    target = Article.objects.get(title="乙").get_absolute_url()
    assert f'<a href="{target}">乙</a>' in Article.objects.get(title="甲").body
    write(posts, "b.md", '+++\ntitle = "乙"\ndate = 2024-05-09\n+++\n\n乙改过了。\n')
    run(tmp_path / "content")
    assert f'<a href="{target}">乙</a>' in Article.objects.get(title="甲").body
    assert not Article.objects.filter(body__contains="newsroom-link").exists()


def test_address_outside_a_link_is_made_real_too():
    body = "<p>地址：#newsroom-link:hexo:hello-world 与 #newsroom-link:hexo:gone</p>"
    linked, unresolved = resolve_cross_links(body, LinkIndex(TARGETS))
    assert linked == "<p>地址：/2024/05/08/hello-world/ 与 gone</p>"
    assert [u.ref for u in unresolved] == ["gone"]
