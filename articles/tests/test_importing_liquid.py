"""Jekyll's Liquid (raw, highlight, post_url, include, comments, outputs) and kramdown's marks."""

import datetime as dt
import zoneinfo

import pytest

from articles.importing.body import render_body
from articles.importing.frontmatter import read_legacy_file
from articles.importing.mapping import map_record
from articles.tests.factories import write_file as write

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def jekyll(text, **options):
    return render_body(text, body_format="markdown", generator="jekyll", **options)


class TestRaw:
    def test_raw_content_comes_out_as_written_and_markdown_still_applies(self):
        text = (
            "**前**\n\n{% raw %}\n```liquid\n{% if page.title %}{{ page.title }}{% endif %}\n```\n{% endraw %}\n\n*后*"
        )
        result = jekyll(text)
        assert result.html == (
            "<p><strong>前</strong></p>\n"
            '<pre><code class="language-liquid">{% if page.title %}{{ page.title }}{% endif %}\n</code></pre>\n'
            "<p><em>后</em></p>"
        )
        assert result.warnings == []

    def test_raw_inside_a_fence_leaves_no_marker(self):
        assert jekyll("```\n{% raw %}{{ site.url }}{% endraw %}\n```").html == (
            "<pre><code>{{ site.url }}\n</code></pre>"
        )

    def test_raw_around_a_code_span(self):
        assert jekyll("标签对 {% raw %}`{% highlight c %}`{% endraw %} 之间").html == (
            "<p>标签对 <code>{% highlight c %}</code> 之间</p>"
        )

    def test_raw_in_an_indented_code_block(self):
        assert jekyll("例子：\n\n    {% raw %}\n      {{ 花括号 }}\n    {% endraw %}\n").html == (
            "<p>例子：</p>\n<pre><code>  {{ 花括号 }}\n</code></pre>"
        )

    def test_string_literal_output_shows_its_text(self):
        assert jekyll('    {{ "{% raw " }}%}\n').html == "<pre><code>{% raw %}\n</code></pre>"

    def test_unclosed_raw_loses_its_marker_only(self):
        assert jekyll("a {% raw %} *b*").html == "<p>a  <em>b</em></p>"


class TestTags:
    @pytest.mark.parametrize("lexer", ["Groovy", "java linenos", "Bash"])
    def test_highlight_is_a_fenced_block_with_the_language_in_lower_case(self, lexer):
        result = jekyll(f"{{% highlight {lexer} %}}\nint a = 1 < 2;\n{{% endhighlight %}}")
        language = lexer.split()[0].lower()
        assert result.html == f'<pre><code class="language-{language}">int a = 1 &lt; 2;\n</code></pre>'

    def test_highlight_end_tag_with_words_after_its_name(self):
        assert jekyll("{% highlight apache %}\nListen 80\n{% endhighlight Apache config files %}").html == (
            '<pre><code class="language-apache">Listen 80\n</code></pre>'
        )

    def test_highlight_content_keeps_backtick_fences_inside(self):
        html = jekyll("{% highlight md %}\n```\ncode\n```\n{% endhighlight %}").html
        assert html == '<pre><code class="language-md">```\ncode\n```\n</code></pre>'

    def test_post_url_in_a_markdown_link(self):
        assert jekyll("参阅[这篇]({% post_url 2012-06-23-usb %})。").html == (
            '<p>参阅<a href="#newsroom-link:jekyll:2012-06-23-usb">这篇</a>。</p>'
        )

    def test_link_tag_names_a_file_of_the_site(self):
        assert jekyll("[关于]({% link _posts/2016-07-26-about.md %})").html == (
            '<p><a href="#newsroom-link:path:_posts/2016-07-26-about.md">关于</a></p>'
        )

    def test_include_is_removed_and_warned(self):
        result = jekyll("前\n\n{% include JB/analytics %}\n\n后")
        assert result.html == "<p>前</p>\n<p>后</p>"
        assert result.warnings == [
            "Liquid tag {% include JB/analytics %} includes a file of the old site's theme: removed"
        ]

    def test_comment_is_removed_even_in_code(self):
        assert jekyll("    赚了 {% comment %} 亏损 {% endcomment %} 一百万\n").html == (
            "<pre><code>赚了  一百万\n</code></pre>"
        )

    def test_control_flow_keeps_its_content_and_is_named(self):
        result = jekyll("{% if site.x %}有{% else %}无{% endif %}")
        assert result.html == "<p>有无</p>"
        assert result.warnings == [
            "unknown Liquid tag {% if %}: removed, its content kept",
            "unknown Liquid tag {% else %}: removed",
        ]


