"""Rendering legacy bodies: format detection, CommonMark, Hexo tag plugins, excerpt, images.

Pure functions; no database. Every input here is written for these tests.
"""

import pytest

from articles.importing.body import (
    RenderedBody,
    detect_format,
    find_local_images,
    render_body,
    rewrite_image_sources,
    split_tag_arguments,
)
from articles.sanitize import clean_html


def md(text, **kwargs):
    return render_body(text, body_format="markdown", **kwargs)


# --------------------------------------------------------------------------- format


class TestDetectFormat:
    @pytest.mark.parametrize("suffix", [".html", ".htm", ".HTML"])
    def test_html_files_are_html(self, suffix):
        assert detect_format("# looks like markdown", suffix) == "html"

    @pytest.mark.parametrize("suffix", [".md", ".markdown", ".txt"])
    def test_text_files_with_an_html_body_are_html(self, suffix):
        body = '<div>   \n<p>本文来自<a href="https://example.com/">示例</a>。</p>\n    <p>缩进的行</p></div>'
        assert detect_format(body, suffix) == "html"

    @pytest.mark.parametrize(
        "body",
        [
            "<p>第一段</p>\n<p>第二段</p>",
            "\n\n<section><h2>标题</h2><p>正文</p></section>",
            "<!-- generated -->\n<div>正文</div>",
            "<DIV CLASS=x>大写标签</DIV>",
            # shell comments inside <pre> are not Markdown headings
            "<div><p>命令：</p><pre><code># 安装\npip install x\n```\n</code></pre></div>",
        ],
    )
    def test_block_level_html_first_means_html(self, body):
        assert detect_format(body, ".md") == "html"

    @pytest.mark.parametrize(
        "body",
        [
            "普通 **Markdown** 文本",
            "# 标题\n\n正文",
            '<span style="font-size: 8pt;">_引言_</span>\n\n**正文**',  # inline tag first
            '<img src="/images/top.png">\n\n正文',
            "<!-- toc -->\n- [一](#一)\n\n正文",
            "<style>.x{}</style>\n\n正文",
            # a Markdown post that opens with centred HTML is still Markdown
            '<p align="center"><img src="logo.png"></p>\n\n## 安装\n\n正文',
            '<div align="center">\n\n![logo](logo.png)\n\n</div>\n\n正文',
            "<div>提示</div>\n\n```bash\nls\n```",
            "<div>提示</div>\n\n见 [文档](https://example.com/docs)。",
        ],
    )
    def test_markdown_otherwise(self, body):
        assert detect_format(body, ".md") == "markdown"

    def test_auto_renders_markdown_files(self):
        assert render_body("*强调*", suffix=".md").html == "<p><em>强调</em></p>"

    def test_auto_passes_html_bodies_through_unchanged(self):
        body = '<div>   \n<p class="a" data-x="1">正文 &#123;code&#125;</p>\n\n    <p>缩进</p>\n</div>   '
        assert render_body(body, suffix=".md").html == body
        assert render_body(body, suffix=".html").html == body

    def test_explicit_format_wins(self):
        assert render_body("*x*", body_format="html").html == "*x*"
        assert render_body("<div>*x*</div>\n\n*y*", body_format="markdown").html == (
            "<div>*x*</div>\n<p><em>y</em></p>"
        )

    def test_unknown_format_is_an_error(self):
        with pytest.raises(ValueError, match="body_format"):
            render_body("x", body_format="rst")

    def test_result_type_and_empty_body(self):
        result = render_body("")
        assert isinstance(result, RenderedBody)
        assert (result.html, result.excerpt_html, result.local_images, result.warnings) == ("", "", [], [])


class TestBraceEntities:
    def test_generator_brace_entities_stay_in_html_bodies(self):
        body = "<div><p>JSON: &#123;&quot;a&quot;: 1&#125; and &#123;% note %&#125;</p></div>"
        result = render_body(body, suffix=".md")
        assert result.html == body
        assert result.warnings == []


# --------------------------------------------------------------------------- CommonMark


