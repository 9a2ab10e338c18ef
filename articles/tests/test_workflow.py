"""The editorial workflow: who may move an article, from which state, and what a move leaves behind.

The expected behaviour is written out below as data (MATRIX, CAN_EDIT), from the issue, not
derived from the code under test.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from reversion.models import Version

from articles import workflow
from articles.models import Article, Transition
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, WRITER_GROUP, can_edit, editable_articles_q
from articles.tests.factories import freeze_clock, make_article
from articles.workflow import WorkflowError

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


# --- the clock, the people, the articles ----------------------------------------------------


@pytest.fixture(scope="module")
def _module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, _module_media):
    """Overrides the conftest's per-test tmp_path: these tests write no files, and creating (and
    later deleting) a directory for each of some 380 tests took a third of the module's time."""
    settings.MEDIA_ROOT = _module_media


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    return freeze_clock(monkeypatch, NOW)


def _user(username, *groups, **extra):
    User = get_user_model()
    user = User.objects.create(username=username, **extra)
    # The real groups, as the data migration 0003_editorial_roles created them.
    user.groups.set([Group.objects.get(name=name) for name in groups])
    return User.objects.get(pk=user.pk)  # fresh, with no permission cache


PEOPLE = {
    "writer": lambda: _user("writer", WRITER_GROUP),
    "writer2": lambda: _user("writer2", WRITER_GROUP),
    "editor": lambda: _user("editor", EDITOR_GROUP),
    "chief": lambda: _user("chief", CHIEF_EDITOR_GROUP),
    "superuser": lambda: _user("root", is_superuser=True, is_staff=True),
    "no_role": lambda: _user("nobody"),
}


class People(dict):
    """The newsroom, each person created when first asked for (keeps the matrix fast)."""

    def __missing__(self, name):
        self[name] = PEOPLE[name]()
        return self[name]


@pytest.fixture
def people():
    return People()


# A role in the matrix: who acts, and who created the article they act on.
ROLES = {
    "writer_own": ("writer", "writer"),
    "writer_other": ("writer2", "writer"),
    "editor": ("editor", "writer"),
    "chief": ("chief", "writer"),
    "superuser": ("superuser", "writer"),
    "no_role": ("no_role", "writer"),
    # Someone who created an article but has no role (now): a writer who left the newsroom.
    "no_role_own": ("no_role", "no_role"),
}

# A state in the matrix: the stored status and publish time. "scheduled" is a published
# article whose time has not come.
STATES = {
    "draft": (Article.Status.DRAFT, None),
    "review": (Article.Status.REVIEW, None),
    "published": (Article.Status.PUBLISHED, NOW - HOUR),
    "scheduled": (Article.Status.PUBLISHED, NOW + DAY),
    "unpublished": (Article.Status.UNPUBLISHED, NOW - 2 * DAY),
    "archived": (Article.Status.ARCHIVED, NOW - 3 * DAY),
}


def article_in(state, created_by, **fields):
    status, published_at = STATES[state]
    return make_article(published=False, status=status, published_at=published_at, created_by=created_by, **fields)


def versions(article):
    return Version.objects.get_for_object(article).count()


def snapshot(article):
    """Everything a refused move must leave as it was."""
    row = Article.objects.get(pk=article.pk)
    return {
        "status": row.status,
        "published_at": row.published_at,
        "edit_version": row.edit_version,
        "transitions": Transition.objects.filter(article=article).count(),
        "versions": versions(article),
    }


# --- role × state × verb -------------------------------------------------------------------

VERBS = ["submit", "withdraw", "send_back", "publish", "unpublish", "archive", "reopen"]

TARGET = {
    "submit": Article.Status.REVIEW,
    "withdraw": Article.Status.DRAFT,
    "send_back": Article.Status.DRAFT,
    "publish": Article.Status.PUBLISHED,
    "unpublish": Article.Status.UNPUBLISHED,
    "archive": Article.Status.ARCHIVED,
    "reopen": Article.Status.DRAFT,
}

