"""The admin's login is protected (django-axes) and its passwords validated by Django's validators."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

PASSWORD = "a-long-admin-test-password"


@pytest.fixture
def chief(db):
    return User.objects.create_superuser("chief", password=PASSWORD)


def log_in(client, username, password, ip="203.0.113.7"):
    """Posts the admin's login form; True when the session is now logged in."""
    client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )
    logged_in = "_auth_user_id" in client.session
    client.logout()
    return logged_in


def fail(client, username, times, ip="203.0.113.7"):
    for _ in range(times):
        assert not log_in(client, username, "wrong-password", ip)


def test_five_failures_lock_the_right_password_out(client, chief):
    assert settings.AXES_FAILURE_LIMIT == 5
    fail(client, "chief", 5)
    response = client.post(
        reverse("admin:login"), {"username": "chief", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock_out(client, chief):
    fail(client, "chief", 4)
    assert log_in(client, "chief", PASSWORD)


def test_a_lockout_does_not_lock_out_a_colleague_behind_the_same_address(client, chief):
    User.objects.create_superuser("colleague", password=PASSWORD)
    fail(client, "chief", 5)
    assert log_in(client, "colleague", PASSWORD)
    # Nor the locked-out editor from another address (lockout by username and address together).
    assert log_in(client, "chief", PASSWORD, ip="198.51.100.20")


def test_the_lockout_ends_after_the_cool_off(client, chief):
    fail(client, "chief", 5)
    assert not log_in(client, "chief", PASSWORD)
    # An hour passes (the failures age, which is all the cool-off looks at).
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1, minutes=1))
    assert log_in(client, "chief", PASSWORD)


def test_a_successful_login_resets_the_failure_count(client, chief):
    fail(client, "chief", 4)
    assert log_in(client, "chief", PASSWORD)
    fail(client, "chief", 4)
    assert log_in(client, "chief", PASSWORD)


@pytest.mark.parametrize(
    "weak, reason",
    [("12345678", "numeric"), ("password", "common"), ("ab1", "short"), ("newreporter1", "like the username")],
)
def test_the_admin_refuses_a_weak_password_for_a_new_user(admin_client, weak, reason):
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {"username": "newreporter", "usable_password": "true", "password1": weak, "password2": weak},
    )
    assert response.status_code == 200, reason  # the form again, with its errors
    assert response.context["adminform"].form.errors["password2"], reason
    assert not User.objects.filter(username="newreporter").exists()


def test_the_admin_refuses_a_weak_password_when_setting_one(admin_client, chief):
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[chief.pk]),
        {"usable_password": "true", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    chief.refresh_from_db()
    assert chief.check_password(PASSWORD)
