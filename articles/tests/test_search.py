"""Reader search (articles.search, /search/): what is found, in which order, and how it is shown."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search
from articles.models import Article, SearchDocument, Tag
from articles.tests.factories import make_article, make_category_path, seed_shaped, write_file

SEARCH_PAGE_BUDGET = 8


def found(query):
    """The titles `query` finds, best first, as a reader would see them."""
    return list(search.matching(Article.objects.published(), search.parse_query(query)).values_list("title", flat=True))


# Plain functions: no database.


@pytest.mark.parametrize(
    "text, terms",
    [
        ("抖音电商", ["抖音电商"]),
        ("  抖音  电商 ", ["抖音", "电商"]),
        ("抖音\u3000电商", ["抖音", "电商"]),  # the full-width space a Chinese keyboard types
        ("AI ai Ai", ["AI"]),
        ("", []),
        (None, []),
    ],
)
def test_query_is_split_into_distinct_terms(text, terms):
    assert search.parse_query(text) == terms


def test_query_keeps_a_bounded_number_of_terms():
    assert len(search.parse_query(" ".join(f"词{i}" for i in range(50)))) == search.MAX_TERMS


def test_highlight_escapes_then_marks():
    assert search.highlight("<b>抖音</b>电商", ["电商"]) == "&lt;b&gt;抖音&lt;/b&gt;<mark>电商</mark>"


def test_highlight_ignores_latin_case_and_prefers_the_longest_term():
    assert search.highlight("iPhone 抖音电商", ["IPHONE", "电商", "抖音电商"]) == (
        "<mark>iPhone</mark> <mark>抖音电商</mark>"
    )


def test_highlight_never_marks_inside_an_entity():
    assert search.highlight("A & B amp", ["amp"]) == "A &amp; B <mark>amp</mark>"


def test_snippet_is_a_window_around_the_first_match():
    text = "开头" * 60 + "抖音电商" + "结尾" * 60
    result = search.snippet([text], ["电商"])
    assert result.startswith("…") and result.endswith("…")
    plain = result.replace("<mark>", "").replace("</mark>", "").strip("…")
    assert len(plain) == search.SNIPPET_LENGTH
    assert "<mark>电商</mark>" in result


def test_snippet_falls_back_to_the_next_text_then_to_the_start():
    assert search.snippet(["摘要没有", "正文有电商"], ["电商"]) == "正文有<mark>电商</mark>"
    assert search.snippet(["", "只在标签里"], ["标签词"]) == "只在标签里"


def test_snippet_escapes_markup_from_the_text():
    result = search.snippet(["<script>alert(1)</script> 电商"], ["电商"])
    assert "<script>" not in result
    assert result == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>电商</mark>"


# Through the database.


@pytest.mark.django_db
def test_imported_seed_article_is_found_by_a_chinese_substring(tmp_path):
    write_file(
        tmp_path,
        "2024-05-08-douyin.md",
        seed_shaped("抖音电商如何在直播间留住新客", tags=["直播带货"], image=""),
    )
    call_command("import_frontmatter", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())
    title = "抖音电商如何在直播间留住新客"
    for query in ("抖音电商", "电商", "直播间", "直播带货", "快讯", "新媒体"):
        assert found(query) == [title], query


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["iphone", "IPHONE", "iPhone", "phone"])
def test_latin_words_match_whatever_their_case(query):
    make_article("苹果发布 iPhone 新机")
    assert found(query) == ["苹果发布 iPhone 新机"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["云", "芯片", "AI"])
def test_one_and_two_character_terms_are_found(query):
    make_article("AI 芯片进入云端", body="<p>正文</p>")
    make_article("无关的文章", body="<p>别的内容</p>")
    assert found(query) == ["AI 芯片进入云端"]


@pytest.mark.django_db
def test_every_term_must_be_found():
    make_article("抖音电商", body="<p>直播带货</p>")
    make_article("抖音音乐", body="<p>版权</p>")
    assert found("抖音 直播") == ["抖音电商"]
    assert found("抖音 不存在的词") == []


@pytest.mark.django_db
def test_terms_match_in_summary_body_tags_and_categories():
    make_article("一", summary="摘要里有新能源")
    make_article("二", body="<p>正文里有<strong>新能源</strong>车</p>")
    make_article("三", tags=["新能源汽车"])
    make_article("四", categories=[make_category_path("产业", "新能源")])
    make_article("五")
    assert sorted(found("新能源")) == ["一", "三", "二", "四"]


@pytest.mark.django_db
def test_title_matches_come_before_summary_then_body_then_the_newest():
    now = timezone.now()
    # An empty summary is taken from the body's start: these have their own.
    in_body = {"summary": "另有摘要", "body": "<p>量子计算</p>"}
    make_article("正文命中，最新", **in_body, published_at=now - dt.timedelta(hours=1))
    make_article("正文命中，较旧", **in_body, published_at=now - dt.timedelta(hours=5))
    make_article("摘要命中", summary="关于量子计算", published_at=now - dt.timedelta(hours=3))
    make_article("量子计算：标题命中", published_at=now - dt.timedelta(days=30))
    make_article("只在标签", tags=["量子计算"], published_at=now - dt.timedelta(minutes=1))
    assert found("量子计算") == ["量子计算：标题命中", "摘要命中", "正文命中，最新", "正文命中，较旧", "只在标签"]


@pytest.mark.django_db
def test_more_terms_in_the_title_rank_higher():
    make_article("芯片", summary="摘要", body="<p>量产</p>", published_at=timezone.now() - dt.timedelta(hours=1))
    make_article("芯片量产", published_at=timezone.now() - dt.timedelta(days=9))
    assert found("芯片 量产") == ["芯片量产", "芯片"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["量子计算", "量子"])
def test_only_the_newest_matches_are_ranked(query):
    now = timezone.now()
    make_article("量子计算：标题命中，最旧", published_at=now - dt.timedelta(days=30))
    make_article("正文命中，较新", summary="摘要", body="<p>量子计算</p>", published_at=now - dt.timedelta(hours=2))
    make_article("正文命中，最新", summary="摘要", body="<p>量子计算</p>", published_at=now - dt.timedelta(hours=1))
    terms = search.parse_query(query)
    ranked = search.matching(Article.objects.published(), terms, candidates=2)
    # The oldest would rank first by its title; beyond the two newest matches it is not ranked.
    assert list(ranked.values_list("title", flat=True)) == ["正文命中，最新", "正文命中，较新"]


@pytest.mark.django_db
def test_a_common_term_read_row_by_row_finds_what_the_index_finds(monkeypatch):
    make_article("量子计算：标题命中")
    make_article("正文命中", body="<p>关于量子计算</p>")
    make_article("只在标签", tags=["量子计算"])
    make_article("只在分类", categories=[make_category_path("量子计算", "进展")])
    make_article("无关")
    by_index = found("量子计算")
    monkeypatch.setattr(search, "_common_terms", lambda terms: set(terms))
    assert found("量子计算") == by_index and len(by_index) == 4


def _ranked_as_common_and_as_rare(monkeypatch, term, candidates):
    articles = Article.objects.published()
    rare = list(search.matching(articles, [term], candidates=candidates).values_list("title", flat=True))
    monkeypatch.setattr(search, "_common_terms", lambda terms: set(terms))
    with CaptureQueriesContext(connection) as queries:
        common = list(search.matching(articles, [term], candidates=candidates).values_list("title", flat=True))
    return rare, common, queries[-1]["sql"]


def _articles_over_time(count, holding, *, written_newest_first=False):
    """`count` articles an hour apart (the last written the newest, unless told otherwise); those
    at the positions in `holding` (0: the oldest) have 量子计算 in their body."""
    now = timezone.now()
    order = range(count - 1, -1, -1) if written_newest_first else range(count)
    for age in order:
        body = "<p>关于量子计算的报道</p>" if age in holding else "<p>别的报道</p>"
        make_article(f"第{age:02d}篇", body=body, published_at=now - dt.timedelta(hours=count - age))


@pytest.mark.django_db
def test_a_common_term_lists_the_newest_articles_matches_only(monkeypatch):
    _articles_over_time(40, holding=range(40))
    rare, common, sql = _ranked_as_common_and_as_rare(monkeypatch, "量子计算", candidates=2)
    assert common == rare == ["第39篇", "第38篇"]
    if connection.vendor == "sqlite":
        # For two candidates the 16 newest: their matches are listed from the lowest id among them.
        lowest = min(Article.objects.order_by("-published_at").values_list("pk", flat=True)[:16])
        assert f"MATCH '\"量子计算\"' AND rowid >= {lowest}" in sql


@pytest.mark.django_db
def test_the_window_is_read_once_for_all_the_common_terms(monkeypatch):
    _articles_over_time(40, holding=range(40))
    monkeypatch.setattr(search, "_common_terms", lambda terms: set(terms))
    reads = []
    newest_window = search._newest_window
    monkeypatch.setattr(search, "_newest_window", lambda *args: reads.append(args) or newest_window(*args))
    ranked = search.matching(Article.objects.published(), ["量子计算", "的报道"], candidates=2)
    assert list(ranked.values_list("title", flat=True)) == ["第39篇", "第38篇"]
    assert len(reads) == (1 if connection.vendor == "sqlite" else 0)


@pytest.mark.django_db
def test_a_common_term_whose_newest_matches_are_older_than_the_window_is_still_exact(monkeypatch):
    # candidates=2: the window is the 16 newest articles, and none of them has the term.
    _articles_over_time(40, holding={0, 3, 5})
    rare, common, _ = _ranked_as_common_and_as_rare(monkeypatch, "量子计算", candidates=2)
    assert common == rare == ["第05篇", "第03篇"]


@pytest.mark.django_db
def test_a_common_term_is_exact_when_articles_were_numbered_against_time(monkeypatch):
    # An archive imported newest first: the newest articles have the lowest ids.
    _articles_over_time(40, holding={2, 20, 30, 31, 39}, written_newest_first=True)
    rare, common, _ = _ranked_as_common_and_as_rare(monkeypatch, "量子计算", candidates=3)
    assert common == rare == ["第39篇", "第31篇", "第30篇"]


@pytest.mark.django_db
def test_a_common_term_is_asked_of_each_article_not_collected_from_the_whole_archive(monkeypatch):
    make_article("量子计算：标题命中", tags=["量子计算"], categories=[make_category_path("量子计算", "进展")])
    monkeypatch.setattr(search, "_common_terms", lambda terms: set(terms))
    with CaptureQueriesContext(connection) as queries:
        assert found("量子计算") == ["量子计算：标题命中"]
    # A UNION of the text's, the tags' and the categories' matches would list every one of them.
    assert all("UNION" not in query["sql"] for query in queries)


@pytest.mark.django_db
def test_the_search_count_ranks_nothing(client):
    make_article("量子计算新闻")
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", {"q": "量子计算"})
    counts = [query["sql"] for query in queries if "COUNT(*)" in query["sql"]]
    # The ranking compares each candidate's title, summary and body: only the order needs it.
    assert counts and all("_hits" not in sql for sql in counts)


@pytest.mark.django_db
def test_terms_in_many_documents_are_told_from_rare_ones(monkeypatch):
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 2)
    for title in ("量子计算一", "量子计算二", "钙钛矿电池"):
        make_article(title)
    # Two-character terms have no index to ask: they are always read row by row.
    assert search._common_terms(["量子计算", "钙钛矿", "电池"]) == {"量子计算"}


@pytest.mark.django_db
def test_only_published_articles_are_found():
    make_article("已发布的量子文章")
    make_article("草稿里的量子文章", published=False)
    make_article("定时的量子文章", status=Article.Status.PUBLISHED, published_at=timezone.now() + dt.timedelta(days=1))
    assert found("量子文章") == ["已发布的量子文章"]


@pytest.mark.django_db
def test_scheduled_article_is_found_once_its_time_comes_and_not_after_it_expires():
    article = make_article(
        "定时发布的固态电池", status=Article.Status.PUBLISHED, published_at=timezone.now() + dt.timedelta(days=1)
    )
    assert found("固态电池") == []
    # update() skips save() and its signal: visibility comes from published() at query time alone.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - dt.timedelta(minutes=1))
    assert found("固态电池") == ["定时发布的固态电池"]
    Article.objects.filter(pk=article.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert found("固态电池") == []


@pytest.mark.django_db
def test_index_follows_edits_unpublishing_and_deletion():
    article = make_article("旧标题钠电池")
    article.title = "新标题固态电池"
    article.save()
    assert found("钠电池") == []
    assert found("固态电池") == ["新标题固态电池"]
    article.status = Article.Status.UNPUBLISHED
    article.save(update_fields=["status"])
    assert found("固态电池") == []
    article.status = Article.Status.PUBLISHED
    article.save(update_fields=["status"])
    assert found("固态电池") == ["新标题固态电池"]
    article.delete()
    assert not SearchDocument.objects.exists()
    assert found("固态电池") == []


@pytest.mark.django_db
def test_a_renamed_tag_is_found_by_its_new_name_at_once():
    make_article("一篇文章", tags=["旧名字"])
    Tag.objects.filter(name="旧名字").update(name="新名字")
    assert found("新名字") == ["一篇文章"]


@pytest.mark.django_db
def test_state_only_saves_do_not_rewrite_the_document(django_assert_num_queries):
    article = make_article("发布不改文本")
    with django_assert_num_queries(1):
        article.save(update_fields=["status"])


@pytest.mark.django_db
def test_rebuild_search_index_picks_up_changes_that_skipped_the_orm():
    article = make_article("改名之前")
    # The ORM's bulk paths index too (test_search_bulk.py); SQL run around it does not.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE articles_article SET title = %s WHERE id = %s", ["批量改名之后", article.pk])
    assert found("批量改名") == []
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert found("批量改名") == ["批量改名之后"]
    assert "Indexed 1 articles." in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["%", "_", '"', "100%", "a_b", '"抖音" OR 电商', "title:抖音"])
def test_query_syntax_characters_are_plain_text(query):
    make_article("普通文章", body="<p>抖音 电商</p>")
    make_article(f"含有 {query} 的文章")
    assert found(query) == [f"含有 {query} 的文章"]


@pytest.mark.django_db
def test_search_reads_the_index_not_article_bodies():
    make_article("索引里的抖音电商")
    with CaptureQueriesContext(connection) as queries:
        found("抖音电商")
    sql = queries[-1]["sql"]
    assert '"articles_article"."body" LIKE' not in sql and 'UPPER("articles_article"."body"' not in sql
    if connection.vendor == "sqlite":
        assert "articles_search_fts MATCH" in sql
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT article_id FROM articles_searchdocument WHERE UPPER(body::text) LIKE UPPER(%s)",
                ["%抖音电商%"],
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
        assert "search_body_trgm" in plan


# The page.


@pytest.mark.django_db
def test_search_page_shows_marked_escaped_results(client):
    make_article(
        "<b>抖音</b>电商新玩法",
        body="<p>讲解 &lt;script&gt;alert(1)&lt;/script&gt; 为何在电商页面无效。</p><script>evil()</script>",
    )
    html = client.get("/search/", {"q": "电商"}).content.decode()
    assert "&lt;b&gt;抖音&lt;/b&gt;<mark>电商</mark>新玩法" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 为何在<mark>电商</mark>页面" in html
    assert "<script>" not in html and "<b>" not in html
    assert "共找到 1 篇文章" in html
    assert 'name="robots" content="noindex' in html


@pytest.mark.django_db
def test_search_page_without_a_query_asks_for_one(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/search/")
    assert response.status_code == 200
    assert "请输入要搜索的词" in response.content.decode()


@pytest.mark.django_db
def test_every_page_has_a_labelled_search_box(client):
    html = client.get("/").content.decode()
    form = re.search(r'<form class="site-search" role="search" action="/search/" method="get">.*?</form>', html, re.S)
    assert form and 'name="q"' in form.group() and '<label class="visually-hidden" for="site-search-q">' in form.group()


@pytest.mark.django_db
def test_result_pages_keep_the_query_in_their_links(client):
    start = timezone.now() - dt.timedelta(days=1)
    for i in range(25):
        make_article(f"储能电站{i}", published_at=start - dt.timedelta(hours=i))
    first = client.get("/search/", {"q": "储能"}).content.decode()
    assert 'href="?q=%E5%82%A8%E8%83%BD&amp;page=2"' in first
    second = client.get("/search/", {"q": "储能", "page": 2})
    assert second.context["page_obj"].number == 2
    assert len(second.context["articles"]) == 5
    assert 'href="?q=%E5%82%A8%E8%83%BD&amp;page=1"' in second.content.decode()


@pytest.mark.django_db
def test_search_page_stays_within_its_query_budget_whatever_the_number_of_results(
    client, django_assert_max_num_queries
):
    def search_page_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/search/", {"q": "电商 新闻"}).status_code == 200
        return len(queries)

    leaf = make_category_path("新媒体", "36kr", "资讯")
    for i in range(3):
        make_article(f"电商新闻{i}", categories=[leaf], tags=["电商", f"标签{i}"])
    few = search_page_queries()
    for i in range(3, 20):
        make_article(f"电商新闻{i}", categories=[leaf], tags=["电商", f"标签{i}"])
    with django_assert_max_num_queries(SEARCH_PAGE_BUDGET):
        many = search_page_queries()
    assert many == few


@pytest.mark.django_db
def test_a_rare_word_is_read_from_its_index_as_a_list_of_ids(client):
    make_article("钙钛矿叠层电池效率新纪录")
    make_article("别的新闻")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/?q=钙钛矿叠层")
    assert "电池效率新纪录" in response.content.decode()  # the term itself is marked
    listing = [q["sql"] for q in captured if "ORDER BY" in q["sql"] and "articles_searchdocument" in q["sql"]]
    assert listing
    if connection.vendor == "postgresql":
        # IN (subquery) would be hash-joined with every live article (the UNION is estimated at
        # thousands of rows whatever it holds); an array of the matches' ids is fetched by id.
        assert all("= ANY(ARRAY(" in sql for sql in listing)
    else:
        assert all("MATCH" in sql for sql in listing)


@pytest.mark.django_db
def test_a_repeated_search_ranks_and_marks_nothing(client, no_page_cache):
    make_article("量子计算新闻", summary="关于量子计算的摘要")
    first = client.get("/search/", {"q": "量子计算"}).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/search/", {"q": "量子计算"}).content.decode()
    assert again == first and "<mark>量子计算</mark>新闻" in again
    # The ranked ids and the results' markup are kept under the content version.
    assert not [query["sql"] for query in queries if "articles_searchdocument" in query["sql"]]


@pytest.mark.django_db
def test_kept_search_results_follow_edits_at_once(client, no_page_cache):
    article = make_article("量子计算新闻")
    assert "<mark>量子计算</mark>新闻" in client.get("/search/", {"q": "量子计算"}).content.decode()
    article.title = "量子计算快讯"
    article.save()
    shown = client.get("/search/", {"q": "量子计算"}).content.decode()
    assert "<mark>量子计算</mark>快讯" in shown and "量子计算</mark>新闻" not in shown
