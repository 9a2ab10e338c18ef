"""Hugo shortcodes in both forms, page bundles and flat taxonomies."""

import io
import zoneinfo

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from articles.importing.body import render_body
from articles.importing.frontmatter import read_legacy_file
from articles.importing.hugo_shortcodes import parameters
from articles.importing.mapping import map_record
from articles.models import Article, Image
from articles.sanitize import clean_html
from articles.tests.factories import write_file as write

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def hugo(text):
    return render_body(text, body_format="markdown", generator="hugo")


def cleaned(text):
    return clean_html(hugo(text).html, internal_hosts=())


class TestParameters:
    def test_named_positional_quoted_and_raw(self):
        assert parameters('note "带 空格" src="a \\"b\\".png" alt=`原样 "x"` width=300') == (
            ["note", "带 空格"],
            {"src": 'a "b".png', "alt": '原样 "x"', "width": "300"},
        )


class TestMedia:
    def test_figure_with_caption_title_and_link(self):
        text = '{{< figure src="https://img.example.com/a.png" alt="图" title="标题" caption="说明" link="https://example.com/" width="300" >}}'
        assert hugo(text).html == (
            '<figure><a href="https://example.com/"><img src="https://img.example.com/a.png" alt="图" width="300">'
            "</a><figcaption>标题 — 说明</figcaption></figure>"
        )

    def test_theme_image_shortcode_with_src(self):
        assert hugo('看 {{% img src="/post_img/a.png" alt="甲" %}} 图').html == (
            '<p>看 <img src="/post_img/a.png" alt="甲"> 图</p>'
        )

    @pytest.mark.parametrize(
        "text, src",
        [
            ('{{< youtube id="KatiWlxqErI" autoplay="false" >}}', "https://www.youtube.com/embed/KatiWlxqErI"),
            ("{{< youtube w7Ft2ymGmfc >}}", "https://www.youtube.com/embed/w7Ft2ymGmfc"),
            ("{{< vimeo 146022717 >}}", "https://player.vimeo.com/video/146022717"),
            ("{{< bilibili 754614093 >}}", "https://player.bilibili.com/player.html?aid=754614093&amp;page=1"),
            ("{{< bilibili BV1iv4y1M7iu >}}", "https://player.bilibili.com/player.html?bvid=BV1iv4y1M7iu&amp;page=1"),
        ],
    )
    def test_video_players_are_embeds_the_policy_keeps(self, text, src):
        html = cleaned(text)
        assert html.startswith(f'<iframe src="{src}"') and 'sandbox="' in html

    def test_gist_and_tweet_are_links(self):
        html = hugo('{{< gist spf13 7896402 >}}\n\n{{< tweet user="GoHugoIO" id="1315233626070503424" >}}').html
        assert '<a href="https://gist.github.com/spf13/7896402">' in html
        assert '<a href="https://x.com/GoHugoIO/status/1315233626070503424">' in html


class TestCode:
    def test_highlight_is_a_fence(self):
        assert hugo('{{< highlight Go "linenos=table" >}}\nfunc main() {}\n{{< /highlight >}}').html == (
            '<pre><code class="language-go">func main() {}\n</code></pre>'
        )

    def test_commented_shortcode_is_shown_not_run(self):
        html = hugo('```\n{{</* figure src="a.png" */>}}\n```\n\n写作 {{%/* notice */%}}').html
        assert "<pre><code>{{&lt; figure src=&quot;a.png&quot; &gt;}}\n</code></pre>" in html
        assert "<p>写作 {{% notice %}}</p>" in html