class TestCommonMark:
    def test_table_alignment_is_a_class_not_a_style(self):
        html = md("| 名称 | 数量 | 备注 |\n|:---|---:|:-:|\n| 苹果 | 3 | 无 |").html
        assert '<th class="align-left">名称</th>' in html and '<th class="align-center">备注</th>' in html
        assert '<td class="align-right">3</td>' in html
        assert "style=" not in html
        cleaned = clean_html(html, internal_hosts=())
        assert '<td class="align-right">3</td>' in cleaned and '<th class="align-left">名称</th>' in cleaned

    def test_strikethrough(self):
        assert md("~~旧价~~ 新价").html == "<p><s>旧价</s> 新价</p>"

    def test_fenced_code_with_language_is_escaped(self):
        html = md("```python\nif a < b and c > d:\n    pass\n```").html
        assert html == ('<pre><code class="language-python">if a &lt; b and c &gt; d:\n    pass\n</code></pre>')

    def test_raw_html_passes_through(self):
        html = md('<div class="box" data-id="7">\n<em>原样</em>\n</div>\n\n段落 <kbd>Ctrl</kbd>').html
        assert '<div class="box" data-id="7">\n<em>原样</em>\n</div>' in html
        assert "<p>段落 <kbd>Ctrl</kbd></p>" in html

    def test_single_newlines_are_line_breaks_as_in_hexo(self):
        # hexo-renderer-marked's `breaks: true`: no spurious space, no joined lines.
        assert md("第一行文字\n第二行文字，\n第三行").html == "<p>第一行文字<br>\n第二行文字，<br>\n第三行</p>"

    def test_line_breaks_between_latin_and_cjk_lines_are_kept(self):
        assert md("hello\nworld\n中文\nEnglish").html == "<p>hello<br>\nworld<br>\n中文<br>\nEnglish</p>"

    def test_line_break_after_emphasis(self):
        assert md("**重点**\n继续").html == "<p><strong>重点</strong><br>\n继续</p>"

    def test_cjk_emphasis_needs_no_spaces(self):
        assert md("这是**加粗**文字").html == "<p>这是<strong>加粗</strong>文字</p>"
        assert md("他说**“你好”**然后走了").html == "<p>他说<strong>“你好”</strong>然后走了</p>"
        assert md("（**注意**）：").html == "<p>（<strong>注意</strong>）：</p>"
        assert md("**Q：**5月发布").html == "<p><strong>Q：</strong>5月发布</p>"
        assert md("**「书名」**很好").html == "<p><strong>「书名」</strong>很好</p>"
        assert md("~~“旧”~~新").html == "<p><s>“旧”</s>新</p>"

    def test_latin_emphasis_rules_unchanged(self):
        assert md("snake_case_name and **bold**").html == "<p>snake_case_name and <strong>bold</strong></p>"
        assert md("a * b * c").html == "<p>a * b * c</p>"
        assert md("**Q:**5 months").html == "<p>**Q:**5 months</p>"  # CommonMark, no CJK

    def test_crlf_line_ends(self):
        assert md("# 标题\r\n\r\n正文\r\n").html == "<h2>标题</h2>\n<p>正文</p>"


# --------------------------------------------------------------------------- excerpt


class TestExcerpt:
    @pytest.mark.parametrize("marker", ["<!-- more -->", "<!--more-->", "<!-- MORE -->", "<!--   More\t-->"])
    def test_split_variants(self, marker):
        result = md(f"导语第一段。\n\n{marker}\n\n正文第二段。")
        assert result.excerpt_html == "<p>导语第一段。</p>"
        assert result.html == "<p>导语第一段。</p>\n\n<p>正文第二段。</p>"
        assert "more" not in result.html.lower()

    def test_no_marker_no_excerpt(self):
        assert md("只有正文。").excerpt_html == ""

    def test_marker_inside_a_paragraph_gives_balanced_excerpt(self):
        result = md("开头 **粗体<!--more-->继续** 结束")
        assert result.excerpt_html == "<p>开头 <strong>粗体</strong></p>"
        assert result.html == "<p>开头 <strong>粗体继续</strong> 结束</p>"

    def test_marker_in_code_is_not_a_marker(self):
        result = md("```html\n<!-- more -->\n```\n\n`<!--more-->`")
        assert result.excerpt_html == ""
        assert "&lt;!-- more --&gt;" in result.html

    def test_only_first_marker_splits_all_are_removed(self):
        result = md("一\n\n<!-- more -->\n\n二\n\n<!-- more -->\n\n三")
        assert result.excerpt_html == "<p>一</p>"
        assert "<!--" not in result.html

    def test_html_body(self):
        result = render_body("<div><p>导语</p><!-- more --><p>正文</p></div>", suffix=".html")
        assert result.excerpt_html == "<div><p>导语</p></div>"
        assert result.html == "<div><p>导语</p><p>正文</p></div>"


