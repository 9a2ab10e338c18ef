"""Relative images whose path has raw spaces (Typora's `![](My Post.assets/x.png)`) are images."""

import io

import pytest
from django.core.management import call_command
from PIL import Image as PILImage

from articles.importing.body import render_body
from articles.models import Article, Image
from articles.tests.factories import write_file as write


@pytest.mark.parametrize(
    "text, src",
    [
        ("![](My Post.assets/image-2020.png)", "My%20Post.assets/image-2020.png"),
        ('![图](My Post.assets/x.jpg "标题")', "My%20Post.assets/x.jpg"),
        ("![](我的 文章.assets/图 一.png)", "%E6%88%91%E7%9A%84%20%E6%96%87%E7%AB%A0.assets/%E5%9B%BE%20%E4%B8%80.png"),
    ],
)
def test_spaced_destination_is_an_image(text, src):
    result = render_body(text, body_format="markdown")
    assert f'<img src="{src}"' in result.html
    assert result.local_images == [src]


@pytest.mark.parametrize("text", ["[不是](一些 文字)", "[链接](a b c", "![](a\nb.png)"])
def test_other_spaced_text_is_not_a_link(text):
    assert "<a" not in render_body(text, body_format="markdown").html
    assert "<img" not in render_body(text, body_format="markdown").html


@pytest.mark.django_db
def test_typora_asset_folder_picture_comes_into_the_library(tmp_path):
    buffer = io.BytesIO()
    PILImage.new("RGB", (6, 4), (200, 40, 40)).save(buffer, "PNG")
    posts = tmp_path / "_posts"
    write(posts, "My Post.md", "---\ntitle: 带空格\ndate: 2024-05-08\n---\n\n![](My Post.assets/image-2020.png)\n")
    write(posts, "My Post.assets/image-2020.png", buffer.getvalue())
    err = io.StringIO()
    call_command("import_frontmatter", str(posts), stdout=io.StringIO(), stderr=err)
    assert Image.objects.count() == 1 and "<picture>" in Article.objects.get().body
    assert "not found" not in err.getvalue()