class TestContainers:
    def test_notice_is_a_quote_with_its_markdown_content(self):
        assert hugo('{{% notice info "提示" %}}\n**重要**的话\n{{% /notice %}}').html == (
            "<blockquote>\n<p><strong>提示</strong></p>\n<p><strong>重要</strong>的话</p>\n</blockquote>"
        )

    @pytest.mark.parametrize(
        "opening, closing",
        [
            ("{{< hint warning >}}", "{{< /hint >}}"),
            ('{{% admonition note "参考代码" true %}}', "{{% /admonition %}}"),
            ("{{% warning %}}", "{{% /warning %}}"),
            ("{{% question 题意简述 %}}", "{{% /question %}}"),
        ],
    )
    def test_callouts_are_quotes(self, opening, closing):
        html = hugo(f"{opening}\n内容\n{closing}").html
        assert html.startswith("<blockquote>") and "<p>内容</p>\n</blockquote>" in html

    def test_fold_is_a_heading_and_its_content(self):
        assert hugo('## 解法\n\n{{% fold "参考代码" %}}\n```cpp\nint main() {}\n```\n{{% /fold %}}').html == (
            '<h2>解法</h2>\n<h3>参考代码</h3>\n<pre><code class="language-cpp">int main() {}\n</code></pre>'
        )

    def test_unknown_shortcode_is_named_and_its_content_kept(self):
        result = hugo('前\n\n{{< ad_embed_post >}}\n\n{{< expand2 "历史" >}}\n内文\n{{< /expand2 >}}')
        assert result.html == "<p>前</p>\n<p>内文</p>"
        assert result.warnings == [
            "unknown Hugo shortcode {{< ad_embed_post >}}: removed",
            "unknown Hugo shortcode {{< expand2 >}}: removed, its content kept",
        ]

    def test_shortcode_in_a_hexo_archive_is_converted_too(self):
        html = render_body('{{< figure src="/a.png" >}}', body_format="markdown", generator="hexo").html
        assert html == '<figure><img src="/a.png" alt=""></figure>'


class TestReferences:
    def test_ref_in_a_link(self):
        assert hugo('[上一篇]({{< ref "/post/上一篇.md" >}})').html == (
            '<p><a href="#newsroom-link:hugo:/post/%E4%B8%8A%E4%B8%80%E7%AF%87.md">上一篇</a></p>'
        )

    def test_relref_alone_is_a_link(self):
        assert hugo('见 {{< relref "other" >}}').html == '<p>见 <a href="#newsroom-link:hugo:other">other</a></p>'


class TestArchive:
    def test_categories_are_flat_in_a_hugo_site(self, tmp_path):
        write(tmp_path, "config.toml", 'title = "站"\n')
        path = write(
            tmp_path / "content" / "post",
            "a.md",
            '+++\ntitle = "甲"\ndate = 2021-01-01\ncategories = ["算法", "笔记"]\n+++\n\n正文\n',
        )
        values = map_record(read_legacy_file(path, tmp_path / "content"), tz=SHANGHAI, default_author="编辑")
        assert values.category_paths == [["算法"], ["笔记"]]

    def test_toml_front_matter_alone_says_hugo(self, tmp_path):
        path = write(tmp_path, "a.md", '+++\ntitle = "甲"\ndate = 2021-01-01\ncategories = ["a", "b"]\n+++\n\n正文\n')
        values = map_record(read_legacy_file(path, tmp_path), tz=SHANGHAI, default_author="编辑")
        assert values.category_paths == [["a"], ["b"]]

    def test_hexo_flat_list_is_still_one_path(self, tmp_path):
        path = write(
            tmp_path / "source" / "_posts",
            "a.md",
            "---\ntitle: 甲\ndate: 2021-01-01\ncategories: [a, b]\n---\n\n正文\n",
        )
        values = map_record(read_legacy_file(path, tmp_path / "source" / "_posts"), tz=SHANGHAI, default_author="编辑")
        assert values.category_paths == [["a", "b"]]


def png_bytes():
    buffer = io.BytesIO()
    PILImage.new("RGB", (6, 4), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_page_bundle_pictures_come_into_the_library(tmp_path):
    write(tmp_path, "config.toml", 'title = "站"\n')
    bundle = tmp_path / "content" / "post" / "trip"
    write(
        bundle,
        "index.zh-cn.md",
        '---\ntitle: 旅行\ndate: 2021-01-01\n---\n\n![山](mountain.png)\n\n{{< figure src="lake one.png" caption="湖" >}}\n',
    )
    write(bundle, "mountain.png", png_bytes())
    write(bundle, "lake one.png", png_bytes())
    call_command("import_frontmatter", str(tmp_path / "content"), stdout=io.StringIO(), stderr=io.StringIO())
    body = Article.objects.get().body
    assert Image.objects.count() == 1  # the same picture twice is stored once
    assert body.count("<picture>") == 2  # both shown from the library
    assert 'src="mountain.png"' not in body and "lake%20one.png" not in body