# ok:    the move happens.
# role:  PermissionDenied, this role may not (in this state).
# state: WorkflowError, the verb does not apply to this state (checked before the role).
MATRIX_TABLE = """
verb       state        writer_own writer_other editor chief superuser no_role no_role_own
submit     draft        ok         role         ok     ok    ok        role    role
submit     review       state      state        state  state state     state   state
submit     published    state      state        state  state state     state   state
submit     scheduled    state      state        state  state state     state   state
submit     unpublished  state      state        state  state state     state   state
submit     archived     state      state        state  state state     state   state
withdraw   draft        state      state        state  state state     state   state
withdraw   review       ok         role         role   role  role      role    role
withdraw   published    state      state        state  state state     state   state
withdraw   scheduled    state      state        state  state state     state   state
withdraw   unpublished  state      state        state  state state     state   state
withdraw   archived     state      state        state  state state     state   state
send_back  draft        state      state        state  state state     state   state
send_back  review       role       role         ok     ok    ok        role    role
send_back  published    state      state        state  state state     state   state
send_back  scheduled    state      state        state  state state     state   state
send_back  unpublished  state      state        state  state state     state   state
send_back  archived     state      state        state  state state     state   state
publish    draft        role       role         ok     ok    ok        role    role
publish    review       role       role         ok     ok    ok        role    role
publish    published    state      state        state  state state     state   state
publish    scheduled    role       role         ok     ok    ok        role    role
publish    unpublished  role       role         ok     ok    ok        role    role
publish    archived     state      state        state  state state     state   state
unpublish  draft        state      state        state  state state     state   state
unpublish  review       state      state        state  state state     state   state
unpublish  published    role       role         ok     ok    ok        role    role
unpublish  scheduled    role       role         ok     ok    ok        role    role
unpublish  unpublished  state      state        state  state state     state   state
unpublish  archived     state      state        state  state state     state   state
archive    draft        role       role         ok     ok    ok        role    role
archive    review       role       role         ok     ok    ok        role    role
archive    published    role       role         ok     ok    ok        role    role
archive    scheduled    role       role         ok     ok    ok        role    role
archive    unpublished  role       role         ok     ok    ok        role    role
archive    archived     state      state        state  state state     state   state
reopen     draft        state      state        state  state state     state   state
reopen     review       state      state        state  state state     state   state
reopen     published    state      state        state  state state     state   state
reopen     scheduled    state      state        state  state state     state   state
reopen     unpublished  role       role         ok     ok    ok        role    role
reopen     archived     role       role         ok     ok    ok        role    role
"""


def _parse_matrix(table):
    header, *rows = [line.split() for line in table.strip().splitlines()]
    roles = header[2:]
    assert set(roles) == set(ROLES)
    cases = {}
    for verb, state, *outcomes in rows:
        assert len(outcomes) == len(roles), (verb, state)
        for role, outcome in zip(roles, outcomes):
            assert outcome in {"ok", "role", "state"}
            cases[(verb, state, role)] = outcome
    # The table is complete: every verb × state × role exactly once.
    assert len(cases) == len(VERBS) * len(STATES) * len(ROLES) == len(rows) * len(roles)
    return cases


MATRIX = _parse_matrix(MATRIX_TABLE)


@pytest.mark.parametrize(
    "verb, state, role, expected",
    [(verb, state, role, outcome) for (verb, state, role), outcome in MATRIX.items()],
    ids=[f"{verb}-{state}-{role}" for (verb, state, role) in MATRIX],
)
def test_matrix(people, verb, state, role, expected):
    actor, owner = (people[name] for name in ROLES[role])
    article = article_in(state, created_by=owner)
    before = snapshot(article)
    comment = f"{verb} by {role}"

    assert workflow.may(actor, verb, article) is (expected == "ok")
    assert (verb in workflow.allowed_verbs(actor, article)) is (expected == "ok")

    move = getattr(workflow, verb)
    if expected == "role":
        with pytest.raises(PermissionDenied):
            move(article, by=actor, comment=comment)
    elif expected == "state":
        with pytest.raises(WorkflowError):
            move(article, by=actor, comment=comment)
    else:
        returned = move(article, by=actor, comment=comment)
        assert returned is article
        row = Article.objects.get(pk=article.pk)
        assert row.status == article.status == TARGET[verb]
        # Putting an unpublished article back keeps its original time (and so its dated URL).
        republished = verb == "publish" and state == "unpublished"
        expected_published_at = NOW if verb == "publish" and not republished else before["published_at"]
        assert row.published_at == article.published_at == expected_published_at
        assert row.edit_version == article.edit_version == before["edit_version"] + 1

        transition = Transition.objects.get(article=article)
        assert transition.by == actor
        assert transition.at == NOW
        assert transition.from_status == before["status"]
        assert transition.to_status == TARGET[verb]
        assert transition.comment == comment
        assert transition.publish_at == (expected_published_at if verb == "publish" else None)

        assert versions(article) == before["versions"] + 1
        revision = Version.objects.get_for_object(article).first().revision
        assert revision.user == actor
        assert comment in revision.comment
        return

    assert snapshot(article) == before
    assert article.status == before["status"]  # the caller's copy is untouched too


