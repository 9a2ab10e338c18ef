"""Previews for the newsroom and signed share links (articles.preview)."""

import json
import time

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.core import signing
from reversion.models import Version

from articles import workflow
from articles.models import Article
from articles.preview import preview_url, revision_preview_url, share_token, share_url
from articles.tests.factories import make_article, make_category_path

pytestmark = pytest.mark.django_db

NOINDEX_META = '<meta name="robots" content="noindex, nofollow">'
TEMPLATE = "articles/article_detail.html"


def make_user(username, group=None, **fields):
    user = User.objects.create_user(username, password="pw", is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def writer():
    return make_user("writer", "撰稿人 Writer")


@pytest.fixture
def draft(writer):
    with reversion.create_revision():
        article = make_article(
            "草稿标题",
            published=False,
            created_by=writer,
            categories=[make_category_path("科技", "芯片")],
            tags=["AI"],
            body="<p>草稿正文</p>",
        )
    return article


def template_names(response):
    return [t.name for t in response.templates]


def assert_is_preview(response, banner="预览 · 尚未发布"):
    assert response.status_code == 200
    assert TEMPLATE in template_names(response)
    assert response.context["is_preview"] is True
    html = response.content.decode()
    assert banner in html
    assert NOINDEX_META in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    return html


@pytest.mark.parametrize("role", ["creator", "编辑 Editor", "主编 Chief editor", "superuser"])
def test_creator_and_editors_preview_a_draft_in_the_public_template(client, draft, writer, role):
    if role == "creator":
        user = writer
    elif role == "superuser":
        user = User.objects.create_superuser("root", password="pw")
    else:
        user = make_user("ed", role)
    client.force_login(user)
    response = client.get(preview_url(draft))
    html = assert_is_preview(response)
    assert "<h1>草稿标题</h1>" in html
    assert "<p>草稿正文</p>" in html
    assert [c.name for c in response.context["breadcrumbs"]] == ["科技", "芯片"]
    assert preview_url(draft) == f"/preview/{draft.pk}/"


def test_another_writer_gets_404_and_anonymous_is_sent_to_login(client, draft):
    client.force_login(make_user("other", "撰稿人 Writer"))
    assert client.get(preview_url(draft)).status_code == 404
    client.logout()
    response = client.get(preview_url(draft))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_missing_article_is_404_for_editors(client):
    client.force_login(make_user("ed", "编辑 Editor"))
    assert client.get("/preview/999999/").status_code == 404


def test_the_public_page_does_not_carry_the_preview_marks(client):
    article = make_article("已发布")
    html = client.get(article.get_absolute_url()).content.decode()
    assert NOINDEX_META not in html
    assert "preview-banner" not in html


def test_the_public_url_of_a_draft_still_answers_404(client, draft):
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_revision_preview_shows_the_old_title(client, draft, writer):
    first = Version.objects.get_for_object(draft).get()
    with reversion.create_revision():
        draft.title = "新标题"
        draft.save()
    client.force_login(writer)
    assert "<h1>新标题</h1>" in client.get(preview_url(draft)).content.decode()
    response = client.get(revision_preview_url(draft, first))
    html = assert_is_preview(response)
    assert "<h1>草稿标题</h1>" in html
    assert "新标题" not in html
    assert response.context["preview_version"] == first
    # The stored article is untouched.
    assert Article.objects.get(pk=draft.pk).title == "新标题"


def test_revision_of_another_article_is_404(client, draft, writer):
    with reversion.create_revision():
        other = make_article("别的文章", published=False, created_by=writer)
    client.force_login(writer)
    version = Version.objects.get_for_object(other).get()
    assert client.get(revision_preview_url(draft, version)).status_code == 404


def test_hostile_body_in_a_revision_is_neutralized(client, draft, writer):
    version = Version.objects.get_for_object(draft).get()
    data = json.loads(version.serialized_data)
    data[0]["fields"]["body"] = (
        '<p>正文</p><script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">x</a>'
    )
    data[0]["fields"]["title"] = "<b>粗体</b>"
    version.serialized_data = json.dumps(data)
    version.save()
    client.force_login(writer)
    html = client.get(revision_preview_url(draft, version)).content.decode()
    assert "<p>正文</p>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<b>粗体</b>" not in html and "&lt;b&gt;粗体" in html


def test_share_link_works_without_an_account(client, draft, rf):
    url = share_url(draft, rf.get("/"))
    assert url.startswith("http://testserver/share/")
    response = client.get(url)
    html = assert_is_preview(response, banner="分享预览")
    assert "<h1>草稿标题</h1>" in html
    assert response.context["share_preview"] is True


def test_share_link_expires_after_max_age(client, draft, settings, monkeypatch):
    settings.NEWSROOM = {**settings.NEWSROOM, "SHARE_LINK_MAX_AGE": 60}
    url = share_url(draft)
    path = url[url.index("/share/") :]
    assert client.get(path).status_code == 200
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 61)
    response = client.get(path)
    assert response.status_code == 410
    assert "分享链接已失效" in response.content.decode()
    assert NOINDEX_META in response.content.decode()


def test_share_link_defaults_to_seven_days(client, draft, monkeypatch):
    path = f"/share/{share_token(draft)}/"
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 6 * 24 * 3600)
    assert client.get(path).status_code == 200
    monkeypatch.setattr(signing.time, "time", lambda: now + 7 * 24 * 3600 + 5)
    assert client.get(path).status_code == 410


def test_tampered_share_token_is_refused(client, draft):
    token = share_token(draft)
    payload, rest = token.split(":", 1)
    forged = signing.TimestampSigner(salt="another.salt").sign_object({"pk": draft.pk, "state": "draft:0"})
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B") + ":" + rest
    for bad in (flipped, forged, "garbage"):
        response = client.get(f"/share/{bad}/")
        assert response.status_code == 410, bad
        assert "草稿标题" not in response.content.decode()


def test_share_link_dies_when_the_article_changes_state(client, draft, writer):
    path = f"/share/{share_token(draft)}/"
    assert client.get(path).status_code == 200
    workflow.submit(draft, by=writer)
    assert client.get(path).status_code == 410
    # Back to draft: the state name matches again, but the Transition id does not.
    workflow.withdraw(draft, by=writer)
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT
    assert client.get(path).status_code == 410
    # A new link for the new state works.
    assert client.get(f"/share/{share_token(draft)}/").status_code == 200


def test_share_link_of_a_deleted_article_is_refused(client, draft):
    path = f"/share/{share_token(draft)}/"
    draft.delete()
    assert client.get(path).status_code == 410
