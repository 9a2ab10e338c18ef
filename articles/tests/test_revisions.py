"""Revisions of articles: every save keeps one, two can be compared, an old one can be restored
(sanitized, through the edit form), and an edit made on an outdated form is refused, not lost.

The admin views run on a small AdminSite defined here (a VersionAdmin with ArticleAdminForm and
the compare URL), so these tests do not depend on how articles/admin.py is wired.
"""

import datetime as dt
import json
import re

import pytest
import reversion
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from reversion.admin import VersionAdmin
from reversion.models import Version

from articles import revisions
from articles.admin_views import compare_view
from articles.forms import ArticleAdminForm
from articles.models import Article, Transition
from articles.tests.factories import make_article, make_author, make_category_path, make_image

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
        return (
            obj is None or request.user.has_perm("articles.edit_any_article") or (obj.created_by_id == request.user.pk)
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
    assert revisions.stored_values(newest)["title"] == "第三版"
    assert revisions.stored_values(older)["title"] == "第二版"
    assert newest.revision.user == chief
    assert newest.revision.date_created >= older.revision.date_created


def test_versions_for_lists_only_this_article_newest_first(chief):
    article, other = make_article("甲"), make_article("乙")
    first = save_revision(article, chief, "一", title="甲1")
    second = save_revision(article, chief, "二", title="甲2")
    save_revision(other, chief, title="乙1")
    assert list(revisions.versions_for(article)) == [second, first]
    stored = revisions.stored_values(second)
    assert (stored["title"], stored["summary"], stored["body"]) == ("甲2", article.summary, article.body)


NO_RELATED_ROWS = revisions.RelatedNames(authors={}, categories={}, images={})


def field_diff(name, old, new, related=NO_RELATED_ROWS):
    """The diff of one field between two stored values dicts holding it."""
    return revisions.field_diff(name, {name: old}, {name: new}, related)


def test_diff_marks_added_removed_and_same_lines_of_the_readable_body():
    title = field_diff("title", "旧标题", "新标题")
    summary = field_diff("summary", "摘要", "摘要")
    body = field_diff(
        "body",
        "<p>第一句。第二句！</p><p>Third one. Fourth.</p>",
        "<p>第一句。<b>改过</b>的第二句！</p><p>Third one. Fourth.</p>",
    )
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
        article,
        chief,
        "改稿",
        title="<script>alert(1)</script>新标题",
        summary="新摘要",
        body="<p>不变的一句。新加的一句。</p>",
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
    assert response.context_data["comparison"].fields[0].lines == [("removed", "v1"), ("added", "v3")]


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


# --- What a revision holds, and comparing every field --------------------------------------------


def _stored_data(version):
    return json.loads(Version.objects.get(pk=version.pk).serialized_data)[0]


def _rewrite(version, change):
    """Edit a stored version's data in place, as an older or damaged revision would hold it."""
    data = json.loads(version.serialized_data)
    change(data[0])
    version.serialized_data = json.dumps(data)
    version.save()
    return Version.objects.get(pk=version.pk)


def test_a_revision_records_the_tags_as_they_are_when_it_is_saved(chief):
    article = make_article("稿子", tags=["旧标签"])
    # As the admin does: the row first, its tags afterwards, in one revision.
    with reversion.create_revision():
        article.save()
        article.tags.set(["人工智能", "芯片"])
        reversion.set_user(chief)
    version = revisions.latest_version(article)
    data = _stored_data(version)
    assert data["tag_names"] == ["人工智能", "芯片"] and "tag_names" not in data["fields"]
    assert revisions.stored_values(version)["tags"] == ["人工智能", "芯片"]
    assert revisions.stored_values(version)["categories"] == []


def test_reverting_a_revision_with_tag_names_still_works_and_leaves_the_tags(chief):
    article = make_article("原标题", tags=["甲"])
    old = save_revision(article, chief, title="原标题")
    save_revision(article, chief, title="新标题")
    article.tags.set(["乙"])
    old.revert()
    article.refresh_from_db()
    assert article.title == "原标题"
    assert list(article.tags.names()) == ["乙"]


def _image(title, name, **fields):
    return make_image(f"https://img.example.com/{name}", title=title, **fields)


def test_compare_covers_every_field_by_name_path_label_and_local_time(chief):
    old_author, new_author = make_author("老作者"), make_author("新作者")
    kr = make_category_path("新媒体", "36kr")
    quick = make_category_path("新媒体", "36kr", "快讯")
    tech = make_category_path("科技")
    hero = _image("发布会现场", "stage.jpg")
    article = make_article(
        "旧标题",
        author=old_author,
        categories=[kr, tech],
        tags=["芯片", "手机"],
        published=False,
        slug="old-slug",
        summary="旧摘要",
        seo_title="旧搜索标题",
        seo_description="旧搜索描述",
        body="<p>旧正文。</p>",
        hero_image=hero,
        allow_comments=True,
    )
    old = save_revision(article, chief)
    thumb = _image("", "thumb.png", alt_text="缩略图的替代文本")
    new_hero = make_image("https://img.example.com/only-a-url.jpg")
    article.categories.set([quick, tech])
    article.tags.set(["芯片", "人工智能"])
    new = save_revision(
        article,
        chief,
        title="新标题",
        slug="new-slug",
        summary="新摘要",
        seo_title="新搜索标题",
        seo_description="新搜索描述",
        body="<p>新正文。</p>",
        author=new_author,
        hero_image=new_hero,
        thumbnail=thumb,
        status=Article.Status.PUBLISHED,
        published_at=dt.datetime(2024, 5, 8, 2, 10, tzinfo=dt.UTC),
        expires_at=dt.datetime(2024, 6, 30, 16, 0, tzinfo=dt.UTC),
        allow_comments=False,
    )
    comparison = revisions.compare(old, new)
    fields = {diff.name: diff for diff in comparison.fields}
    assert set(fields) == {
        "title",
        "slug",
        "summary",
        "seo_title",
        "seo_description",
        "body",
        "author",
        "categories",
        "tags",
        "hero_image",
        "thumbnail",
        "published_at",
        "expires_at",
        "allow_comments",
        "status",
    }
    assert comparison.changed == comparison.fields and not comparison.unknown

    def lines(name):
        return [(line.kind, line.text) for line in fields[name].lines]

    assert lines("slug") == [("removed", "old-slug"), ("added", "new-slug")]
    assert lines("seo_title") == [("removed", "旧搜索标题"), ("added", "新搜索标题")]
    assert lines("seo_description") == [("removed", "旧搜索描述"), ("added", "新搜索描述")]
    assert lines("author") == [("removed", "老作者"), ("added", "新作者")]
    assert lines("categories") == [("removed", "新媒体 › 36kr"), ("added", "新媒体 › 36kr › 快讯"), ("same", "科技")]
    assert lines("tags") == [("removed", "手机"), ("added", "人工智能"), ("same", "芯片")]
    assert lines("hero_image") == [
        ("removed", "发布会现场（stage.jpg）"),
        ("added", "https://img.example.com/only-a-url.jpg"),
    ]
    assert lines("thumbnail") == [("added", "缩略图的替代文本（thumb.png）")]
    assert lines("published_at") == [("added", "2024-05-08 10:10")]  # Asia/Shanghai
    assert lines("expires_at") == [("added", "2024-07-01 00:00")]
    assert lines("allow_comments") == [("removed", "是"), ("added", "否")]
    assert lines("status") == [("removed", "草稿"), ("added", "已发布")]
    assert fields["categories"].label == "分类" and fields["hero_image"].label == "头图"


def test_a_body_whose_text_stays_but_whose_image_or_link_changes_is_marked_changed():
    old = '<p>看这张图。<a href="https://a.example.com/">来源</a></p><p><img src="https://img.example.com/a.jpg" alt="甲"></p>'
    new = '<p>看这张图。<a href="https://b.example.com/">来源</a></p><p><img src="https://img.example.com/b.jpg" alt="甲"></p>'
    body = field_diff("body", old, new)
    assert body.changed and body.note.startswith("正文文字未变")
    assert all(line.kind == "same" for line in body.lines)
    assert body.references == [
        ("removed", "链接：https://a.example.com/"),
        ("removed", "图片：https://img.example.com/a.jpg（替代文本：甲）"),
        ("added", "链接：https://b.example.com/"),
        ("added", "图片：https://img.example.com/b.jpg（替代文本：甲）"),
    ]
    formatting = field_diff("body", "<p>一句话。</p>", "<p><strong>一句话。</strong></p>")
    assert formatting.changed and formatting.note and formatting.references == []
    same = field_diff("body", old, old)
    assert not same.changed and not same.note and same.references == []


def test_deleted_author_category_and_image_show_a_placeholder(chief):
    gone_author, author = make_author("离职的作者"), make_author("现在的作者")
    gone_category, kept = make_category_path("已撤的栏目"), make_category_path("科技")
    gone_image, image = _image("旧头图", "old.jpg"), _image("新头图", "new.jpg")
    article = make_article("稿子", author=gone_author, categories=[gone_category, kept], hero_image=gone_image)
    save_revision(article, chief)
    article.categories.set([kept])
    save_revision(article, chief, author=author, hero_image=image)
    ids = gone_author.pk, gone_category.pk, gone_image.pk
    gone_author.delete()
    gone_category.delete()
    gone_image.delete()

    response = logged_in(chief).get(compare_url(article))
    assert response.status_code == 200
    fields = {diff.name: diff for diff in response.context_data["comparison"].fields}
    assert fields["author"].lines == [("removed", f"已删除的作者（#{ids[0]}）"), ("added", "现在的作者")]
    assert fields["categories"].lines == [("removed", f"已删除的分类（#{ids[1]}）"), ("same", "科技")]
    assert fields["hero_image"].lines == [("removed", f"已删除的图片（#{ids[2]}）"), ("added", "新头图（new.jpg）")]
    assert f"已删除的分类（#{ids[1]}）" in response.content.decode()


def test_an_old_revision_without_tags_or_newer_fields_shows_not_recorded(chief):
    article = make_article("稿子", tags=["芯片"], seo_title="搜索标题")

    def as_before_tags_and_seo(data):
        del data["tag_names"]
        del data["fields"]["seo_title"]

    old = _rewrite(save_revision(article, chief), as_before_tags_and_seo)
    save_revision(article, chief, title="改过的稿子")
    response = logged_in(chief).get(compare_url(article))
    comparison = response.context_data["comparison"]
    assert [diff.name for diff in comparison.unknown] == ["seo_title", "tags"]
    tags = next(diff for diff in comparison.unknown if diff.name == "tags")
    assert (tags.old, tags.new) == ("未记录", "芯片")
    assert [diff.name for diff in comparison.changed] == ["title"]
    html = response.content.decode()
    assert "无法比较的项：" in html and "<dd>未记录</dd>" in html
    assert revisions.stored_values(old).keys() == set(revisions.COMPARED_FIELDS) - {"tags", "seo_title"}


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data["fields"].update(published_at="不是时间"),
        lambda data: data.update(model="articles.nosuchmodel"),
    ],
    ids=["bad value", "unknown model"],
)
def test_an_unreadable_revision_shows_a_placeholder_not_an_error(chief, damage):
    article = make_article("稿子")
    _rewrite(save_revision(article, chief), damage)
    save_revision(article, chief, title="新稿子")
    response = logged_in(chief).get(compare_url(article))
    assert response.status_code == 200
    comparison = response.context_data["comparison"]
    assert comparison.unreadable and not comparison.changed
    assert {diff.old for diff in comparison.unknown} == {"无法读取"}
    assert len(comparison.unknown) == len(revisions.COMPARED_FIELDS)
    assert "无法读取" in response.content.decode()