# --------------------------------------------------------------------------- tag plugins


class TestArguments:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("a b  c", ["a", "b", "c"]),
            ("'fas fa-bell' simple", ["fas fa-bell", "simple"]),
            ('/a.png 10 \'"标题 文字" "替代"\'', ["/a.png", "10", '"标题 文字" "替代"']),
            ('"x y"z w', ["x yz", "w"]),
            ("lang:js mark:1,3-4", ["lang:js", "mark:1,3-4"]),
            ("", []),
        ],
    )
    def test_split_like_nunjucks(self, text, expected):
        assert split_tag_arguments(text) == expected


class TestCodeblock:
    def test_plain(self):
        result = md("{% codeblock %}\nalert('<b>');\n{% endcodeblock %}")
        assert result.html == "<pre><code>alert('&lt;b&gt;');\n</code></pre>"
        assert result.warnings == []

    def test_title_and_language(self):
        html = md("{% codeblock Array.map lang:js %}\narray.map(fn)\n{% endcodeblock %}").html
        assert html == (
            '<figure><figcaption>Array.map</figcaption><pre><code class="language-js">'
            "array.map(fn)\n</code></pre></figure>"
        )

    def test_title_url_and_link_text(self):
        html = md(
            "{% codeblock _.compact http://underscorejs.org/#compact Underscore.js %}\n_.compact([0, 1])\n{% endcodeblock %}"
        ).html
        assert '<figcaption>_.compact <a href="http://underscorejs.org/#compact">Underscore.js</a></figcaption>' in html

    def test_title_and_url_without_link_text(self):
        html = md("{% codeblock 示例 https://example.com/a.js %}\nx\n{% endcodeblock %}").html
        assert '<figcaption>示例 <a href="https://example.com/a.js">link</a></figcaption>' in html

    def test_options_are_dropped_and_code_alias(self):
        html = md("{% code lang:py mark:1 line_number:false first_line:3 %}\n    x = {1: 2}\n{% endcode %}").html
        assert html == '<pre><code class="language-py">x = {1: 2}\n</code></pre>'

    def test_content_is_not_processed(self):
        html = md("{% codeblock %}\n{% note %}*x*{% endnote %}\n<!-- more -->\n{% endcodeblock %}").html
        assert "{% note %}*x*{% endnote %}\n&lt;!-- more --&gt;" in html

    def test_between_paragraphs_without_blank_lines(self):
        html = md("前文\n{% codeblock %}\nx\n{% endcodeblock %}\n后文").html
        assert html == "<p>前文</p>\n<pre><code>x\n</code></pre>\n<p>后文</p>"


