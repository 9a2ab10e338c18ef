"""The day's flow in the admin: the front page's sections by role (articles.dashboard), the
已退回 badge and the notes an article's change page shows about its latest move, and the query
counts of the front page and the change page, which do not grow with the archive."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, WRITER_GROUP
from articles.tests.factories import make_article, make_author, make_category_path, make_image, make_staff

pytestmark = pytest.mark.django_db

S = Article.Status
INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:articles_article_changelist")


@pytest.fixture
def writer():
    return make_staff("writer", WRITER_GROUP, first_name="李明")


@pytest.fixture
def other_writer():
    return make_staff("other", WRITER_GROUP)


@pytest.fixture
def editor():
    return make_staff("editor", EDITOR_GROUP, first_name="王编辑")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def draft_of(user, title=None, **fields):
    return make_article(title, published=False, created_by=user, **fields)


def sent_back(writer, editor, title, comment="请补充数据来源"):
    article = draft_of(writer, title)
    workflow.submit(article, by=writer, comment="初稿完成")
    workflow.send_back(article, by=editor, comment=comment)
    return article


def submitted(writer, title, note=""):
    article = draft_of(writer, title)
    workflow.submit(article, by=writer, comment=note)
    return article


def sections_of(client, user):
    client.force_login(user)
    response = client.get(INDEX)
    assert response.status_code == 200
    return {section.key: section for section in response.context["dashboard"]}, response.content.decode()


def labels(section):
    return [row.label for row in section.rows]


# --- The front page by role -------------------------------------------------------------------


def test_writer_sees_drafts_sent_back_with_the_comment_and_submissions_waiting(client, writer, other_writer, editor):
    draft_of(writer, "还在写的稿")
    sent_back(writer, editor, "退回的稿", comment="请补充数据来源")
    submitted(writer, "交上去的稿")
    submitted(other_writer, "别人交的稿")
    draft_of(other_writer, "别人的草稿")

    sections, html = sections_of(client, writer)

    assert list(sections) == ["sent_back", "drafts", "review", "scheduled", "published"]
    returned = sections["sent_back"]
    assert (returned.count, labels(returned)) == (1, ["退回的稿"])
    assert returned.rows[0].move.comment == "请补充数据来源" and returned.rows[0].move.by_name == "王编辑"
    assert sections["drafts"].count == 2 and set(labels(sections["drafts"])) == {"还在写的稿", "退回的稿"}
    # Among the drafts, the one sent back carries its badge.
    badges = {row.label: row.badge for row in sections["drafts"].rows}
    assert badges == {"还在写的稿": "", "退回的稿": "已退回"}
    review = sections["review"]
    assert (review.count, labels(review), review.rows[0].badge) == (1, ["交上去的稿"], "等待审核")
    assert "请补充数据来源" in html and "等待审核" in html and "别人" not in html


def test_editor_sees_all_submissions_oldest_first_with_the_writers_note(
    client, writer, other_writer, editor, monkeypatch
):
    first = submitted(other_writer, "先交的稿", note="请今天发")
    Article.objects.filter(pk=first.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    submitted(writer, "后交的稿")
    draft_of(writer, "没交的稿")

    sections, html = sections_of(client, editor)

    assert list(sections) == ["review", "scheduled", "published", "images", "comments", "sent_back", "drafts"]
    review = sections["review"]
    assert (review.count, labels(review)) == (2, ["先交的稿", "后交的稿"])
    assert [row.writer for row in review.rows] == ["other", "李明"]
    assert review.rows[0].move.comment == "请今天发" and "请今天发" in html
    assert sections["drafts"].count == 0 and sections["sent_back"].count == 0


def test_scheduled_shows_times_and_recently_published_counts_the_last_week(client, writer, editor):
    now = timezone.now()
    later = make_article("明天发的稿", published_at=now + dt.timedelta(days=1), created_by=writer)
    make_article("后天发的稿", published_at=now + dt.timedelta(days=2))
    make_article("昨天的稿", published_at=now - dt.timedelta(days=1), created_by=writer)
    make_article("上个月的稿", published_at=now - dt.timedelta(days=30))

    sections, html = sections_of(client, editor)
    scheduled = sections["scheduled"]
    assert (scheduled.count, labels(scheduled)) == (2, ["明天发的稿", "后天发的稿"])
    assert scheduled.rows[0].when == later.published_at
    assert timezone.localtime(later.published_at).strftime("%Y-%m-%d %H:%M") in html
    published = sections["published"]
    assert published.count == 1 and labels(published) == ["昨天的稿", "上个月的稿"]

    # A writer sees their own only.
    sections, _ = sections_of(client, writer)
    assert labels(sections["scheduled"]) == ["明天发的稿"] and labels(sections["published"]) == ["昨天的稿"]


def test_editors_see_library_images_missing_alt_text(client, editor, writer):
    make_image(title="没写替代文本", alt_text=" ")
    make_image(title="写了", alt_text="一块芯片")
    sections, html = sections_of(client, editor)
    images = sections["images"]
    assert (images.count, labels(images)) == (1, ["没写替代文本"])
    assert images.list_url == reverse("admin:articles_image_changelist") + "?alt=missing"
    assert "images" not in sections_of(client, writer)[0]


def test_each_section_links_to_the_list_of_what_it_counts(client, writer, other_writer, editor):
    now = timezone.now()
    draft_of(writer, "草稿")
    sent_back(writer, editor, "退回稿")
    submitted(writer, "待审稿")
    submitted(other_writer, "别人的待审稿")
    make_article("排期稿", published_at=now + dt.timedelta(hours=3), created_by=writer)
    make_article("新发的稿", published_at=now - dt.timedelta(hours=3), created_by=writer)
    make_article("旧稿", published_at=now - dt.timedelta(days=40), created_by=writer)
    make_image(alt_text="")
    for user in (writer, editor):
        sections, html = sections_of(client, user)
        for section in sections.values():
            assert section.list_url.replace("&", "&amp;") in html
            listed = client.get(section.list_url)
            assert listed.status_code == 200
            assert listed.context["cl"].result_count == section.count, (user, section.key)
        for section in sections.values():
            for row in section.rows:
                assert row.url in html


def test_people_without_articles_see_djangos_front_page(client):
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(clerk)
    response = client.get(INDEX)
    assert response.status_code == 200 and response.context["dashboard"] == []
    assert "dashboard-section--review" not in response.content.decode()


def test_the_list_of_models_stays_below_the_sections(client, editor):
    html = sections_of(client, editor)[1]
    assert 0 < html.index("dashboard-section--review") < html.index('class="app-articles module')
    assert "site-name" in html and "管理" in html  # the site header set in config/urls.py


def test_the_site_header_is_the_newsrooms(client, editor, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "SITE_NAME": "测试编辑室"}
    html = sections_of(client, editor)[1]
    assert "测试编辑室 管理" in html


# --- Sent back: the badge and the change page -------------------------------------------------


def test_a_sent_back_draft_carries_the_badge_in_the_list(client, writer, editor):
    sent_back(writer, editor, "被退回的")
    withdrawn = submitted(writer, "撤回的")
    workflow.withdraw(withdrawn, by=writer)
    resubmitted = sent_back(writer, editor, "又交了的")
    workflow.submit(resubmitted, by=writer)
    client.force_login(writer)
    response = client.get(CHANGELIST)
    states = {article.title: article.display_state for article in response.context["cl"].result_list}
    assert states == {"被退回的": "sent_back", "撤回的": "draft", "又交了的": "review"}
    html = response.content.decode()
    assert html.count('article-state--sent_back">已退回</span>') == 1


def test_the_sent_back_filter_lists_only_drafts_waiting_on_a_comment(client, writer, editor):
    sent_back(writer, editor, "被退回的")
    draft_of(writer, "普通草稿")
    client.force_login(editor)
    response = client.get(CHANGELIST, {"state": "sent_back"})
    assert [a.title for a in response.context["cl"].result_list] == ["被退回的"]


@pytest.mark.parametrize("viewer", ["writer", "editor"])
def test_the_change_page_opens_with_the_latest_send_back_comment(client, writer, editor, viewer):
    article = sent_back(writer, editor, "被退回的", comment="第一次意见")
    workflow.submit(article, by=writer)
    workflow.send_back(article, by=editor, comment="第二次：标题太长")
    client.force_login(writer if viewer == "writer" else editor)
    html = client.get(change_url(article)).content.decode()
    notice = html.index('class="sent-back-notice"')
    assert notice < html.index('class="article-workflow"') < html.index('id="article_form"')
    assert html.index("第二次：标题太长", notice) < html.index('class="article-workflow"')
    assert 'article-state--sent_back">已退回' in html[notice:]
    latest = article.transitions.first()
    assert f"王编辑 于 {timezone.localtime(latest.at):%Y-%m-%d %H:%M} 退回了这篇稿件" in html
    # The history of moves stays at the bottom, the first comment with it.
    assert html.index("第一次意见") > html.index('id="article_form"')
    assert html.index("状态变更记录") > html.index('id="article_form"')


def test_the_notice_goes_once_the_article_moves_on(client, writer, editor):
    article = sent_back(writer, editor, "被退回的", comment="请改")
    workflow.submit(article, by=writer)
    client.force_login(writer)
    assert 'class="sent-back-notice"' not in client.get(change_url(article)).content.decode()


def test_editors_see_the_writers_submit_note_by_the_publish_controls(client, writer, editor):
    article = submitted(writer, "交上去的", note="数据已核对，请今天发")
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    note = html.index('class="submit-note"')
    assert html.index('class="article-workflow"') < note < html.index('id="workflow-publish"')
    assert "李明 于" in html[note:] and "数据已核对，请今天发" in html[note:]

    client.force_login(writer)  # the writer wrote it: no need to show it back to them
    assert 'class="submit-note"' not in client.get(change_url(article)).content.decode()


# --- Query counts: the same whatever the archive holds ---------------------------------------


def populate(n, writer, editor):
    """`n` articles in every state the front page lists, with moves, categories and tags."""
    author, leaf, image = make_author(), make_category_path("科技", "芯片"), make_image(alt_text="")
    now = timezone.now()
    for i in range(n):
        kind = i % 5
        if kind == 0:
            article = sent_back(writer, editor, f"退回 {i}")
        elif kind == 1:
            article = submitted(writer, f"待审 {i}", note="请看")
        elif kind == 2:
            article = make_article(
                f"排期 {i}", author=author, created_by=writer, published_at=now + dt.timedelta(hours=i + 1)
            )
        elif kind == 3:
            article = make_article(f"已发 {i}", author=author, created_by=writer, thumbnail=image)
        else:
            article = draft_of(writer, f"草稿 {i}")
        article.categories.set([leaf])
        article.tags.set(["芯片"])
        make_image(alt_text="")


def count_queries(client, url):
    client.get(url)  # the session and the user, read alike in both runs
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_the_front_page_costs_the_same_queries_at_5_and_60_articles(
    client, writer, editor, role, django_assert_max_num_queries
):
    client.force_login(writer if role == "writer" else editor)
    populate(5, writer, editor)
    few = count_queries(client, INDEX)
    populate(55, writer, editor)
    assert Article.objects.count() == 60
    many = count_queries(client, INDEX)
    print(f"\nadmin front page ({role}): {few} queries at 5 articles, {many} at 60")
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(INDEX)


@pytest.mark.parametrize("role", ["writer", "editor"])
def test_the_change_page_costs_the_same_queries_at_5_and_60_articles(
    client, writer, editor, role, django_assert_max_num_queries
):
    client.force_login(writer if role == "writer" else editor)
    populate(5, writer, editor)
    article = sent_back(writer, editor, "看的这篇")
    article.categories.set([make_category_path("科技", "芯片")])
    article.tags.set(["芯片", "AI"])
    url = change_url(article)
    few = count_queries(client, url)
    populate(55, writer, editor)
    many = count_queries(client, url)
    print(f"\nadmin change page ({role}): {few} queries at 5 articles, {many} at 60")
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(url)


def test_the_chief_editor_sees_the_editors_front_page(client):
    chief = make_staff("chief", CHIEF_EDITOR_GROUP)
    sections, _ = sections_of(client, chief)
    assert list(sections)[:4] == ["review", "scheduled", "published", "images"]