# --- send back -------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_send_back_without_a_comment_is_refused(people, comment):
    article = article_in("review", created_by=people["writer"])
    before = snapshot(article)
    with pytest.raises(WorkflowError):
        workflow.send_back(article, by=people["editor"], comment=comment)
    assert snapshot(article) == before


def test_send_back_requires_the_comment_argument(people):
    article = article_in("review", created_by=people["writer"])
    with pytest.raises(TypeError):
        workflow.send_back(article, by=people["editor"])


def test_sent_back_article_is_the_writers_draft_again(people):
    writer = people["writer"]
    article = article_in("review", created_by=writer)
    assert not can_edit(writer, article)
    workflow.send_back(article, by=people["editor"], comment="请补充数据来源")
    assert article.status == Article.Status.DRAFT
    assert can_edit(writer, article)
    workflow.submit(article, by=writer)
    assert article.status == Article.Status.REVIEW
    history = list(
        Transition.objects.filter(article=article)
        .order_by("id")
        .values_list("from_status", "to_status", "by__username", "comment")
    )
    assert history == [
        ("review", "draft", "editor", "请补充数据来源"),
        ("draft", "review", "writer", ""),
    ]


def test_withdraw_by_nobody_is_refused_not_a_crash(people):
    article = article_in("review", created_by=people["writer"])
    for nobody in (None, AnonymousUser()):
        assert not workflow.may(nobody, "withdraw", article)
        with pytest.raises(PermissionDenied):
            workflow.withdraw(article, by=nobody)
    assert Article.objects.get(pk=article.pk).status == Article.Status.REVIEW


def test_deactivated_writer_cannot_act_on_own_article(people):
    writer = people["writer"]
    draft = article_in("draft", created_by=writer)
    submitted = article_in("review", created_by=writer)
    writer.is_active = False
    writer.save()
    assert not can_edit(writer, draft)
    with pytest.raises(PermissionDenied):
        workflow.submit(draft, by=writer)
    with pytest.raises(PermissionDenied):
        workflow.withdraw(submitted, by=writer)


def test_verbs_take_the_actor_by_keyword_only(people):
    article = article_in("draft", created_by=people["writer"])
    with pytest.raises(TypeError):
        workflow.submit(article, people["writer"])


# --- scheduling ------------------------------------------------------------------------------


def live(article):
    return Article.objects.published().filter(pk=article.pk).exists()


def test_publish_now_is_live_at_once(people):
    article = article_in("review", created_by=people["writer"])
    workflow.publish(article, by=people["editor"])
    assert live(article)
    assert article.display_state == "published"


def test_publish_at_a_future_time_schedules_it(people, clock, client):
    article = article_in("review", created_by=people["writer"])
    at = NOW + 2 * HOUR
    workflow.publish(article, by=people["editor"], at=at)

    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == at
    assert Transition.objects.get(article=article).publish_at == at
    assert not live(article)
    assert Article.objects.scheduled().filter(pk=article.pk).exists()
    assert article.display_state == "scheduled"
    url = article.get_absolute_url()
    assert client.get(url).status_code == 404

    clock.advance(2 * HOUR - dt.timedelta(seconds=1))
    assert not live(article)

    # No job runs: the time comes, and readers see it.
    clock.advance(dt.timedelta(seconds=1))
    assert live(article)
    assert not Article.objects.scheduled().filter(pk=article.pk).exists()
    assert Article.objects.get(pk=article.pk).display_state == "published"
    assert client.get(url).status_code == 200


def test_rescheduling_a_scheduled_article(people, clock):
    editor = people["editor"]
    article = article_in("review", created_by=people["writer"])
    workflow.publish(article, by=editor, at=NOW + DAY)
    workflow.publish(article, by=people["chief"], at=NOW + 3 * DAY, comment="推迟到周四")

    row = Article.objects.get(pk=article.pk)
    assert row.status == Article.Status.PUBLISHED
    assert row.published_at == NOW + 3 * DAY
    history = list(
        Transition.objects.filter(article=article)
        .order_by("id")
        .values_list("from_status", "to_status", "publish_at", "by__username", "comment")
    )
    assert history == [
        ("review", "published", NOW + DAY, "editor", ""),
        ("published", "published", NOW + 3 * DAY, "chief", "推迟到周四"),
    ]
    assert versions(article) == 2

    clock.advance(2 * DAY)
    assert not live(article)  # the first time no longer counts
    clock.advance(DAY)
    assert live(article)