class TestBlockquote:
    def test_no_arguments(self):
        assert md("{% blockquote %}\n引文 **重点**\n{% endblockquote %}").html == (
            "<blockquote><p>引文 <strong>重点</strong></p></blockquote>"
        )

    def test_author_only(self):
        html = md("{% blockquote 鲁迅 %}\n引文\n{% endblockquote %}").html
        assert html == "<blockquote><p>引文</p><p><cite>— 鲁迅</cite></p></blockquote>"

    def test_author_and_source(self):
        html = md("{% blockquote David Levithan, Wide Awake %}\nQuote\n{% endblockquote %}").html
        assert "<p><cite>— David Levithan, Wide Awake</cite></p>" in html

    def test_author_and_link(self):
        html = md("{% quote @someone https://example.com/status/1/ %}\nQuote\n{% endquote %}").html
        assert (
            '<p><cite>— @someone, <a href="https://example.com/status/1/">example.com/status/1</a></cite></p>' in html
        )

    def test_author_link_and_title(self):
        html = md("{% blockquote Ann Lee https://example.com/post.html The Post Title %}\nQ\n{% endblockquote %}").html
        assert '<p><cite>— Ann Lee, <a href="https://example.com/post.html">The Post Title</a></cite></p>' in html

    def test_nested_markdown_and_tags(self):
        html = md("{% blockquote %}\n- 一\n- 二\n\n{% img /i/a.png %}\n\n```\n{% raw %}\n```\n{% endblockquote %}").html
        assert "<ul>\n<li>一</li>\n<li>二</li>\n</ul>" in html
        assert '<p><img src="/i/a.png" alt=""></p>' in html
        assert "<pre><code>{% raw %}\n</code></pre>" in html

    def test_text_is_escaped(self):
        html = md("{% blockquote <b>Bob</b> %}\nQ\n{% endblockquote %}").html
        assert "<cite>— &lt;b&gt;Bob&lt;/b&gt;</cite>" in html


class TestPullquoteAndNote:
    def test_pullquote(self):
        assert md("{% pullquote left %}\n*醒目*\n{% endpullquote %}").html == (
            "<blockquote><p><em>醒目</em></p></blockquote>"
        )

    @pytest.mark.parametrize(
        "opening",
        [
            "{% note %}",
            "{% note info %}",
            "{% note warning no-icon %}",
            "{% note purple 'fa-solid fa-bell' %}",
            "{% note red 'fas fa-fan' simple%}",
            "{% note success flat %}",
        ],
    )
    def test_note_styles_are_not_text(self, opening):
        result = md(f"{opening}\n提示 **内容**\n{{% endnote %}}")
        assert result.html == "<blockquote><p>提示 <strong>内容</strong></p></blockquote>"
        assert result.warnings == []

    def test_note_summary(self):
        html = md("{% note info no-icon 展开 *查看* %}\n细节\n{% endnote %}").html
        assert html == "<blockquote><p><strong>展开 <em>查看</em></strong></p><p>细节</p></blockquote>"

    def test_nested_notes_and_markdown(self):
        text = "{% note info %}\n外层\n\n{% note warning %}\n内层 `code`\n{% endnote %}\n\n> 引用\n{% endnote %}"
        html = md(text).html
        assert html == (
            "<blockquote><p>外层</p>\n<blockquote><p>内层 <code>code</code></p></blockquote>\n"
            "<blockquote>\n<p>引用</p>\n</blockquote></blockquote>"
        )

    def test_end_tag_in_code_inside_note_does_not_close_it(self):
        html = md("{% note %}\n用法：\n```\n{% endnote %}\n```\n{% endnote %}").html
        assert html == "<blockquote><p>用法：</p>\n<pre><code>{% endnote %}\n</code></pre></blockquote>"

    def test_note_inside_a_list_item(self):
        html = md("1. 步骤\n   {% note %}\n   说明\n   {% endnote %}\n2. 下一步").html
        assert "<li>\n<p>步骤</p>\n<blockquote><p>说明</p></blockquote>\n</li>" in html
        assert "<p>下一步</p>" in html

    def test_indented_content_is_dedented(self):
        html = md("{% note %}\n    不是代码块\n{% endnote %}").html
        assert html == "<blockquote><p>不是代码块</p></blockquote>"