def test_compare_lists_changed_fields_first_and_folds_the_unchanged_ones(chief):
    article = make_article("稿子", summary="摘要")
    save_revision(article, chief)
    save_revision(article, chief, title="新稿子", allow_comments=not article.allow_comments)
    html = logged_in(chief).get(compare_url(article)).content.decode()
    summary = re.search(r'<p class="revision-diff__summary">(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", summary) == "改动的项：标题、允许评论"
    folded = re.search(
        r'<details class="revision-diff__unchanged">\s*<summary>未改变的项：(.*?)</summary>', html
    ).group(1)
    assert folded.split("、") == [
        "URL 名称",
        "摘要",
        "搜索结果标题",
        "搜索结果描述",
        "正文",
        "作者",
        "分类",
        "标签",
        "头图",
        "缩略图",
        "发布时间",
        "下线时间",
        "状态",
    ]
    assert html.index('id="field-title"') < html.index('<details class="revision-diff__unchanged">')


def test_compare_escapes_names_of_related_rows(chief):
    article = make_article("稿子", tags=["<b>粗</b>"], categories=[make_category_path("<script>x()</script>")])
    save_revision(article, chief)
    article.tags.add("<i>斜</i>")
    save_revision(article, chief, hero_image=_image("<img src=x onerror=alert(1)>", "x.jpg"))
    html = logged_in(chief).get(compare_url(article)).content.decode()
    assert "<b>粗</b>" not in html and "&lt;b&gt;粗&lt;/b&gt;" in html
    assert "<i>斜</i>" not in html and "<ins>&lt;i&gt;斜&lt;/i&gt;</ins>" in html
    assert "<script>x()</script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def _count_compare_queries(client, article):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(compare_url(article)).status_code == 200
    return len(queries)


def test_compare_costs_the_same_queries_however_many_versions_and_related_rows(chief):
    client = logged_in(chief)
    client.get("/admin/")  # the session and content types are warm

    small = make_article("小", categories=[make_category_path("科技")], tags=["一"], hero_image=_image("图", "a.jpg"))
    save_revision(small, chief)
    save_revision(small, chief, title="小2", author=make_author())
    few = _count_compare_queries(client, small)

    large = make_article("大", categories=[make_category_path("新媒体", "36kr", f"栏目{n}") for n in range(6)])
    large.tags.set([f"标签{n}" for n in range(8)])
    for n in range(12):
        large.categories.add(make_category_path("科技", f"子栏目{n}"))
        save_revision(
            large,
            chief,
            title=f"大{n}",
            author=make_author(),
            hero_image=_image(f"头图{n}", f"h{n}.jpg"),
            thumbnail=_image(f"缩略图{n}", f"t{n}.jpg"),
        )
    assert revisions.versions_for(large).count() == 12
    assert _count_compare_queries(client, large) == few
    # Per related kind one lookup (categories two: the rows, then their ancestors' names).
    stored = [revisions.stored_values(v) for v in revisions.versions_for(large)]
    with CaptureQueriesContext(connection) as lookups:
        revisions.RelatedNames.of(*stored)
    assert len(lookups) == 4


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
    assert revisions.stored_values(newest)["body"] == "<p>原来的正文</p>"
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
    data.setdefault("language", article.language)  # the whole form: every field it has
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


def test_each_listed_revision_links_to_its_preview_which_shows_that_revision(chief):
    article = make_article("第一版标题")
    first = save_revision(article, chief, "初稿")
    save_revision(article, chief, "改稿", title="第二版标题")
    client = logged_in(chief)
    html = client.get(compare_url(article)).content.decode()

    preview = reverse("articles:preview_revision", kwargs={"pk": article.pk, "version_id": first.pk})
    assert f'href="{preview}"' in html
    assert "第一版标题" in client.get(preview).content.decode()