def test_rescheduling_earlier_and_publishing_a_scheduled_article_now(people, clock):
    article = article_in("scheduled", created_by=people["writer"])
    workflow.publish(article, by=people["editor"], at=NOW + HOUR)
    assert not live(article)
    workflow.publish(article, by=people["editor"])
    assert live(article)
    assert article.published_at == NOW


def test_a_live_article_cannot_be_published_again(people):
    article = article_in("published", created_by=people["writer"])
    before = snapshot(article)
    for at in (None, NOW + DAY):
        with pytest.raises(WorkflowError):
            workflow.publish(article, by=people["editor"], at=at)
    assert snapshot(article) == before


# --- expiry ----------------------------------------------------------------------------------


def test_expired_article_is_off_the_site(people, clock, client):
    article = article_in("published", created_by=people["writer"], expires_at=NOW + HOUR)
    url = article.get_absolute_url()
    assert live(article)
    assert client.get(url).status_code == 200
    assert article.display_state == "published"

    clock.advance(HOUR)
    assert not live(article)
    assert client.get(url).status_code == 410  # Gone: readers saw it (articles.views)
    assert Article.objects.get(pk=article.pk).display_state == "expired"
    # Its status did not change: nothing had to run.
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def test_article_with_a_past_expiry_is_not_published(people, client):
    article = article_in("published", created_by=people["writer"], expires_at=NOW - dt.timedelta(minutes=1))
    assert not live(article)
    assert client.get(article.get_absolute_url()).status_code == 410  # Gone: it was live until its expiry


@pytest.mark.parametrize(
    "at, expires_at",
    [
        (None, NOW - HOUR),  # expired already
        (None, NOW),  # expires the moment it goes live
        (NOW + DAY, NOW + DAY),
        (NOW + DAY, NOW + HOUR),  # expires before its scheduled time
    ],
    ids=["now-expired", "now-equal", "scheduled-equal", "scheduled-after-expiry"],
)
def test_publish_refused_when_expiry_is_not_after_publish_time(people, at, expires_at):
    article = article_in("review", created_by=people["writer"], expires_at=expires_at)
    before = snapshot(article)
    with pytest.raises(WorkflowError):
        workflow.publish(article, by=people["editor"], at=at)
    assert snapshot(article) == before


def test_publish_accepted_when_expiry_is_after_publish_time(people, clock):
    article = article_in("review", created_by=people["writer"], expires_at=NOW + 2 * DAY)
    workflow.publish(article, by=people["editor"], at=NOW + DAY)
    assert not live(article)
    clock.advance(DAY)
    assert live(article)
    clock.advance(DAY)
    assert not live(article)


def test_publish_checks_the_expiry_of_the_stored_article_not_a_stale_copy(people):
    stale = article_in("review", created_by=people["writer"])
    Article.objects.filter(pk=stale.pk).update(expires_at=NOW - HOUR)
    assert stale.expires_at is None
    with pytest.raises(WorkflowError):
        workflow.publish(stale, by=people["editor"])
    assert Article.objects.get(pk=stale.pk).status == Article.Status.REVIEW


def test_a_writer_is_refused_publishing_for_their_role_even_with_a_bad_expiry(people):
    article = article_in("review", created_by=people["writer"], expires_at=NOW - HOUR)
    with pytest.raises(PermissionDenied):
        workflow.publish(article, by=people["writer"])


# --- display_state ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, published_at, expires_at, expected",
    [
        ("draft", None, None, "draft"),
        ("review", None, None, "review"),
        ("published", NOW - HOUR, None, "published"),
        ("published", NOW, None, "published"),
        ("published", NOW - HOUR, NOW + HOUR, "published"),
        ("published", NOW + HOUR, None, "scheduled"),
        ("published", NOW + HOUR, NOW + DAY, "scheduled"),
        ("published", NOW - DAY, NOW - HOUR, "expired"),
        ("published", NOW - DAY, NOW, "expired"),
        ("unpublished", NOW - DAY, None, "unpublished"),
        ("archived", NOW - DAY, NOW - HOUR, "archived"),
    ],
)
def test_display_state(status, published_at, expires_at, expected):
    article = make_article(published=False, status=status, published_at=published_at, expires_at=expires_at)
    assert article.display_state == expected
    assert (expected == "published") is article.is_published


# --- two editors at once ---------------------------------------------------------------------


