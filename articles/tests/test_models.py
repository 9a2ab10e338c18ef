import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils import timezone

from articles.models import Article, Author, Category, Image
from articles.tests.factories import make_article, make_author, make_category_path, make_image

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_future_articles():
    live = make_article()
    make_article(published=False)
    make_article(published_at=timezone.now() + dt.timedelta(minutes=5))
    assert list(Article.objects.published()) == [live]


def test_scheduled_article_becomes_visible_when_its_time_comes(monkeypatch):
    article = make_article(published_at=timezone.now() + dt.timedelta(hours=1))
    assert not Article.objects.published().exists()
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert list(Article.objects.published()) == [article]


def test_publishing_without_a_time_stamps_now():
    article = make_article(published_at=None)
    assert article.published_at is not None
    assert article.is_published


def test_chinese_title_gets_a_readable_ascii_slug():
    article = make_article("抖音电商上线商家服务")
    assert article.slug == "dou-yin-dian-shang-shang-xian-shang-jia-fu-wu"


def test_title_without_latin_or_hanzi_still_gets_a_slug():
    assert make_article("！？😀").slug == "article"


def test_slugs_stay_unique_for_equal_titles():
    first, second = make_article("同一标题"), make_article("同一标题")
    assert (first.slug, second.slug) == ("tong-yi-biao-ti", "tong-yi-biao-ti-2")


def test_slug_is_stable_when_the_title_changes():
    article = make_article("原标题")
    article.title = "新标题"
    article.save()
    article.refresh_from_db()
    assert article.slug == "yuan-biao-ti"


def test_summary_is_derived_from_body_text_when_blank():
    article = make_article(body="<p>第一段<strong>重点</strong>。</p><p>第二段。</p>")
    assert article.summary == "第一段重点。第二段。"


def test_derived_summary_decodes_entities_and_separates_latin_paragraphs():
    article = make_article(body="<p>AI&nbsp;&amp; chips</p><p>Next one.</p>")
    assert article.summary == "AI & chips Next one."


def test_url_uses_the_local_publication_date():
    # 2022-06-05 20:00 UTC is already 6 June in Shanghai.
    when = dt.datetime(2022, 6, 5, 20, 0, tzinfo=dt.UTC)
    article = make_article("测试", published_at=when)
    assert article.get_absolute_url() == "/2022/06/06/ce-shi/"


def test_category_path_builds_the_tree_once():
    leaf = Category.objects.get_or_create_path(["新媒体", "36kr", "资讯"])
    again = Category.objects.get_or_create_path(["新媒体", "36kr", "资讯"])
    assert leaf == again
    assert leaf.path == "xin-mei-ti/36kr/zi-xun"
    assert [c.name for c in leaf.get_ancestors_and_self()] == ["新媒体", "36kr", "资讯"]
    assert Category.objects.count() == 3


def test_category_names_are_unique_among_siblings_only():
    make_category_path("科技", "芯片")
    make_category_path("商业", "芯片")
    root = Category.objects.get(name="科技", parent=None)
    with pytest.raises(IntegrityError):
        Category.objects.create(name="芯片", parent=root, slug="other-slug")


def test_root_category_names_are_unique():
    Category.objects.create(name="科技")
    with pytest.raises(IntegrityError):
        Category.objects.create(name="科技", slug="ke-ji-other")


def test_renaming_a_category_slug_moves_its_descendants():
    leaf = make_category_path("科技", "芯片", "制造")
    root = Category.objects.get(parent=None, name="科技")
    root.slug = "tech"
    root.save()
    leaf.refresh_from_db()
    assert leaf.path == "tech/xin-pian/zhi-zao"
    assert leaf.get_absolute_url() == "/category/tech/xin-pian/zhi-zao/"


def test_in_category_includes_descendants_once():
    chips = make_category_path("科技", "芯片")
    fab = make_category_path("科技", "芯片", "制造")
    other = make_category_path("商业")
    both = make_article(categories=[chips, fab])
    below = make_article(categories=[fab])
    make_article(categories=[other])
    found = Article.objects.published().in_category(chips)
    assert sorted(a.pk for a in found) == sorted([both.pk, below.pk])


def test_deleting_a_category_keeps_its_articles():
    leaf = make_category_path("科技", "芯片")
    article = make_article(categories=[leaf])
    leaf.delete()
    assert Article.objects.filter(pk=article.pk).exists()


def test_a_category_with_children_cannot_be_deleted():
    make_category_path("科技", "芯片")
    with pytest.raises(ProtectedError):
        Category.objects.get(parent=None).delete()


def test_an_author_with_articles_cannot_be_deleted():
    author = make_author("36kr")
    make_article(author=author)
    with pytest.raises(ProtectedError):
        author.delete()
    assert Author.objects.filter(pk=author.pk).exists()


def test_deleting_a_user_keeps_the_byline_and_articles():
    user = get_user_model().objects.create_user("li", password="x-unused-x")
    author = make_author("李明", user=user)
    article = make_article(author=author)
    user.delete()
    author.refresh_from_db()
    assert author.user is None
    assert Article.objects.filter(pk=article.pk).exists()


@pytest.mark.parametrize("role", ["hero_image", "thumbnail"])
def test_an_image_in_use_cannot_be_deleted(role):
    image = make_image()
    article = make_article(**{role: image})
    with pytest.raises(ProtectedError):
        image.delete()
    assert Article.objects.filter(pk=article.pk).exists()


def test_a_remote_image_url_is_recorded_once():
    make_image("https://img.example.com/a.jpg")
    with pytest.raises(IntegrityError):
        Image.objects.create(source_url="https://img.example.com/a.jpg")


def test_image_url_prefers_the_stored_file(tmp_path, settings):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "red").save(buffer, "PNG")
    image = Image(source_url="https://img.example.com/red.png", alt_text="红色")
    image.file.save("red.png", ContentFile(buffer.getvalue()))
    image.refresh_from_db()
    assert (image.width, image.height) == (40, 30)
    assert image.url.startswith("/media/images/")
    assert len(image.sha256) == 64


def test_tags_get_pinyin_slugs():
    article = make_article(tags=["电商", "AI"])
    assert sorted(article.tags.values_list("slug", flat=True)) == ["ai", "dian-shang"]