class TestImg:
    def test_path_only(self):
        assert md("{% img /images/a.png %}").html == '<p><img src="/images/a.png" alt=""></p>'

    def test_classes_size_title_and_alt(self):
        html = md('{% img left shadow /images/a.png 300 200 \'"标题 文字" "替代 文字"\' %}').html
        assert html == ('<p><img src="/images/a.png" alt="替代 文字" title="标题 文字" width="300" height="200"></p>')

    def test_width_only_and_title_only(self):
        html = md('{% img https://cdn.example.com/a.jpg 640 "A title" %}').html
        assert html == '<p><img src="https://cdn.example.com/a.jpg" alt="A title" title="A title" width="640"></p>'

    def test_single_quoted_title(self):
        html = md("{% img /a.png \"'One' 'Two'\" %}").html
        assert 'title="One"' in html and 'alt="Two"' in html

    def test_relative_path_is_taken_as_the_image(self):
        assert md("{% image pics/a.png %}").html == '<p><img src="pics/a.png" alt=""></p>'
        assert md("{% img photo.JPG %}").html == '<p><img src="photo.JPG" alt=""></p>'

    def test_inline_in_text(self):
        assert md("图 {% img /a.png 20 %} 说明").html == '<p>图 <img src="/a.png" alt="" width="20"> 说明</p>'

    def test_without_image_removed_and_warned(self):
        result = md("前 {% img left %} 后")
        assert result.html == "<p>前  后</p>"
        assert result.warnings == ["Hexo tag {% img %} names no image: removed"]

    def test_quotes_in_values_are_escaped(self):
        html = md('{% img /a.png \'"x<y" "a&b"\' %}').html
        assert 'title="x&lt;y"' in html and 'alt="a&amp;b"' in html


class TestAssets:
    def test_asset_img_with_folder(self):
        result = md("{% asset_img cover.png 封面 %}", asset_folder="2021/hello")
        assert result.html == '<p><img src="2021/hello/cover.png" alt="封面" title="封面"></p>'
        assert result.local_images == ["2021/hello/cover.png"]

    def test_asset_img_without_folder_and_size(self):
        html = md("{% asset_image cover.png 100 50 %}").html
        assert html == '<p><img src="cover.png" alt="" width="100" height="50"></p>'

    def test_asset_img_name_is_encoded_like_markdown_images(self):
        result = md("{% asset_img 图 一.png %}\n\n![](图一.png)", asset_folder="文章/")
        assert result.local_images == ["%E6%96%87%E7%AB%A0/%E4%B8%80.png", "%E5%9B%BE%E4%B8%80.png"]

    def test_asset_path_in_a_markdown_link(self):
        html = md("[下载]({% asset_path report.pdf %})", asset_folder="post").html
        assert html == '<p><a href="post/report.pdf">下载</a></p>'

    def test_asset_link(self):
        assert md("{% asset_link report.pdf %}", asset_folder="p").html == (
            '<p><a href="p/report.pdf" title="report.pdf">report.pdf</a></p>'
        )
        assert md("{% asset_link report.pdf 年度 <报告> %}").html == (
            '<p><a href="report.pdf" title="年度 &lt;报告&gt;">年度 &lt;报告&gt;</a></p>'
        )

    def test_asset_tag_without_name_removed_and_warned(self):
        result = md("前 {% asset_path %} 后")
        assert result.html == "<p>前  后</p>"
        assert result.warnings == ["Hexo tag {% asset_path %} without its arguments: removed"]


class TestVideos:
    def test_youtube_is_an_embedded_player(self):
        assert md("{% youtube dQw4w9WgXcQ %}").html == (
            '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="YouTube"></iframe>'
        )

    def test_youtube_playlist(self):
        assert 'src="https://www.youtube.com/embed/videoseries?list=PL123"' in md("{% youtube PL123 'playlist' %}").html

    def test_vimeo_and_iframe(self):
        assert md("{% vimeo 82090131 %}").html == (
            '<iframe src="https://player.vimeo.com/video/82090131" title="Vimeo"></iframe>'
        )

    def test_iframe_of_a_host_the_policy_refuses_is_a_link(self):
        assert md("{% iframe https://example.com/embed?a=1&b=2 100% 300 %}").html == (
            '<p><a href="https://example.com/embed?a=1&amp;b=2">https://example.com/embed?a=1&amp;b=2</a></p>'
        )


class TestRaw:
    def test_verbatim_block(self):
        text = '前\n\n{% raw %}\n<div id="p"></div>\n<script>var a = {b: 1}; // *not* {% note %}</script>\n{% endraw %}\n\n后'
        html = md(text).html
        assert html == (
            '<p>前</p>\n\n<div id="p"></div>\n<script>var a = {b: 1}; // *not* {% note %}</script>\n\n<p>后</p>'
        )

    def test_verbatim_inline(self):
        assert md("a {% raw %}*{{ x }}*{% endraw %} b").html == "<p>a *{{ x }}* b</p>"

    def test_raw_in_html_body(self):
        assert render_body("<div>{% raw %}{% x %}{% endraw %}</div>", body_format="html").html == "<div>{% x %}</div>"


