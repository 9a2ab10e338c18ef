"""Hexo's post links, embeds and the common theme tags (NexT, Butterfly, Fluid) become content."""

import pytest

from articles.importing import syntax
from articles.importing.body import render_body
from articles.sanitize import clean_html


def md(text):
    return render_body(text, body_format="markdown", generator="hexo")


def cleaned(text):
    return clean_html(md(text).html, internal_hosts=())


class TestPostLinks:
    def test_post_link_without_title_takes_the_targets_title(self):
        assert md("见 {% post_link hello-world %}。").html == (
            '<p>见 <a href="#newsroom-link:hexo!:hello-world">hello-world</a>。</p>'
        )

    def test_post_link_with_title(self):
        assert md("{% post_link hello-world '你好 <世界>' %}").html == (
            '<p><a href="#newsroom-link:hexo:hello-world">你好 &lt;世界&gt;</a></p>'
        )

    def test_post_path_in_a_markdown_link_is_the_address(self):
        assert md("[那篇]({% post_path notes/deep-dive %})").html == (
            '<p><a href="#newsroom-link:hexo:notes/deep-dive">那篇</a></p>'
        )

    @pytest.mark.parametrize("text", ["地址：{% post_path hello %}", "(见{% post_path hello %})"])
    def test_post_path_outside_a_link_is_a_link(self, text):
        assert '<a href="#newsroom-link:hexo:hello">hello</a>' in md(text).html

    def test_hexo_link_tag(self):
        assert md("{% link 官网 https://hexo.io true 首页 %}").html == (
            '<p><a href="https://hexo.io" title="首页">官网</a></p>'
        )


class TestEmbeds:
    def test_iframe_of_an_allowed_player_is_kept_sandboxed(self):
        html = cleaned("{% iframe https://player.bilibili.com/player.html?bvid=BV1xx 100% 400 %}")
        assert html.startswith('<iframe src="https://player.bilibili.com/player.html?bvid=BV1xx"')
        assert 'sandbox="' in html and 'loading="lazy"' in html

    def test_video_file_on_the_web_is_a_link_while_the_policy_has_no_video(self):
        assert cleaned("{% video https://cdn.example.com/a.mp4 %}") == (
            '<p><a href="https://cdn.example.com/a.mp4" rel="noopener noreferrer nofollow">'
            "https://cdn.example.com/a.mp4</a></p>"
        )

    def test_video_file_of_the_old_site_is_left_out_and_named(self):
        result = md("前\n\n{% video /videos/a.mp4 %}\n\n后")
        assert "a.mp4" not in result.html
        assert result.warnings == [
            "video '/videos/a.mp4' ({% video %}) is a file of the old site, not imported: left out"
        ]

    def test_gist_and_jsfiddle_are_links(self):
        html = md("{% gist 996818 %} {% jsfiddle ccWP7 %}").html
        assert '<a href="https://gist.github.com/996818">' in html
        assert '<a href="https://jsfiddle.net/ccWP7/">' in html


class TestThemeTags:
    @pytest.mark.parametrize(
        "tag",
        [
            "{% btn 'https://butterfly.js.org/',Butterfly,far fa-hand-point-right,outline %}",  # Butterfly
            "{% button https://butterfly.js.org/, Butterfly, home fa-fw %}",  # NexT
            "{% btn https://butterfly.js.org/, Butterfly, 提示 %}",  # Fluid
        ],
    )
    def test_buttons_are_links(self, tag):
        assert md(f"点 {tag}").html == '<p>点 <a href="https://butterfly.js.org/">Butterfly</a></p>'

    @pytest.mark.parametrize("tag", ["{% label 重点 red %}", "{% label danger@重点 %}", "{% label primary @重点 %}"])
    def test_labels_are_marked_text(self, tag):
        assert cleaned(f"这是{tag}。") == "<p>这是<mark>重点</mark>。</p>"

    def test_tabs_become_headed_sections_under_the_current_heading(self):
        text = (
            "## 安装\n\n{% tabs 安装方式, 2 %}\n<!-- tab npm @fab fa-npm -->\n用 `npm`。\n<!-- endtab -->\n\n"
            "<!-- tab 源码 -->\n```sh\n<!-- tab 不是标签 -->\n```\n<!-- endtab -->\n{% endtabs %}\n\n之后"
        )
        html = md(text).html
        assert "<h3>npm</h3>\n<p>用 <code>npm</code>。</p>" in html
        assert '<h3>源码</h3>\n<pre><code class="language-sh">&lt;!-- tab 不是标签 --&gt;\n</code></pre>' in html
        assert html.endswith("<p>之后</p>")

    def test_hide_toggle_is_a_heading_and_its_content_while_the_policy_has_no_details(self):
        html = md("# 问答\n\n{% hideToggle 看答案,bg,color %}\n**没有**答案\n{% endhideToggle %}").html
        # One level under the heading it follows, and the body's top level under the title.
        assert "<h2>问答</h2>\n<h3>看答案</h3>\n<p><strong>没有</strong>答案</p>" in html

    def test_hide_toggle_is_details_when_the_policy_allows_it(self, monkeypatch):
        monkeypatch.setattr(syntax, "ALLOWED_TAGS", syntax.ALLOWED_TAGS | {"details", "summary"})
        html = md("{% hideToggle 看答案 %}\n**没有**答案\n{% endhideToggle %}").html
        assert "<details>\n<summary>看答案</summary>" in html
        assert "<p><strong>没有</strong>答案</p>\n</details>" in html

    def test_fluid_fold_title_after_the_at_sign(self):
        assert "<h2>更多</h2>" in md("{% fold info @更多 %}\n内容\n{% endfold %}").html

    def test_inside_a_list_item_the_content_stays_in_the_item(self):
        html = md("- 第一项\n\n  {% hideToggle 细节 %}\n  内容\n  {% endhideToggle %}\n- 第二项").html
        assert html.count("<li>") == 2
        assert "<h2>细节</h2>\n<p>内容</p>\n</li>" in html

    def test_timeline_entries_are_headings(self):
        text = "{% timeline 2022,blue %}\n<!-- timeline 01-02 -->\n新年\n<!-- endtimeline -->\n{% endtimeline %}"
        html = md(text).html
        assert "<h2>2022</h2>" in html and "<h3>01-02</h3>\n<p>新年</p>" in html

    def test_mermaid_is_a_code_block(self):
        assert md("{% mermaid %}\ngraph TD\n  A-->B\n{% endmermaid %}").html == (
            '<pre><code class="language-mermaid">graph TD\n  A--&gt;B\n</code></pre>'
        )

    def test_inline_image_and_hidden_inline_text(self):
        html = md("看 {% inlineImg /img/a.png 150px %} 与 {% hideInline 答案,显示 %}").html
        assert '<img src="/img/a.png" alt="">' in html and "与 答案" in html


def test_no_theme_tag_of_the_butterfly_docs_is_left_as_text():
    text = (
        "{% note info %}\n提示\n{% endnote %}\n\n{% tabs t %}\n<!-- tab A -->\nx\n<!-- endtab -->\n{% endtabs %}\n\n"
        "{% btn /a,去 %} {% label 标 %} {% hideInline a,b %}\n\n{% hideBlock 块 %}\n内\n{% endhideBlock %}\n\n"
        "{% gallery %}\n![](/a.jpg)\n{% endgallery %}\n\n{% galleryGroup 名 说明 /g /c.jpg %}"
    )
    result = md(text)
    assert "{%" not in result.html and "<!--" not in result.html
    assert result.warnings == []
