"""Revisions of articles: every save keeps one, two can be compared, an old one can be restored
(sanitized, through the edit form), and an edit made on an outdated form is refused, not lost.

The admin views run on a small AdminSite defined here (a VersionAdmin with ArticleAdminForm and
the compare URL), so these tests do not depend on how articles/admin.py is wired.
"""
import json
import re

import pytest
import reversion
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import include, path, reverse
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles import revisions
from articles.admin_views import compare_view
from articles.forms import ArticleAdminForm
from articles.models import Article, Transition
from articles.tests.factories import make_article, make_author

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

FIELDS = ("title", "slug", "author", "summary", "body", "status", "allow_comments", "edit_version")


class RevisionArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    fields = FIELDS

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        compare = path(
            "<path:object_id>/compare/",
            self.admin_site.admin_view(lambda request, object_id: compare_view(self, request, object_id)),
            name="%s_%s_compare" % info,
        )
        return [compare, *super().get_urls()]

    def has_view_or_change_permission(self, request, obj=None):
        # Per object, as the real ArticleAdmin does: a writer sees only their own articles.
        if not super().has_view_or_change_permission(request, obj):
            return False
        return obj is None or request.user.has_perm("articles.edit_any_article") or (
            obj.created_by_id == request.user.pk
        )


site = admin.AdminSite(name="admin")
site.register(Article, RevisionArticleAdmin)
# The public site too: its 404 page links to it.
urlpatterns = [path("admin/", site.urls), path("", include("articles.urls"))]


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def compare_url(article, **params):
    url = reverse("admin:articles_article_compare", args=[article.pk])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def hidden_edit_version(html):
    return int(re.search(r'name="edit_version" value="(\d+)"', html).group(1))


def post_data(article, edit_version, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "author": article.author_id,
        "summary": article.summary,
        "body": article.body,
        "status": article.status,
        "allow_comments": "on" if article.allow_comments else "",
        "edit_version": edit_version,
    }
    data.update(changes)
    return data


@pytest.fixture
def make_user():
    def make(username, **fields):
        fields.setdefault("is_staff", True)
        return get_user_model().objects.create_user(username, password="a-long-test-password", **fields)

    return make


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def chief(make_user):
    return make_user("chief", is_superuser=True, first_name="", last_name="")


def save_revision(article, user=None, comment="", **changes):
    with reversion.create_revision():
        for name, value in changes.items():
            setattr(article, name, value)
        article.save()
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment)
    return revisions.latest_version(article)


# --- Keeping revisions -------------------------------------------------------------------------


def test_every_admin_save_keeps_a_revision_with_its_user(chief):
    article = make_article("第一版", body="<p>一。</p>")
    client = logged_in(chief)
    for n, title in enumerate(["第二版", "第三版"], start=1):
        form = client.get(change_url(article)).content.decode()
        response = client.post(change_url(article), post_data(article, hidden_edit_version(form), title=title))
        assert response.status_code == 302, response.content.decode()[:3000]
        assert revisions.versions_for(article).count() == n
    newest, older = revisions.versions_for(article)[:2]
    assert revisions.field_values(newest)["title"] == "第三版"
    assert revisions.field_values(older)["title"] == "第二版"
    assert newest.revision.user == chief
    assert newest.revision.date_created >= older.revision.date_created


def test_versions_for_lists_only_this_article_newest_first(chief):
    article, other = make_article("甲"), make_article("乙")
    first = save_revision(article, chief, "一", title="甲1")
    second = save_revision(article, chief, "二", title="甲2")
    save_revision(other, chief, title="乙1")
    assert list(revisions.versions_for(article)) == [second, first]
    assert revisions.field_values(second) == {"title": "甲2", "summary": article.summary, "body": article.body}


def test_diff_marks_added_removed_and_same_lines_of_the_readable_body():
    old = {"title": "旧标题", "summary": "摘要", "body": "<p>第一句。第二句！</p><p>Third one. Fourth.</p>"}
    new = {"title": "新标题", "summary": "摘要", "body": "<p>第一句。<b>改过</b>的第二句！</p><p>Third one. Fourth.</p>"}
    title, summary, body = revisions.diff(old, new)
    assert title.label == "标题" and title.lines == [("removed", "旧标题"), ("added", "新标题")]
    assert summary.label == "摘要" and summary.lines == [("same", "摘要")] and not summary.changed
    assert body.label == "正文" and body.changed
    assert body.lines == [
        ("same", "第一句。"),
        ("removed", "第二句！"),
        ("added", "改过的第二句！"),
        ("same", "Third one."),
        ("same", "Fourth."),
    ]