class TestUnknownAndMalformedTags:
    def test_unknown_tags_are_removed_one_warning_per_name(self):
        result = md("{% sparkle a %} {% sparkle b %}\n\n{% shelf t %}\n内容\n{% endshelf %}")
        assert "{%" not in result.html
        assert "<p>内容</p>" in result.html
        assert result.warnings == [
            "unknown Hexo tag {% sparkle %}: removed",
            "unknown Hexo tag {% shelf %}: removed, its content kept",
        ]

    def test_known_tags_inside_unknown_blocks_are_converted(self):
        html = md("{% hideToggle 标题 %}\n{% img /a.png %}\n{% endhideToggle %}").html
        assert '<img src="/a.png" alt="">' in html

    def test_unclosed_block_loses_its_tag_not_what_follows(self):
        result = md("{% note info %}\n没有结束")
        assert result.html == "<p>没有结束</p>"
        assert result.warnings == ["Hexo tag {% note %} has no {% endnote %}: the tag removed, what follows kept"]

    def test_stray_end_tag(self):
        result = md("文字 {% endnote %}")
        assert result.html == "<p>文字</p>"
        assert result.warnings == ["stray Hexo tag {% endnote %}: removed"]

    def test_whitespace_control_dashes(self):
        assert md("{%- img /a.png -%}").html == '<p><img src="/a.png" alt=""></p>'

    def test_placeholder_like_text_is_safe(self):
        html = md("HexoSlot0X and {% img /a.png %}").html
        assert html == '<p>HexoSlot0X and <img src="/a.png" alt=""></p>'


class TestTagsInCode:
    @pytest.mark.parametrize(
        "text, code",
        [
            ("```\n{% img /a.png %}\n```", "<pre><code>{% img /a.png %}\n</code></pre>"),
            (
                "~~~~md\n{% note %}x{% endnote %}\n~~~~",
                '<pre><code class="language-md">{% note %}x{% endnote %}\n</code></pre>',
            ),
            ("````\n```\n{% youtube a %}\n```\n````", "<pre><code>```\n{% youtube a %}\n```\n</code></pre>"),
            ("- 列表\n\n  ```\n  {% img /a.png %}\n  ```", "<pre><code>{% img /a.png %}\n</code></pre>"),
            ("用 `{% img /a.png %}` 插图", "<code>{% img /a.png %}</code>"),
            ("用 ``{% note `x` %}`` 插图", "<code>{% note `x` %}</code>"),
            ("<pre>{% img /a.png %}</pre>", "<pre>{% img /a.png %}</pre>"),
            ("看 <code>{% foo %}</code>", "<code>{% foo %}</code>"),
        ],
    )
    def test_not_converted(self, text, code):
        result = md(text)
        assert code in result.html
        assert result.warnings == []
        assert result.local_images == []

    def test_unclosed_fence_protects_to_the_end(self):
        assert md("```\n{% img /a.png %}").html == "<pre><code>{% img /a.png %}</code></pre>"

    def test_unmatched_backtick_does_not_protect(self):
        assert md("a ` b {% img /a.png %}").html == '<p>a ` b <img src="/a.png" alt=""></p>'

    def test_html_body_code_is_protected(self):
        body = "<div><code>{% img /a.png %}</code> {% img /b.png %} `{% img /c.png %}`</div>"
        result = render_body(body, body_format="html")
        assert result.html == (
            '<div><code>{% img /a.png %}</code> <img src="/b.png" alt=""> `<img src="/c.png" alt="">`</div>'
        )


