"""The comment form's markup made once a process (articles.comment_form_markup): the same as
the template renders it for each article, its widgets' templates rendered once."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test.signals import template_rendered
from django.utils import timezone
from django.utils.translation import override

from articles import comment_form_markup, comments
from articles.tests.factories import freeze_clock, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return freeze_clock(monkeypatch, timezone.now())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_form_made_once_is_the_form_the_template_renders(clock, language, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "COMMENTS_APPROVE_IMMEDIATELY": language == "en"}
    with override(language):
        for article in (make_article("第一篇"), make_article("第二篇")):
            clock.advance(dt.timedelta(seconds=7))
            form = comments.CommentForm(article)
            rendered = render_to_string(comment_form_markup.TEMPLATE, {"article": article, "form": form})
            assert comment_form_markup.form_markup(article, form) == rendered
            assert f"/comments/post/{article.pk}/" in rendered and form.initial["stamp"] in rendered


def test_a_reply_form_is_rendered_in_full(clock):
    article = make_article()
    form = comments.CommentForm(article, reply_to=(12, "读者<甲>"))
    markup = comment_form_markup.form_markup(article, form)
    assert markup == render_to_string(comment_form_markup.TEMPLATE, {"article": article, "form": form})
    assert "读者&lt;甲&gt;" in markup and 'value="12"' in markup


def test_article_pages_render_the_form_widgets_once(client, no_page_cache):
    rendered = []

    def seen(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    try:
        for title in ("第一篇", "第二篇", "第三篇"):
            response = client.get(make_article(title).get_absolute_url())
            assert 'id="comment-form"' in response.content.decode()
    finally:
        template_rendered.disconnect(seen)
    assert rendered.count("django/forms/widgets/textarea.html") <= 1