# --- Comparing ---------------------------------------------------------------------------------


def test_compare_shows_changes_of_the_two_newest_and_escapes_stored_text(chief):
    article = make_article("原标题", body="<p>不变的一句。会被删掉的一句。</p>", summary="旧摘要")
    save_revision(article, chief, "初稿")
    save_revision(
        article, chief, "改稿",
        title="<script>alert(1)</script>新标题", summary="新摘要", body="<p>不变的一句。新加的一句。</p>",
    )
    response = logged_in(chief).get(compare_url(article))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;新标题</ins>" in html
    assert "<del>原标题</del>" in html
    assert "<del>旧摘要</del>" in html and "<ins>新摘要</ins>" in html
    assert "<del>会被删掉的一句。</del>" in html and "<ins>新加的一句。</ins>" in html
    assert '<span class="same">不变的一句。</span>' in html
    # The picker lists both revisions with their comments.
    assert "初稿" in html and "改稿" in html and html.count('type="radio" name="a"') == 2


def test_compare_picks_the_requested_versions_in_time_order(chief):
    article = make_article("v0")
    v1 = save_revision(article, chief, title="v1")
    save_revision(article, chief, title="v2")
    v3 = save_revision(article, chief, title="v3")
    request = RequestFactory().get("/", {"a": v3.pk, "b": v1.pk})
    request.user = chief
    response = compare_view(site._registry[Article], request, str(article.pk))
    assert response.context_data["old"] == v1 and response.context_data["new"] == v3
    assert response.context_data["changes"][0].lines == [("removed", "v1"), ("added", "v3")]


def test_compare_refuses_versions_of_another_article(chief):
    article, other = make_article("本文"), make_article("他文")
    save_revision(article, chief, title="本文1")
    foreign = save_revision(other, chief, title="他文1")
    client = logged_in(chief)
    assert client.get(compare_url(article, a=foreign.pk)).status_code == 404
    assert client.get(compare_url(article, b="x")).status_code == 404
    assert client.get(compare_url(article)).status_code == 200


def test_compare_needs_permission_on_the_article(make_user):
    owner, other = make_user("writer1"), make_user("writer2")
    perms = Permission.objects.filter(codename__in=["view_article", "change_article"])
    for user in (owner, other):
        user.user_permissions.set(perms)
    article = make_article("一号的稿子", created_by=owner, published=False)
    save_revision(article, owner, title="一号的稿子（改）")
    assert logged_in(owner).get(compare_url(article)).status_code == 200
    assert logged_in(other).get(compare_url(article)).status_code == 403
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(pk=other.pk)
    with pytest.raises(PermissionDenied):
        compare_view(site._registry[Article], request, str(article.pk))
    with pytest.raises(Http404):
        compare_view(site._registry[Article], request, "999999")


# --- Restoring ---------------------------------------------------------------------------------


def _poison(version, body):
    """Make a stored version hold `body` verbatim, as an old or tampered revision might."""
    data = json.loads(version.serialized_data)
    data[0]["fields"]["body"] = body
    version.serialized_data = json.dumps(data)
    version.save()
    return Version.objects.get(pk=version.pk)


def test_reverting_a_version_never_bypasses_the_sanitizer(chief):
    article = make_article("标题", body="<p>现在的正文</p>")
    old = _poison(save_revision(article, chief), '<p onclick="x()">旧正文</p><script>alert(1)</script>')
    save_revision(article, chief, body="<p>更新的正文</p>")
    old.revert()
    article.refresh_from_db()
    assert article.body == "<p>旧正文</p>"


