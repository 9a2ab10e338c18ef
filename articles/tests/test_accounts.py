"""Accounts follow their roles (articles.accounts): a role makes its holder staff, losing the
last one takes that away (superusers aside), whichever side of User.groups changes; a new writer
gets a byline of their own, which the article form preselects."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Author
from articles.permissions import CHIEF_EDITOR_GROUP, EDITOR_GROUP, ROLE_GROUPS, WRITER_GROUP
from articles.tests.factories import STAFF_PASSWORD, make_author

pytestmark = pytest.mark.django_db

User = get_user_model()


def role(name):
    return Group.objects.get(name=name)


def person(username="li", **fields):
    return User.objects.create_user(username, password=STAFF_PASSWORD, **fields)


def is_staff(user):
    return User.objects.get(pk=user.pk).is_staff


@pytest.fixture
def other_group():
    return Group.objects.create(name="校对")


# --- Staff follows the roles ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ROLE_GROUPS)
def test_a_role_makes_its_holder_staff(name):
    user = person()
    user.groups.add(role(name))
    assert is_staff(user) and user.is_staff


def test_losing_the_last_role_ends_staff(other_group):
    user = person()
    user.groups.add(role(WRITER_GROUP), role(EDITOR_GROUP), other_group)
    user.groups.remove(role(WRITER_GROUP))
    assert is_staff(user)  # still an editor
    user.groups.remove(role(EDITOR_GROUP))
    assert not is_staff(user) and not user.is_staff


def test_set_and_clear_follow_too(other_group):
    user = person()
    user.groups.set([role(EDITOR_GROUP)])
    assert is_staff(user)
    user.groups.set([other_group])
    assert not is_staff(user)
    user.groups.set([role(WRITER_GROUP), other_group])
    user.groups.clear()
    assert not is_staff(user)


def test_from_the_groups_side_too():
    li, wang, zhao = person("li"), person("wang"), person("zhao")
    writers = role(WRITER_GROUP)
    writers.user_set.add(li, wang)
    assert is_staff(li) and is_staff(wang) and not is_staff(zhao)
    writers.user_set.remove(li)
    assert not is_staff(li) and is_staff(wang)
    role(EDITOR_GROUP).user_set.add(wang)
    writers.user_set.clear()
    assert is_staff(wang)  # still an editor
    role(EDITOR_GROUP).user_set.set([zhao])
    assert is_staff(zhao) and not is_staff(wang)


def test_other_groups_change_nothing(other_group):
    clerk = person("clerk", is_staff=True)
    clerk.groups.add(other_group)
    clerk.groups.remove(other_group)
    clerk.groups.add(other_group)
    clerk.groups.clear()
    assert is_staff(clerk)  # staff for another reason than a role: left as it was
    outsider = person("outsider")
    outsider.groups.add(other_group)
    assert not is_staff(outsider)


def test_superusers_are_left_as_they_are():
    root = User.objects.create_superuser("root", password=STAFF_PASSWORD)
    root.groups.add(role(CHIEF_EDITOR_GROUP))
    root.groups.clear()
    assert is_staff(root)
    lone = User.objects.create_user("lone", password=STAFF_PASSWORD, is_superuser=True)
    lone.groups.add(role(EDITOR_GROUP))
    assert not is_staff(lone)


def user_form(user, groups, **fields):
    """A complete POST of Django's user change form for `user`."""
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on", "groups": [g.pk for g in groups],
        "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    }  # fmt: skip
    data.update(fields)
    return data


def test_the_admins_user_form_needs_no_staff_tick(client):
    chief = person("chief")
    chief.groups.add(role(CHIEF_EDITOR_GROUP))
    newcomer = person("newcomer", first_name="张三")
    client.force_login(chief)
    url = reverse("admin:auth_user_change", args=[newcomer.pk])
    response = client.post(url, user_form(newcomer, [role(WRITER_GROUP)]))  # is_staff left unticked
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert is_staff(newcomer)
    assert client.post(url, user_form(newcomer, [], is_staff="on")).status_code == 302
    assert not is_staff(newcomer)  # the role taken away, the tick left on


def test_a_writer_given_the_role_logs_in_to_the_admin(client):
    def log_in():
        return client.post(
            reverse("admin:login"), {"username": "newcomer", "password": STAFF_PASSWORD, "next": "/admin/"}
        )

    newcomer = person("newcomer")
    assert log_in().status_code == 200  # the form again: not staff
    newcomer.groups.add(role(WRITER_GROUP))
    response = log_in()
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


# --- A byline of their own ----------------------------------------------------------------------


def test_a_new_writer_gets_a_byline_named_after_them():
    zhang = person("zhang", first_name="张三")
    zhang.groups.add(role(WRITER_GROUP))
    assert Author.objects.get(user=zhang).name == "张三"
    nameless = person("xiaowang")
    role(WRITER_GROUP).user_set.add(nameless)
    assert Author.objects.get(user=nameless).name == "xiaowang"


def test_the_byline_name_is_unique():
    make_author("张三")  # a legacy byline of the same name, not theirs
    zhang = person("zhang", first_name="张三")
    zhang.groups.add(role(WRITER_GROUP))
    assert Author.objects.get(user=zhang).name == "张三（zhang）"
    another = person("zhang2", first_name="张三")
    make_author("张三（zhang2）")
    another.groups.add(role(WRITER_GROUP))
    assert Author.objects.get(user=another).name == "张三 2"


def test_a_writer_keeps_the_byline_they_have():
    li = person("li")
    mine = make_author("李明", user=li)
    li.groups.add(role(WRITER_GROUP))
    li.groups.clear()
    li.groups.add(role(WRITER_GROUP))
    assert list(Author.objects.filter(user=li)) == [mine]


def test_editors_get_no_byline_from_their_role():
    wang = person("wang")
    wang.groups.add(role(EDITOR_GROUP))
    assert not Author.objects.filter(user=wang).exists()


def test_the_new_writers_byline_is_preselected_on_a_new_article(client):
    zhang = person("zhang", first_name="张三")
    zhang.groups.add(role(WRITER_GROUP))
    client.force_login(zhang)
    form = client.get(reverse("admin:articles_article_add")).context["adminform"].form
    assert form.initial["author"] == Author.objects.get(user=zhang).pk
