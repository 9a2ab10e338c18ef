"""The admin speaks Chinese by default and English on request; the reading site is Chinese only.

The project's strings are written in Chinese (the source language) and translated to English in
locale/en/LC_MESSAGES/django.po; Django's own strings come with Django's zh-hans catalog.
"""

import gettext
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from articles.permission_labels import permission_label
from articles.tests.factories import make_article

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOG = LOCALE / "en" / "LC_MESSAGES"


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


def test_workflow_messages_follow_the_language_but_the_stored_comment_stays_chinese(chief_client, draft):
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
    assert messages == ["Could not apply “Unpublish”: “Unpublish” does not apply to an article in state “Draft”."]


def test_the_language_cookie_switches_the_admin(chief_client, draft):
    chief_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(chief_client, reverse("admin:articles_article_change", args=[draft.pk]))
    assert 'value="Save"' in html and ">Submit for review</button>" in html


# --- The admin's scripts: the body editor, the image picker, Django's own ------------------------


def javascript_catalog(client, **headers):
    """The admin's JavaScript catalog (what window.gettext answers), as a dict."""
    script = page(client, reverse("admin:jsi18n"), **headers)
    return json.loads(re.search(r"const newcatalog = (\{.*?\});\n", script, re.S)[1])


def test_the_editor_speaks_chinese(chief_client):
    catalog = javascript_catalog(chief_client)
    # django-prose-editor's dialogs (it ships no Chinese)…
    assert catalog["Insert Figure"] == "插入图片"
    assert catalog["Image URL"] == "图片地址"
    assert catalog["Edit Link"] == "编辑链接"
    assert catalog["Insert Table"] == "插入表格"
    # …and Django's two-box picker, newer than Django's own zh_Hans catalog.
    assert catalog["Choose all %s"] == "选择全部%s"
    assert catalog["Cancel"] == "取消"  # still Django's


def test_the_editor_speaks_english_on_request(chief_client):
    catalog = javascript_catalog(chief_client, HTTP_ACCEPT_LANGUAGE="en")
    assert "Insert Figure" not in catalog  # the editor's own English
    # Our scripts' strings are Chinese in the source: toolbar names, the image picker.
    assert catalog["粗体"] == "Bold"
    assert catalog["插入链接"] == "Insert link"
    assert catalog["搜索图片库"] == "Search the image library"
    assert catalog["标题 %(level)s"] == "Heading %(level)s"


def test_the_change_page_loads_the_catalog_before_the_editor(chief_client, draft):
    html = page(chief_client, reverse("admin:articles_article_change", args=[draft.pk]))
    catalog = html.index(f'src="{reverse("admin:jsi18n")}"')
    # The editor reads window.gettext once, when its module first runs.
    assert catalog < html.index("django_prose_editor/editor.js")
    assert catalog < html.index("articles/admin/editor-toolbar-labels.js")
    assert catalog < html.index("articles/admin/image-picker.js")


# --- Names Django and other packages leave in English --------------------------------------------


def test_the_index_names_every_app_and_model_in_chinese(chief_client):
    html = page(chief_client, reverse("admin:index"))
    assert ">内容</a>" in html and ">登录保护</a>" in html  # apps without a Chinese name of their own
    assert "登录尝试" in html and "登录日志" in html  # django-axes' models
    assert "模型名称" in html  # Django's newer table headings
    for english in ("Articles", "Axes", "Access attempts", "Model name"):
        assert english not in html


def test_the_user_form_names_permissions_in_chinese(chief_client):
    html = page(chief_client, reverse("admin:auth_user_change", args=[get_user_model().objects.get().pk]))
    assert "内容 | 文章 | 可以添加文章" in html
    assert "内容 | 文章 | 可以发布、排期、撤下和归档文章" in html
    assert "内容 | 搜索文档 | 可以查看搜索文档" in html
    assert "版本记录 | 修订 | 可以删除修订" in html
    assert "Can add" not in html and "search document" not in html and "revision" not in html


def test_the_group_form_names_permissions_in_chinese(chief_client):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="实习生")
    html = page(chief_client, reverse("admin:auth_group_change", args=[group.pk]))
    assert "内容 | 文章 | 可以编辑其他撰稿人的文章" in html and "Can " not in html


def test_a_permission_label_keeps_a_name_it_cannot_build():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    odd = Permission.objects.create(
        codename="export_everything",
        name="Can export everything",
        content_type=ContentType.objects.get_for_model(Article),
    )
    assert permission_label(odd) == "内容 | 文章 | Can export everything"


def lock_out(client, **headers):
    get_user_model().objects.create_user("writer", password="a-long-test-password", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "writer", "password": "wrong"}, **headers)
    response = client.post(
        reverse("admin:login"), {"username": "writer", "password": "a-long-test-password"}, **headers
    )
    assert response.status_code == 429
    return response.content.decode()


def test_the_lockout_is_explained_in_chinese(client):
    assert lock_out(client) == "账户已锁定：登录失败次数过多，请稍后再试。"


def test_the_lockout_is_explained_in_english_on_request(client):
    text = lock_out(client, HTTP_ACCEPT_LANGUAGE="en")
    assert text == "Account locked: too many login attempts. Please try again later."


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
        entries.append((flags, values.get("msgctxt"), values["msgid"], values.get("msgid_plural"), strs))
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


@pytest.mark.parametrize(
    "catalog",
    ["en/LC_MESSAGES/djangojs.po", "zh_Hans/LC_MESSAGES/django.po", "zh_Hans/LC_MESSAGES/djangojs.po"],
)
def test_the_other_catalogs_are_complete_and_compiled(catalog):
    path = LOCALE / catalog
    compiled = gettext.GNUTranslations(path.with_suffix(".mo").open("rb"))
    for flags, _context, msgid, _plural, msgstrs in po_entries(path):
        assert "fuzzy" not in flags, msgid
        assert msgstrs and all(msgstrs), f"untranslated: {msgid}"
        assert compiled.gettext(msgid) == msgstrs[0], msgid
        for placeholder in (r"%\(\w+\)[sdr]", r"%[sd]"):
            assert sorted(re.findall(placeholder, msgid)) == sorted(re.findall(placeholder, msgstrs[0])), msgid
