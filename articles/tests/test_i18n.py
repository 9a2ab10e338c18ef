"""The admin speaks Chinese by default and English on request; the reading site is Chinese only.

The project's strings are written in Chinese (the source language) and translated to English in
locale/en/LC_MESSAGES/django.po; Django's own strings come with Django's zh-hans catalog.
"""
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from articles.tests.factories import make_article

pytestmark = pytest.mark.django_db

CATALOG = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture
def chief_client(client):
    user = get_user_model().objects.create_superuser("chief", password="a-long-test-password")
    client.force_login(user)
    return client


@pytest.fixture
def draft():
    return make_article("周报", published=False)


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


# --- The admin -------------------------------------------------------------------------------


def test_changelist_in_english_on_request(chief_client, draft):
    html = page(chief_client, reverse("admin:articles_article_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en"' in html
    assert "Select article to change" in html  # Django's string with our model name
    assert "Articles" in html  # our plural model name (breadcrumbs, sidebar)
    assert ">Draft</span>" in html  # the state badge
    assert "By status" in html and "By my articles" in html  # our filter titles
    assert "Submit for review" in html  # a bulk action
    assert "Recover deleted articles" in html  # our change-list template
    assert f"{settings.NEWSROOM['SITE_NAME']} administration" in html  # the site header
    for chinese in ("草稿", "待审核", "提交审核", "我的文章", "状态"):
        assert chinese not in html


def test_changelist_in_chinese_by_default(chief_client, draft):
    html = page(chief_client, reverse("admin:articles_article_changelist"))
    assert '<html lang="zh-hans"' in html
    assert "选择 文章 来修改" in html and ">草稿</span>" in html
    assert f"{settings.NEWSROOM['SITE_NAME']} 管理" in html
    assert "以 状态" in html and "以 我的文章" in html
    assert "提交审核" in html
    assert "Select article to change" not in html and ">Draft</span>" not in html


def test_change_page_in_english_on_request(chief_client, draft):
    url = reverse("admin:articles_article_change", args=[draft.pk])
    html = page(chief_client, url, HTTP_ACCEPT_LANGUAGE="en")
    assert 'value="Save"' in html  # Django's own string
    assert "Workflow" in html and "Current state:" in html
    assert ">Draft</span>" in html
    assert ">Submit for review</button>" in html and ">Publish</button>" in html
    assert "Revision history" in html and "State changes" in html
    assert "Summary and address" in html  # a fieldset
    assert "Title" in html and "Hero image" in html  # field labels
    for chinese in ("保存", "流程", "当前状态", "提交审核", "摘要与地址", "标题"):
        assert chinese not in html


def test_change_page_in_chinese_by_default(chief_client, draft):
    html = page(chief_client, reverse("admin:articles_article_change", args=[draft.pk]))
    assert 'value="保存"' in html
    assert "流程" in html and "当前状态：" in html and ">草稿</span>" in html
    assert ">提交审核</button>" in html
    assert "摘要与地址" in html and "标题" in html
    assert 'value="Save"' not in html and "Submit for review" not in html


def test_workflow_messages_follow_the_language_but_the_stored_comment_stays_chinese(
    chief_client, draft
):
    url = reverse("admin:articles_article_workflow", args=[draft.pk, "submit"])
    response = chief_client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["“周报”: “Submit for review” done."]
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    # The revision comment is data, shared by every editor: written in the site's language.
    assert Version.objects.get_for_object(draft).first().revision.get_comment() == "提交审核"


def test_a_refusal_is_explained_in_english(chief_client, draft):
    url = reverse("admin:articles_article_workflow", args=[draft.pk, "unpublish"])
    response = chief_client.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "Could not apply “Unpublish”: “Unpublish” does not apply to an article in state “Draft”."
    ]


def test_the_language_cookie_switches_the_admin(chief_client, draft):
    chief_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(chief_client, reverse("admin:articles_article_change", args=[draft.pk]))
    assert 'value="Save"' in html and ">Submit for review</button>" in html


# --- The reading site -------------------------------------------------------------------------


def test_public_home_ignores_accept_language(client):
    make_article("公开的文章")
    response = client.get(reverse("articles:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "最新文章" in html and "公开的文章" in html
    assert "Accept-Language" not in response.get("Vary", "")
    assert response.get("Content-Language") in (None, "zh-hans")


def test_public_home_ignores_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("articles:home"))
    assert '<html lang="zh-Hans">' in response.content.decode()
    assert "Accept-Language" not in response.get("Vary", "")


# --- The catalog ------------------------------------------------------------------------------


def _unquote(chunks):
    text = "".join(chunks)
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def po_entries(path):
    """[(flags, msgctxt, msgid, msgid_plural, [msgstr, ...])] for each entry after the header."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        flags, fields, current = [], {}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current].append(line[1:-1])
            else:
                current, _, value = line.partition(" ")
                fields[current] = [value[1:-1]]
        values = {key: _unquote(chunks) for key, chunks in fields.items()}
        strs = [v for k, v in sorted(values.items()) if k.startswith("msgstr")]
        entries.append(
            (flags, values.get("msgctxt"), values["msgid"], values.get("msgid_plural"), strs)
        )
    header, *rest = entries
    assert header[2] == "" and "fuzzy" not in header[0]
    return rest


def test_english_catalog_is_complete_and_compiled():
    entries = po_entries(CATALOG / "django.po")
    assert len(entries) > 100
    compiled = gettext.GNUTranslations((CATALOG / "django.mo").open("rb"))
    for flags, context, msgid, plural, msgstrs in entries:
        assert "fuzzy" not in flags, msgid
        assert msgstrs and all(msgstrs), f"untranslated: {msgid}"
        # The committed .mo matches the .po (`make run` does not compile it).
        if plural is not None:
            assert compiled.ngettext(msgid, plural, 1) == msgstrs[0], msgid
            assert compiled.ngettext(msgid, plural, 2) == msgstrs[1], msgid
        elif context is not None:
            assert compiled.pgettext(context, msgid) == msgstrs[0], msgid
        else:
            assert compiled.gettext(msgid) == msgstrs[0], msgid
        # Placeholders survive translation.
        source = set(re.findall(r"%\(\w+\)[sd]", msgid))
        assert all(set(re.findall(r"%\(\w+\)[sd]", s)) == source for s in msgstrs), msgid
