"""Workflow moves tell whom they concern (articles.notifications): a submission the editors, a
sending back or a publication the writer, never the person who moved; by e-mail (Django's locmem
backend here) and in the admin's unread list, which only its recipient reads and marks."""

import datetime as dt
import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, Notification
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, WRITER_GROUP
from articles.tests.factories import make_article, make_staff

pytestmark = pytest.mark.django_db

S = Article.Status
INBOX = reverse("admin:notifications")
INDEX = reverse("admin:index")


@pytest.fixture
def writer():
    return make_staff("writer", WRITER_GROUP, email="writer@example.com", first_name="李明")


@pytest.fixture
def editor():
    return make_staff("editor", EDITOR_GROUP, email="editor@example.com", first_name="王编辑")


@pytest.fixture
def chief():
    return make_staff("chief", CHIEF_EDITOR_GROUP, email="chief@example.com")


@pytest.fixture
def moves(django_capture_on_commit_callbacks):
    """Run the workflow's after-commit callbacks (the signal) as a committed move would."""

    def run(verb, article, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            getattr(workflow, verb)(article, **kwargs)
        return article

    return run


def draft_of(user, title="稿件"):
    return make_article(title, published=False, created_by=user)


def recipients_of(verb):
    return {n.recipient.username for n in Notification.objects.filter(verb=verb)}


# --- Who is told --------------------------------------------------------------------------------


def test_submitting_tells_every_editor_by_mail_and_notification(writer, editor, chief, moves, mailoutbox):
    superuser = get_user_model().objects.create_superuser("root", email="root@example.com", password="x")
    get_user_model().objects.create_user("gone", email="gone@example.com", is_active=False).groups.add(
        *editor.groups.all()
    )
    granted = get_user_model().objects.create_user("granted", email="granted@example.com", is_staff=True)
    granted.user_permissions.add(Permission.objects.get(codename="publish_article"))
    make_staff("other", WRITER_GROUP, email="other@example.com")

    moves("submit", draft_of(writer, "新稿"), by=writer, comment="请今天发")

    assert recipients_of("submit") == {"editor", "chief", "root", "granted"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["editor@example.com", "chief@example.com", "root@example.com", "granted@example.com"]
    )
    mail = next(m for m in mailoutbox if m.to == ["editor@example.com"])
    assert mail.subject == "待审核：《新稿》"
    assert "李明 提交了《新稿》，等待审核。" in mail.body and "说明：请今天发" in mail.body
    article = Article.objects.get(title="新稿")
    assert mail.body.rstrip().endswith(reverse("admin:articles_article_change", args=[article.pk]))
    assert superuser.newsroom_notifications.get().comment == "请今天发"


def test_sending_back_tells_the_writer_with_the_comment(writer, editor, moves, mailoutbox):
    article = moves("submit", draft_of(writer), by=writer)
    mailoutbox.clear()
    moves("send_back", article, by=editor, comment="请补充数据来源")
    notification = Notification.objects.get(verb="send_back")
    assert (notification.recipient, notification.actor, notification.comment) == (writer, editor, "请补充数据来源")
    assert [m.to for m in mailoutbox] == [["writer@example.com"]]
    assert mailoutbox[0].subject == "已退回：《稿件》"
    assert "王编辑 退回了《稿件》" in mailoutbox[0].body and "请补充数据来源" in mailoutbox[0].body


def test_publishing_tells_the_writer(writer, editor, moves, mailoutbox):
    moves("publish", draft_of(writer), by=editor)
    assert [m.to for m in mailoutbox] == [["writer@example.com"]]
    assert mailoutbox[0].subject == "已发布：《稿件》" and "王编辑 发布了《稿件》。" in mailoutbox[0].body


def test_a_scheduled_publication_tells_the_writer_when_it_goes_live(writer, editor, moves, mailoutbox):
    at = timezone.now() + dt.timedelta(days=1)
    moves("publish", draft_of(writer), by=editor, at=at)
    when = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    assert mailoutbox[0].subject == "已排期：《稿件》"
    assert f"王编辑 安排《稿件》于 {when} 发布。" in mailoutbox[0].body


def test_nobody_is_told_of_their_own_move(editor, moves, mailoutbox):
    article = moves("submit", draft_of(editor), by=editor)
    assert recipients_of("submit") == set()  # the only editor is the one who submitted
    moves("publish", article, by=editor)
    assert not Notification.objects.exists() and mailoutbox == []


def test_other_moves_tell_nobody(writer, editor, moves, mailoutbox):
    article = moves("publish", draft_of(writer), by=editor)
    Notification.objects.all().delete()
    mailoutbox.clear()
    moves("unpublish", article, by=editor)
    moves("archive", article, by=editor)
    assert not Notification.objects.exists() and mailoutbox == []


def test_people_without_an_address_get_the_notification_only(writer, editor, moves, mailoutbox):
    writer.email = ""
    writer.save()
    moves("publish", draft_of(writer), by=editor)
    assert Notification.objects.filter(recipient=writer).exists() and mailoutbox == []


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_failing_mail_server_loses_neither_the_move_nor_the_notification(writer, editor, moves, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    article = moves("publish", draft_of(writer), by=editor)
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED
    assert Notification.objects.filter(recipient=writer, verb="publish").exists()
    assert "Could not send 1 workflow e-mail" in caplog.text


def test_a_move_through_the_admin_notifies_once_committed(
    client, writer, editor, mailoutbox, django_capture_on_commit_callbacks
):
    article = draft_of(writer)
    client.force_login(writer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:articles_article_workflow", args=[article.pk, "submit"]), {"comment": "好了"})
    assert recipients_of("submit") == {"editor"} and [m.to for m in mailoutbox] == [["editor@example.com"]]


# --- The admin's unread list ------------------------------------------------------------------


def test_the_header_counts_unread_notifications_on_every_admin_page(client, writer, editor, moves):
    moves("send_back", moves("submit", draft_of(writer, "一"), by=writer), by=editor, comment="改")
    moves("publish", draft_of(writer, "二"), by=editor)
    client.force_login(writer)
    for url in (INDEX, reverse("admin:articles_article_changelist")):
        html = client.get(url).content.decode()
        assert f'<a href="{INBOX}" class="notifications-link">' in html
        assert '<span class="notifications-count">2 条未读</span>' in html


def test_the_front_page_lists_unread_notifications(client, writer, editor, moves):
    article = moves("send_back", moves("submit", draft_of(writer, "一"), by=writer), by=editor, comment="标题太长")
    client.force_login(writer)
    response = client.get(INDEX)
    [unread] = response.context["unread_notifications"]
    assert unread.headline == "王编辑 退回了《一》，请修改后重新提交。"
    html = response.content.decode()
    assert reverse("admin:notification_open", args=[unread.pk]) in html and "标题太长" in html
    assert article.pk == unread.article_id


def test_the_list_shows_the_newest_first_and_opening_one_marks_it_read(client, writer, editor, moves):
    first = moves("send_back", moves("submit", draft_of(writer, "先"), by=writer), by=editor, comment="改")
    moves("publish", draft_of(writer, "后"), by=editor)
    client.force_login(writer)
    response = client.get(INBOX)
    shown = list(response.context["page_obj"])
    assert [n.article.title for n in shown] == ["后", "先"]
    assert response.content.decode().count("notification--unread") == 2

    opened = client.get(reverse("admin:notification_open", args=[shown[1].pk]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("admin:articles_article_change", args=[first.pk])
    assert Notification.objects.get(pk=shown[1].pk).read_at is not None
    assert Notification.objects.get(pk=shown[0].pk).read_at is None
    assert "1 条未读" in client.get(INBOX).content.decode()


def test_marking_all_read(client, writer, editor, moves):
    moves("publish", draft_of(writer, "一"), by=editor)
    moves("publish", draft_of(writer, "二"), by=editor)
    client.force_login(writer)
    assert client.get(reverse("admin:notifications_read")).status_code == 405
    assert client.post(reverse("admin:notifications_read")).status_code == 302
    assert not Notification.objects.filter(read_at=None).exists()
    assert "notifications-count" not in client.get(INBOX).content.decode()


def test_nobody_reads_or_marks_anyone_elses_notifications(client, writer, editor, chief, moves):
    moves("submit", draft_of(writer), by=writer)
    editors_own = Notification.objects.get(recipient=editor)
    moves("publish", draft_of(writer, "别的"), by=editor)
    client.force_login(chief)
    assert client.get(reverse("admin:notification_open", args=[editors_own.pk])).status_code == 404
    client.post(reverse("admin:notifications_read"))
    assert Notification.objects.get(pk=editors_own.pk).read_at is None
    assert Notification.objects.filter(recipient=writer, read_at=None).count() == 1
    assert editors_own.pk not in {n.pk for n in client.get(INBOX).context["page_obj"]}


def test_the_list_needs_a_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
