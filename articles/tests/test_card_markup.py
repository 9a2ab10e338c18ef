"""Article cards written out in Python (articles.card_markup): the template's text to the byte."""
import datetime as dt

import pytest
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import override

from articles import card_markup
from articles.models import Article
from articles.templatetags.newsroom import CARD_TEMPLATE, news_date, responsive_image
from articles.tests.factories import make_article, make_author, make_category_path, make_image

pytestmark = pytest.mark.django_db


def _template():
    return get_template(CARD_TEMPLATE).template


def test_the_card_template_is_the_one_card_markup_writes_out():
    # Edited the card template? Bring articles.card_markup.card() in line, then WRITTEN_FOR.
    assert card_markup.follows(_template())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_cards_written_out_are_the_templates_cards(language, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    now = timezone.now()
    author = make_author('编辑部 & "合作者" <外>')
    articles = [
        make_article("普通卡片", categories=[make_category_path("科技", "芯片")], thumbnail=make_image()),
        make_article(
            '<b>标题</b> & "引号"', summary="摘要 <i>&amp;</i> 'x'", author=author,
            published_at=now - dt.timedelta(minutes=1),
        ),
        make_article(
            "English card", language="en", thumbnail=make_image(alt_text='图 "说明" <x>'),
            categories=[make_category_path("商业", "电商"), make_category_path("产业"), make_category_path("科技", "云")],
            published_at=dt.datetime(2024, 12, 31, 20, 30, tzinfo=dt.timezone.utc),
        ),
        make_article("繁體", language="zh-Hant", categories=[make_category_path("新媒体", "36kr", "快讯")]),
    ]
    template = _template()
    with override(language):
        for article in Article.objects.for_listing().filter(pk__in=[a.pk for a in articles]):
            expected = template.render(Context({"article": article}))
            assert card_markup.card(article, responsive_image, news_date) == expected, article.title


def test_an_edited_card_template_is_rendered_by_the_engine():
    edited = get_template(CARD_TEMPLATE).template
    edited.source = edited.source + "<!-- 改过 -->"
    try:
        assert not card_markup.follows(edited)
    finally:
        edited.source = edited.source.removesuffix("<!-- 改过 -->")
