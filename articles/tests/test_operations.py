"""What operators use: the health check and clearing the page cache by hand."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError
from redis.exceptions import ConnectionError as RedisConnectionError

from articles import caching, fragments
from articles.tests.factories import make_article


@pytest.mark.django_db
def test_the_health_check_says_both_are_reachable(client):
    answer = client.get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"database": "ok", "cache": "ok"}
    assert "no-store" in answer["Cache-Control"]


@pytest.mark.django_db
def test_the_health_check_is_never_a_stored_page(client, page_cache_on):
    client.get("/healthz")
    with mock.patch("articles.health.database_reachable", return_value=False):
        answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json() == {"database": "unreachable", "cache": "ok"}
    assert "X-Cache" not in answer


@pytest.mark.django_db
def test_the_health_check_names_a_database_that_is_gone(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError("gone")):
        answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_the_health_check_names_a_cache_that_is_gone(client):
    with mock.patch.object(cache, "set", side_effect=RedisConnectionError("refused")):
        answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json() == {"database": "ok", "cache": "unreachable"}


@pytest.mark.django_db
def test_clearing_the_page_cache_retires_pages_and_parts(client, page_cache_on):
    article = make_article()
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
    shared = cache.get(fragments.SHARED_VERSION_KEY)

    call_command("clear_page_cache", stdout=mock.MagicMock())

    assert client.get(article.get_absolute_url())["X-Cache"] == "miss"
    assert cache.get(fragments.SHARED_VERSION_KEY) != shared


@pytest.mark.django_db
def test_flushing_empties_the_whole_cache(client):
    cache.set("newsroom:something-else", 1)

    call_command("clear_page_cache", "--flush", stdout=mock.MagicMock())

    assert cache.get("newsroom:something-else") is None
    assert caching.content_version()