def test_restoring_in_the_admin_creates_a_new_sanitized_revision(chief):
    article = make_article("原来的标题", body="<p>原来的正文</p>")
    old = _poison(save_revision(article, chief, "初稿"), "<p>原来的正文</p><script>alert(1)</script>")
    save_revision(article, chief, "改稿", title="后来的标题", body="<p>后来的正文</p>")
    save_revision(article, chief, "又改", title="最后的标题")
    article.refresh_from_db()
    before = article.edit_version
    client = logged_in(chief)
    url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])

    form = client.get(url).content.decode()
    assert "原来的标题" in form
    # The hidden lock value is the article's current one, not the old version's.
    assert hidden_edit_version(form) == before
    article.refresh_from_db()
    assert article.title == "最后的标题"  # viewing changes nothing

    old_article = Article(**{k: v for k, v in old.field_dict.items() if k not in ("categories", "tags")})
    response = client.post(url, post_data(old_article, hidden_edit_version(form)))
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.title == "原来的标题"
    assert article.body == "<p>原来的正文</p>"
    assert article.edit_version > before  # the number never goes back
    newest = revisions.latest_version(article)
    assert revisions.versions_for(article).count() == 4
    assert revisions.field_values(newest)["body"] == "<p>原来的正文</p>"
    assert newest.revision.user == chief


def test_a_stale_form_opened_before_a_restore_is_refused(chief):
    article = make_article("一", body="<p>一</p>")
    old = save_revision(article, chief, title="一")
    save_revision(article, chief, title="二")
    client = logged_in(chief)
    stale = hidden_edit_version(client.get(change_url(article)).content.decode())
    url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    restore_form = client.get(url).content.decode()
    article.refresh_from_db()
    assert client.post(url, post_data(article, hidden_edit_version(restore_form), title="一")).status_code == 302
    article.refresh_from_db()
    response = client.post(change_url(article), post_data(article, stale, title="旧窗口"))
    assert response.status_code == 200 and "这篇文章已被" in response.content.decode()


# --- Optimistic lock ---------------------------------------------------------------------------


def test_two_concurrent_edits_the_second_is_refused_then_saved_on_purpose(make_user):
    alice = make_user("alice", is_superuser=True)
    bob = make_user("bob", is_superuser=True)
    article = make_article("共同的稿子", body="<p>原文</p>")
    a, b = logged_in(alice), logged_in(bob)
    a_version = hidden_edit_version(a.get(change_url(article)).content.decode())
    b_version = hidden_edit_version(b.get(change_url(article)).content.decode())
    assert a_version == b_version == article.edit_version

    assert a.post(change_url(article), post_data(article, a_version, title="A 的标题")).status_code == 302

    b_data = post_data(article, b_version, title="B 的标题", body="<p>B 写的正文</p>")
    refused = b.post(change_url(article), b_data)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "这篇文章已被 alice 于" in html and "你的修改尚未保存" in html
    # Nothing B typed is lost, and the form now carries the current version.
    assert 'value="B 的标题"' in html and "&lt;p&gt;B 写的正文&lt;/p&gt;" in html
    article.refresh_from_db()
    assert article.title == "A 的标题"
    assert hidden_edit_version(html) == article.edit_version != b_version

    b_data["edit_version"] = hidden_edit_version(html)
    assert b.post(change_url(article), b_data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("B 的标题", "<p>B 写的正文</p>")


def _form_data(article, edit_version, **changes):
    data = post_data(article, edit_version, **changes)
    data["allow_comments"] = True
    return data


def test_form_takes_the_current_version_from_the_database():
    article = make_article("稿子")
    stale = Article.objects.get(pk=article.pk)
    article.save()
    assert ArticleAdminForm(instance=stale).initial["edit_version"] == article.edit_version
    assert ArticleAdminForm().initial["edit_version"] == 0
    new = ArticleAdminForm(data=_form_data(Article(author=make_author(), status="draft"), "", slug="", title="新稿"))
    assert new.is_valid(), new.errors
    assert new.save().pk


def test_conflict_names_the_last_transition_or_falls_back_to_updated_at(make_user):
    editor = make_user("editor", first_name="编", last_name="辑")
    article = make_article("稿子")
    stale_version = article.edit_version
    Article.objects.get(pk=article.pk).save()  # a save outside any revision
    form = ArticleAdminForm(data=_form_data(article, stale_version), instance=Article.objects.get(pk=article.pk))
    assert not form.is_valid()
    assert form.non_field_errors()[0].startswith("这篇文章已被 其他人 于 ")
    assert form.has_error("__all__", code="edit_conflict")

    Transition.objects.create(article=article, from_status="draft", to_status="review", by=editor)
    form = ArticleAdminForm(data=_form_data(article, stale_version), instance=Article.objects.get(pk=article.pk))
    assert not form.is_valid()
    assert form.non_field_errors()[0].startswith("这篇文章已被 编 辑 于 ")