class TestAgainstTheSanitizer:
    def test_plugin_markup_survives_cleaning(self):
        text = (
            "{% codeblock 标题 lang:js %}\nx\n{% endcodeblock %}\n\n"
            "{% blockquote 作者 https://example.com/a 文章 %}\n引文\n{% endblockquote %}\n\n"
            "{% note info 摘要 %}\n内容\n{% endnote %}\n\n{% youtube abc %}\n\n{% img /a.png 10 20 %}"
        )
        cleaned = clean_html(md(text).html, internal_hosts=())
        assert (
            '<figure><figcaption>标题</figcaption><pre><code class="language-js">x\n</code></pre></figure>' in cleaned
        )
        assert (
            '<cite>— 作者, <a href="https://example.com/a" rel="noopener noreferrer nofollow">文章</a></cite>'
            in cleaned
        )
        assert "<p><strong>摘要</strong></p><p>内容</p>" in cleaned
        assert 'src="https://www.youtube.com/embed/abc"' in cleaned and 'sandbox="' in cleaned
        assert 'src="/a.png"' in cleaned and 'width="10"' in cleaned
        assert "HexoSlot" not in cleaned and "{%" not in cleaned


# --------------------------------------------------------------------------- images


class TestLocalImages:
    def test_collects_local_sources_in_order_once(self):
        text = (
            "![](a.png) ![](/images/x.png) ![](https://cdn.example.com/r.png) ![](http://e.com/h.png)\n\n"
            '<img src="//cdn.example.com/p.png"> <img src="data:image/png;base64,AAAA"> '
            '<img src="../up/b.jpg"> <IMG SRC="a.png"> <img alt="no src"> <img src="">\n\n'
            "{% asset_img c.gif %}"
        )
        assert md(text, asset_folder="post").local_images == ["a.png", "/images/x.png", "../up/b.jpg", "post/c.gif"]

    def test_ignores_images_in_code_comments_and_scripts(self):
        html = '<!-- <img src="c.png"> --><script>"<img src=s.png>"</script><pre>&lt;img src="e.png"&gt;</pre>'
        assert find_local_images(html) == []

    def test_html_body_and_entities(self):
        result = render_body('<div><img src="a&amp;b.png" data-src="x"><img src=\'y.png\'></div>', body_format="html")
        assert result.local_images == ["a&b.png", "y.png"]


class TestRewriteImageSources:
    def test_replaces_only_the_src_values(self):
        html = (
            '<p><img alt="图" src="a.png" width="10" /> <a href="a.png">a.png</a></p>\n'
            "<img\n  class='x'\n  src='/images/x.png'>\n<IMG SRC=a.png data-src=\"a.png\">"
        )
        new = rewrite_image_sources(html, {"a.png": "/media/1.png", "/images/x.png": "/media/2.png"})
        assert new == (
            '<p><img alt="图" src="/media/1.png" width="10" /> <a href="a.png">a.png</a></p>\n'
            '<img\n  class=\'x\'\n  src="/media/2.png">\n<IMG SRC="/media/1.png" data-src="a.png">'
        )

    def test_keys_match_decoded_values_and_new_values_are_escaped(self):
        html = '<img src="a&amp;b.png"><img src="q.png">'
        assert rewrite_image_sources(html, {"a&b.png": '/m/"x"&.png'}) == (
            '<img src="/m/&quot;x&quot;&amp;.png"><img src="q.png">'
        )

    def test_other_markup_is_untouched(self):
        html = '<!-- <img src="a.png"> --><script>var s = "<img src=a.png>";</script><p>a.png</p>'
        assert rewrite_image_sources(html, {"a.png": "/m/1.png"}) == html

    def test_nothing_to_do(self):
        html = "<p>文字</p>"
        assert rewrite_image_sources(html, {}) == html
        assert rewrite_image_sources(html, {"a.png": "b.png"}) == html

    def test_round_trip_with_render_body(self):
        result = md("前 ![图](图片.png) 后\n\n{% asset_img b.png %}", asset_folder="p")
        mapping = {src: f"/media/{n}.png" for n, src in enumerate(result.local_images)}
        new = rewrite_image_sources(result.html, mapping)
        assert find_local_images(new) == ["/media/0.png", "/media/1.png"]
        assert new == result.html.replace("%E5%9B%BE%E7%89%87.png", "/media/0.png").replace("p/b.png", "/media/1.png")
