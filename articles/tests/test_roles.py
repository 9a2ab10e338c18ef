"""The role groups exist in every database the site runs on, also after a flush."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from articles.roles import ROLE_PERMISSIONS, restore_missing_roles


def granted():
    return {
        group.name: sorted(f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all())
        for group in Group.objects.filter(name__in=ROLE_PERMISSIONS).prefetch_related("permissions__content_type")
    }


def expected():
    return {name: sorted(codes) for name, codes in ROLE_PERMISSIONS.items()}


@pytest.mark.django_db
def test_the_roles_are_what_the_migrations_made():
    assert granted() == expected()


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_its_roles_back():
    call_command("flush", interactive=False, verbosity=0)
    assert granted() == expected()


@pytest.mark.django_db
def test_a_role_the_chief_editor_changed_is_left_as_it_is():
    writers = Group.objects.get(name="撰稿人 Writer")
    writers.permissions.clear()
    restore_missing_roles(apps=apps)
    assert not writers.permissions.exists()
    assert Group.objects.filter(name__in=ROLE_PERMISSIONS).count() == len(ROLE_PERMISSIONS)