def test_two_editors_publishing_at_once_publish_it_once(people):
    article = article_in("review", created_by=people["writer"])
    first = Article.objects.get(pk=article.pk)
    second = Article.objects.get(pk=article.pk)  # opened before the first one acted

    workflow.publish(first, by=people["editor"])
    with pytest.raises(WorkflowError):
        workflow.publish(second, by=people["chief"])

    row = Article.objects.get(pk=article.pk)
    assert row.status == Article.Status.PUBLISHED
    assert row.published_at == NOW
    assert Transition.objects.filter(article=article).count() == 1
    assert Transition.objects.get(article=article).by == people["editor"]
    assert versions(article) == 1
    assert second.status == Article.Status.REVIEW  # the refused caller's copy stays as it was


def test_two_editors_unpublishing_at_once_unpublish_it_once(people):
    article = article_in("published", created_by=people["writer"])
    first = Article.objects.get(pk=article.pk)
    second = Article.objects.get(pk=article.pk)

    workflow.unpublish(first, by=people["editor"])
    with pytest.raises(WorkflowError):
        workflow.unpublish(second, by=people["chief"])

    assert Article.objects.get(pk=article.pk).status == Article.Status.UNPUBLISHED
    assert Transition.objects.filter(article=article).count() == 1
    assert versions(article) == 1


def test_stale_copy_sees_the_current_state(people):
    """A writer withdraws while an editor, on a page opened earlier, sends it back."""
    article = article_in("review", created_by=people["writer"])
    stale = Article.objects.get(pk=article.pk)
    workflow.withdraw(article, by=people["writer"])
    with pytest.raises(WorkflowError):
        workflow.send_back(stale, by=people["editor"], comment="太长")
    assert Transition.objects.filter(article=article).count() == 1


# --- who may edit ----------------------------------------------------------------------------

# Whether each role may change an article's fields, by state (y/n).
CAN_EDIT_TABLE = """
role          draft review published scheduled unpublished archived
writer_own    y     n      n         n         n           n
writer_other  n     n      n         n         n           n
editor        y     y      y         y         y           y
chief         y     y      y         y         y           y
superuser     y     y      y         y         y           y
no_role       n     n      n         n         n           n
no_role_own   n     n      n         n         n           n
"""


def _parse_can_edit(table):
    header, *rows = [line.split() for line in table.strip().splitlines()]
    states = header[1:]
    assert set(states) == set(STATES) and {row[0] for row in rows} == set(ROLES)
    return {(role, state): flag == "y" for role, *flags in rows for state, flag in zip(states, flags)}


CAN_EDIT = _parse_can_edit(CAN_EDIT_TABLE)


@pytest.mark.parametrize(
    "role, state, expected",
    [(role, state, expected) for (role, state), expected in CAN_EDIT.items()],
    ids=[f"{role}-{state}" for (role, state) in CAN_EDIT],
)
def test_can_edit(people, role, state, expected):
    actor, owner = (people[name] for name in ROLES[role])
    article = article_in(state, created_by=owner)
    assert can_edit(actor, article) is expected


def test_nobody_and_deactivated_editors_edit_nothing(people):
    article = article_in("draft", created_by=people["writer"])
    editor = people["editor"]
    editor.is_active = False
    editor.save()
    assert not can_edit(editor, article)
    assert not can_edit(AnonymousUser(), article)
    assert not can_edit(None, article)
    assert not workflow.may(editor, "publish", article)


@pytest.fixture
def newsroom_articles(people):
    """One article per state by each of the two writers, and one by the user without a role."""
    articles = []
    for state in STATES:
        for owner in ("writer", "writer2", "no_role"):
            articles.append(article_in(state, created_by=people[owner]))
    articles.append(make_article(published=False, created_by=None))  # imported, no creator
    return articles


@pytest.mark.parametrize("name", ["editor", "chief", "superuser"])
def test_editors_may_open_every_article(people, newsroom_articles, name):
    assert set(Article.objects.filter(editable_articles_q(people[name]))) == set(newsroom_articles)


def test_the_editable_rule_never_offers_a_writer_someone_elses_article(people, newsroom_articles):
    writer = people["writer"]
    offered = set(Article.objects.filter(editable_articles_q(writer)))
    assert offered
    assert all(article.created_by_id == writer.pk for article in offered)


@pytest.mark.parametrize("name", ["writer", "writer2", "no_role"])
def test_the_editable_rule_agrees_with_can_edit(people, newsroom_articles, name):
    user = people[name]
    expected = {article for article in newsroom_articles if can_edit(user, article)}
    assert set(Article.objects.filter(editable_articles_q(user))) == expected