class TestOutput:
    def test_page_values_are_removed_and_warned(self):
        result = jekyll("标题：{{ page.title }}。")
        assert result.html == "<p>标题：。</p>"
        assert result.warnings == ["Liquid output {{ page.title }} has no value here: removed"]

    def test_site_address_prefix_makes_a_site_path(self):
        result = jekyll("![图]({{ site.url }}/images/a.png)", site_variables={"url": "https://old.example"})
        assert result.local_images == ["/images/a.png"] and result.warnings == []

    def test_site_value_from_the_config(self):
        result = jekyll("![图]({{ site.assets_path }}/a.png)", site_variables={"assets_path": "/assets"})
        assert result.local_images == ["/assets/a.png"]

    def test_hexo_archive_keeps_other_braces(self):
        result = render_body("Vue: {{ message }} {{ page.title }}", body_format="markdown", generator="hexo")
        assert result.html == "<p>Vue: {{ message }}</p>"

    def test_hugo_archive_shows_braces_as_written(self):
        assert render_body("{{ site.Title }}", body_format="markdown", generator="hugo").html == (
            "<p>{{ site.Title }}</p>"
        )


class TestKramdown:
    def test_toc_and_its_placeholder_list_are_removed(self):
        result = jekyll("* 目录\n{:toc}\n\n## 第一节\n\n正文")
        assert result.html == "<h2>第一节</h2>\n<p>正文</p>"
        assert result.warnings == ["kramdown table of contents {:toc} removed"]

    def test_attribute_lists_are_removed(self):
        result = jekyll('段落\n{: .note}\n\n![图](/a.png){: width="50%"}')
        assert "{:" not in result.html and '<img src="/a.png" alt="图" />' in result.html

    def test_attribute_like_text_stays(self):
        text = '比如 {:toc #chen} 会生成目录\n\n    Mephisto.postgres({:database => "db"})'
        html = jekyll(text).html
        assert "比如 {:toc #chen} 会生成目录" in html and "({:database =&gt; &quot;db&quot;})" in html


class TestExcerptSeparator:
    def test_front_matter_separator(self, tmp_path):
        record = read_legacy_file(
            write(
                tmp_path,
                "a.md",
                "---\ntitle: 摘要\ndate: 2024-05-08\nexcerpt_separator: <!--excerpt-->\n---\n\n开头。\n\n<!--excerpt-->\n\n其余。\n",
            ),
            tmp_path,
        )
        values = map_record(record, tz=SHANGHAI, default_author="编辑")
        assert values.summary == "开头。"

    def test_site_config_separator(self, tmp_path):
        write(tmp_path, "_config.yml", 'excerpt_separator: "@@@"\n')
        path = write(tmp_path / "_posts", "2024-05-08-a.md", "---\ntitle: 摘要\n---\n\n开头 @@@ 其余。\n")
        values = map_record(read_legacy_file(path, tmp_path), tz=SHANGHAI, default_author="编辑")
        assert values.summary == "开头"
        assert "@@@ 其余。" in values.body_html  # the separator stays in the article, as in Jekyll


class TestHeroes:
    @pytest.mark.parametrize(
        "line, hero",
        [
            ("header-img: img/post-bg.jpg", "img/post-bg.jpg"),
            ("image: https://cdn.example.com/a.png", "https://cdn.example.com/a.png"),
            ("image:\n  path: /assets/b.png\n  height: 100", "/assets/b.png"),
        ],
    )
    def test_jekyll_hero_keys(self, tmp_path, line, hero):
        path = write(tmp_path, "a.md", f"---\ntitle: 题图\ndate: 2024-05-08\n{line}\n---\n\n正文\n")
        values = map_record(read_legacy_file(path, tmp_path), tz=SHANGHAI, default_author="编辑")
        assert values.hero_image_url == hero


def test_render_with_liquid_false_keeps_the_syntax(tmp_path):
    write(tmp_path, "_config.yml", "title: x\n")
    path = write(
        tmp_path / "_posts", "2024-05-08-a.md", "---\ntitle: 原样\nrender_with_liquid: false\n---\n\n{{ page.title }}\n"
    )
    values = map_record(read_legacy_file(path, tmp_path), tz=SHANGHAI, default_author="编辑")
    assert values.body_html == "<p>{{ page.title }}</p>"
    assert values.published_at == dt.datetime(2024, 5, 8, tzinfo=SHANGHAI)
