"""Bounded pagination (articles.pagination): a count that stops a few pages ahead, a cheap last page."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.pagination import MAX_PAGES
from articles.tests.factories import make_article, make_author
from articles.views import ArchiveMixin, ArticleListView

pytestmark = pytest.mark.django_db

PER_PAGE = 2
AHEAD = 2


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    """Two articles a page, counting two pages ahead: a few articles make many pages."""
    for view in (ArticleListView, ArchiveMixin):
        monkeypatch.setattr(view, "paginate_by", PER_PAGE)
        monkeypatch.setattr(view, "pages_ahead", AHEAD)


def publish(count, *, start=None):
    """`count` articles, newest first as 文章0, 文章1 … one hour apart; returns their titles."""
    author, start = make_author(), start or timezone.now() - dt.timedelta(minutes=1)
    for i in range(count):
        make_article(f"文章{i}", author=author, published_at=start - dt.timedelta(hours=i))
    return [f"文章{i}" for i in range(count)]


def titles(response):
    return [article.title for article in response.context["articles"]]


def test_first_page_does_not_count_the_whole_archive(client):
    publish(11)
    response = client.get("/")
    html = response.content.decode()
    assert titles(response) == ["文章0", "文章1"]
    # Three pages ahead would need seven articles: the total (six pages) is not known, so not shown.
    assert "第 1 页" in html and "第 1 /" not in html
    assert 'href="?page=2"' in html and 'href="?page=last"' in html


def test_a_page_within_the_count_shows_the_total_and_no_last_link(client):
    publish(5)
    html = client.get("/").content.decode()
    assert "第 1 / 3 页" in html
    assert "page=last" not in html


def test_a_page_past_the_count_of_the_first_still_serves(client):
    names = publish(11)
    response = client.get("/?page=5")
    assert titles(response) == names[8:10]
    html = response.content.decode()
    assert 'href="?page=4"' in html and 'href="?page=6"' in html


def test_last_page_holds_the_oldest_articles_newest_first(client):
    names = publish(11)
    response = client.get("/?page=last")
    assert response.context["page_obj"].number == 6
    assert titles(response) == names[10:]
    html = response.content.decode()
    assert "第 6 / 6 页" in html and 'href="?page=5"' in html and 'rel="next"' not in html


def listings(captured):
    return [
        q["sql"]
        for q in captured
        if "ORDER BY" in q["sql"] and 'FROM "articles_article"' in q["sql"] and "LIMIT" in q["sql"]
    ]


def test_last_page_of_a_list_read_by_id_comes_with_its_count_without_offset(client):
    publish(11)
    with CaptureQueriesContext(connection) as captured:
        client.get("/?page=last")
    # The run's ids, newest first, up to one past the run: the count and the last page at once.
    [listing] = [sql for sql in listings(captured) if sql.startswith('SELECT "articles_article"."id"')]
    assert "OFFSET" not in listing and f"LIMIT {MAX_PAGES * PER_PAGE + 1}" in listing
    assert not [q for q in captured if "COUNT(*)" in q["sql"]]


def test_last_page_without_kept_parts_reads_the_list_backwards_without_offset(client, settings):
    settings.NEWSROOM = {**settings.NEWSROOM, "FRAGMENT_CACHE": False}
    names = publish(11)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/?page=last")
    assert titles(response) == names[10:]
    listing = listings(captured)
    assert listing and all("OFFSET" not in sql for sql in listing)
    assert any('"published_at" ASC' in sql for sql in listing)


def test_full_last_page_is_whole(client):
    names = publish(6)
    assert titles(client.get("/?page=last")) == names[4:]


def test_last_page_of_an_empty_list_is_the_empty_first_page(client):
    response = client.get("/?page=last")
    assert response.status_code == 200 and response.context["page_obj"].number == 1


@pytest.mark.parametrize("page", ["0", "-1", "abc", "7", "1.5"])
def test_out_of_range_or_malformed_pages_answer_404(client, page):
    publish(11)
    assert client.get(f"/?page={page}").status_code == 404


def test_year_archive_last_page_is_that_years_oldest(client):
    year = timezone.now().year - 1
    names = publish(5, start=dt.datetime(year, 12, 31, 12, tzinfo=dt.UTC))
    publish(3, start=dt.datetime(year - 1, 6, 1, tzinfo=dt.UTC))  # another year's
    response = client.get(f"/{year}/?page=last")
    assert response.context["page_obj"].number == 3
    assert titles(response) == names[4:]


@pytest.mark.parametrize("url", ["/", "/?page=2", "/?page=last"])
def test_query_count_does_not_grow_with_the_archive(client, url):
    publish(5)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    publish(20)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- a run of MAX_PAGES pages, continued after its last article (?before=) ----------------------

RUN = 3  # pages a run holds in these tests: six articles


@pytest.fixture()
def short_runs(monkeypatch):
    for view in (ArticleListView, ArchiveMixin):
        monkeypatch.setattr(view, "max_pages", RUN)


def test_a_list_longer_than_its_run_ends_at_the_runs_last_page(client, short_runs):
    publish(11)
    assert client.get(f"/?page={RUN}").status_code == 200
    assert client.get(f"/?page={RUN + 1}").status_code == 404


def test_the_last_page_of_a_cut_list_is_the_runs_last_and_goes_on_after_it(client, short_runs):
    names = publish(11)
    response = client.get("/?page=last")
    assert response.context["page_obj"].number == RUN
    assert titles(response) == names[4:6]
    html = response.content.decode()
    last_shown = response.context["articles"][-1].pk
    assert f'href="?before={last_shown}"' in html and "更早的文章" in html
    assert 'href="?page=4"' not in html


def test_a_continuation_lists_what_follows_and_reaches_the_oldest(client, short_runs):
    names = publish(11)
    response = client.get("/?page=last")
    seen = titles(response)
    for _ in range(5):  # run after run until the list ends
        after = response.context["page_obj"].continues_after
        if after is None:
            break
        response = client.get("/", {"before": after})
        assert response.status_code == 200 and "⇤ 最新" in response.content.decode()
        pages = [titles(response)]
        while response.context["page_obj"].has_next():
            response = client.get("/", {"before": after, "page": response.context["page_obj"].number + 1})
            pages.append(titles(response))
        seen += [title for page in pages for title in page]
    assert seen == names[4:]


def test_a_continuation_orders_articles_published_at_the_same_moment_by_id(client, short_runs):
    author, moment = make_author(), timezone.now() - dt.timedelta(hours=1)
    made = [make_article(f"同时{i}", author=author, published_at=moment) for i in range(8)]
    newest_first = [a.title for a in sorted(made, key=lambda a: -a.pk)]
    response = client.get("/?page=last")
    after = response.context["page_obj"].continues_after
    assert titles(response) == newest_first[4:6]
    assert titles(client.get("/", {"before": after})) == newest_first[6:8]


def test_a_continuation_is_its_own_page_to_search_engines(client, short_runs):
    publish(11)
    after = client.get("/?page=last").context["page_obj"].continues_after
    html = client.get("/", {"before": after}).content.decode()
    site = settings.NEWSROOM["SITE_URL"]
    assert f'<link rel="canonical" href="{site}/?before={after}">' in html
    assert f'<link rel="next" href="{site}/?before={after}&amp;page=2">' in html
    second = client.get("/", {"before": after, "page": 2}).content.decode()
    assert f'<link rel="canonical" href="{site}/?before={after}&amp;page=2">' in second
    assert f'<link rel="prev" href="{site}/?before={after}">' in second


@pytest.mark.parametrize("before", ["abc", "999999", "-1", "9" * 30, ""])
def test_a_continuation_after_no_published_article_answers_404(client, short_runs, before):
    publish(3)
    assert client.get("/", {"before": before}).status_code == 404


def test_a_continuation_after_a_draft_answers_404(client, short_runs):
    publish(3)
    draft = make_article("草稿", published=False)
    assert client.get("/", {"before": draft.pk}).status_code == 404


def test_a_category_and_an_archive_continue_within_their_own_articles(client, short_runs):
    year = timezone.now().year - 1
    names = publish(9, start=dt.datetime(year, 12, 31, 12, tzinfo=dt.UTC))
    publish(3, start=dt.datetime(year - 1, 6, 1, tzinfo=dt.UTC))  # another year's
    response = client.get(f"/{year}/?page=last")
    after = response.context["page_obj"].continues_after
    assert titles(response) == names[4:6]
    following = client.get(f"/{year}/", {"before": after})
    assert titles(following) == names[6:8]
    assert titles(client.get(f"/{year}/", {"before": after, "page": 2})) == names[8:9]


def test_a_list_of_exactly_its_run_does_not_go_on(client, short_runs):
    names = publish(RUN * PER_PAGE)
    response = client.get("/?page=last")
    assert titles(response) == names[4:6]
    assert response.context["page_obj"].continues_after is None
    assert "before=" not in response.content.decode()


def test_the_last_page_of_a_long_list_costs_what_it_costs_for_a_short_one(client, short_runs):
    publish(7)
    with CaptureQueriesContext(connection) as few:
        client.get("/?page=last")
    cache.clear()
    publish(30, start=timezone.now() - dt.timedelta(days=30))
    with CaptureQueriesContext(connection) as many:
        client.get("/?page=last")
    assert len(many) == len(few)
    # The run's ids, up to one past it, give the count: never a COUNT of every live article.
    assert not [q for q in many if "COUNT(*)" in q["sql"]]
    assert [sql for sql in listings(many) if f"LIMIT {RUN * PER_PAGE + 1}" in sql]


def test_search_count_is_capped(client, monkeypatch):
    from articles.views import SearchView

    monkeypatch.setattr(SearchView, "pages_ahead", 1)
    for i in range(7):
        make_article(f"储能新闻{i}")
    html = client.get("/search/", {"q": "储能"}).content.decode()
    # Page 1 and one page ahead: four results counted, more exist.
    assert "共找到 4+ 篇文章" in html


@pytest.mark.parametrize("page", ["1", "2", "last"])
def test_search_count_stops_at_the_ranked_candidates_on_every_page(client, monkeypatch, page):
    from articles import search
    from articles.views import SearchView

    # Four ranked candidates make two pages; the count would look further ahead past page 1.
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 4)
    monkeypatch.setattr(SearchView, "pages_ahead", 1)
    author, now = make_author(), timezone.now()
    for i in range(7):
        make_article(f"储能新闻{i}", author=author, published_at=now - dt.timedelta(hours=i + 1))
    response = client.get("/search/", {"q": "储能", "page": page})
    assert "共找到 4+ 篇文章" in response.content.decode()
    # Only the four newest matches are ranked; the second page holds the older two of them.
    if page != "1":
        assert titles(response) == ["储能新闻2", "储能新闻3"]


def test_search_count_below_the_ranked_candidates_is_exact_on_later_pages(client, monkeypatch):
    from articles import search
    from articles.views import SearchView

    monkeypatch.setattr(search, "RANKED_CANDIDATES", 4)
    monkeypatch.setattr(SearchView, "pages_ahead", 1)
    for i in range(3):
        make_article(f"储能新闻{i}")
    html = client.get("/search/", {"q": "储能", "page": 2}).content.decode()
    assert "共找到 3 篇文章" in html and "第 2 / 2 页" in html


def tagged_archive():
    """Seven live articles tagged 储能 among others, plus a draft and a scheduled one with the tag."""
    author, now = make_author(), timezone.now()
    for i in range(7):
        make_article(f"储能{i}", author=author, published_at=now - dt.timedelta(hours=2 * i + 1), tags=["储能"])
        make_article(f"其他{i}", author=author, published_at=now - dt.timedelta(hours=2 * i + 2), tags=["其他"])
    make_article("储能草稿", author=author, published=False, tags=["储能"])
    make_article("储能定时", author=author, status="published", published_at=now + dt.timedelta(days=1), tags=["储能"])
    from articles.models import Tag

    return Tag.objects.get(name="储能").get_absolute_url()


def test_tags_with_many_articles_are_told_from_rare_ones(monkeypatch):
    from articles import querysets
    from articles.models import Tag

    monkeypatch.setattr(querysets, "COMMON_TAG_ARTICLES", 8)
    tagged_archive()
    common = dict(querysets.with_commonness(Tag.objects.all()).values_list("name", "is_common"))
    # Drafts carry their tags too: the probe counts links, the cheapest it can stop at.
    assert common == {"储能": True, "其他": False}


@pytest.mark.parametrize("page", ["1", "2", "4", "last"])
def test_a_common_tag_lists_what_a_rare_one_would(client, monkeypatch, page):
    from articles import querysets

    url = tagged_archive()
    monkeypatch.setattr(querysets, "COMMON_TAG_ARTICLES", 10**6)
    fetched = client.get(url, {"page": page})
    cache.clear()  # the page as fetched is not served again
    monkeypatch.setattr(querysets, "COMMON_TAG_ARTICLES", 1)
    walked = client.get(url, {"page": page})
    assert titles(walked) == titles(fetched) and titles(walked)
    assert walked.context["paginator"].count == fetched.context["paginator"].count


def test_a_common_tag_page_is_read_newest_first(client, monkeypatch):
    from articles import querysets

    monkeypatch.setattr(querysets, "COMMON_TAG_ARTICLES", 1)
    url = tagged_archive()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)  # the page's ids and its bounded count: one ordered, sliced read
        client.get(url + "?page=last")  # the run's ids, which give the count and the last page
    listing = [q["sql"] for q in captured if "ORDER BY" in q["sql"] and "articles_taggedarticle" in q["sql"]]
    assert len(listing) == 2 and not [q for q in captured if "COUNT(*)" in q["sql"]]
    # SQLite would start from the tag's links and sort them all: it is asked row by row instead,
    # and stops at the page. PostgreSQL chooses between the two plans itself.
    assert all(("EXISTS" in sql) == (connection.vendor == "sqlite") for sql in listing)


def test_a_rare_tag_page_starts_from_its_links_not_from_every_article(client):
    url = tagged_archive()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
        client.get(url + "?page=last")
    listing = [
        q["sql"] for q in captured if 'FROM "articles_article"' in q["sql"] and "articles_taggedarticle" in q["sql"]
    ]
    assert len(listing) == 2  # page 1's ids; the run's ids, which give the last page and its count
    # A join lets SQLite walk every article testing each for the tag; the tag's ids come first.
    assert all('JOIN "articles_taggedarticle"' not in sql and "IN (SELECT" in sql for sql in listing)


def test_archives_list_their_local_months_and_days_without_truncating_every_date(client):
    year = timezone.now().year - 1
    # 20:00 UTC on 31 January is 1 February in Shanghai, the site's zone.
    make_article("二月", published_at=dt.datetime(year, 1, 31, 20, tzinfo=dt.UTC))
    make_article("五月", published_at=dt.datetime(year, 5, 10, 3, tzinfo=dt.UTC))
    make_article("五月底", published_at=dt.datetime(year, 5, 31, 15, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as captured:
        months = client.get(f"/{year}/").context["date_list"]
    days = client.get(f"/{year}/05/").context["date_list"]
    assert [(d.month, d.day) for d in months] == [(2, 1), (5, 1)]
    assert [d.day for d in days] == [10, 31]
    assert not any("trunc" in q["sql"].lower() for q in captured)


def test_a_page_listed_by_id_holds_articles_that_read_their_fields_when_asked():
    from articles.models import Article
    from articles.pagination import BoundedPaginator

    newest_first = publish(3)
    listed = BoundedPaginator(Article.objects.published().only("pk"), 2, ids_only=True).page(1).object_list
    assert listed[0].get_deferred_fields() >= {"title", "body"}
    with CaptureQueriesContext(connection) as read:
        assert [article.title for article in listed] == newest_first[:2]
    assert len(read) == 2  # a field asked for is read, as from a queryset's .only("pk")
