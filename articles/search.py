"""Reader search: terms in, published articles out, best first; snippets with the terms marked.

The index is `SearchDocument` (the plain text of each article) plus, per database, what
migration 0005 builds over it: an FTS5 trigram table on SQLite, pg_trgm GIN indexes on
PostgreSQL. Both match substrings, which is what Chinese needs (no spaces between words, so
word tokenizers find nothing inside 抖音电商如何…), and both fold Latin case.

Trigrams cannot serve a term shorter than three characters; such a term is compared with
LIKE over the SearchDocument text (never over Article.body), newest first until enough are found:
quick for a common term, a read of every document for a rare one. Tags and categories are matched in their own (small) tables at query time.

Bounded at any size: only the newest RANKED_CANDIDATES matches are ranked and counted, and
each database reads its newest-first article index until it has them, testing each article against
the terms' matches (or its text, for terms no index serves and, on PostgreSQL, for terms so common
that pg_trgm's re-checks would cost more than reading the newest articles).

What is visible is decided at query time by `Article.objects.published()`, joined with the index:
a scheduled article is found once its time comes and an expired one no longer, with no re-index.
"""

import operator
import re
from functools import reduce

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, StrIndex
from django.db.models.lookups import GreaterThan, In, StartsWith
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article, Category, SearchDocument, Tag, TaggedArticle
from articles.models.search import INDEX_BATCH, INDEXED_FIELDS

FTS_TABLE = "articles_search_fts"
TRIGRAM = 3
MAX_TERMS = 8
# How many of the newest matches a search ranks and counts; the views count as many pages ahead.
RANKED_CANDIDATES = 500
MAX_TERM_LENGTH = 50
SNIPPET_LENGTH = 80
# How much of the snippet comes before the first match, so that the match reads in context.
SNIPPET_LEAD = 20


def parse_query(text):
    """The distinct terms of a reader's query, split on any whitespace; at most MAX_TERMS."""
    terms, seen = [], set()
    for term in (text or "").split():
        term = term[:MAX_TERM_LENGTH]
        if term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
            if len(terms) == MAX_TERMS:
                break
    return terms


def matching(articles, terms, candidates=RANKED_CANDIDATES):
    """`articles` narrowed to those containing every term, best first, among the newest `candidates`.

    Best first: more terms in the title, then in the summary, then in the body, then newest.
    Only the newest `candidates` matches are ranked (and counted: the page says "500+"), so a
    common word costs about what it costs at a thousand articles instead of ranking every match.
    """
    if not terms:
        return articles.none()
    found, common = articles, _common_terms(terms)
    # Read once for all the common terms that FTS5 serves (see _in_text_walked()).
    window = _newest_window(articles, candidates * WINDOW_PER_CANDIDATE) if any(map(_uses_fts, common)) else None
    for term in terms:
        found = found.filter(_has_term(term, common=term in common, window=window))
    newest = found.order_by("-published_at", "-pk").values("pk")[:candidates]
    articles = articles.filter(pk__in=newest)
    hits = {
        field: sum((Case(When(_in_field(field, term), then=1), default=0) for term in terms), Value(0))
        for field in ("title", "summary", "body")
    }
    # Aliases, not annotations: only the order needs them, so the page's count reads no text.
    return articles.alias(title_hits=hits["title"], summary_hits=hits["summary"], body_hits=hits["body"]).order_by(
        "-title_hits", "-summary_hits", "-body_hits", "-published_at", "-pk"
    )


def _uses_fts(term):
    return connection.vendor == "sqlite" and len(term) >= TRIGRAM


def _fts_phrase(term):
    """An FTS5 query for `term` as one phrase (quotes doubled)."""
    return '"' + term.replace('"', '""') + '"'


def _fts_rowids(term):
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [_fts_phrase(term)])


def _has_case(term):
    return term.lower() != term.upper()


def _contains(field, term):
    """A condition: `term` is in `field`, Latin case ignored; the cheapest exact form."""
    if _has_case(term):
        return Q(**{f"{field}__icontains": term})
    # Chinese has no case: instr()/strpos() compare bytes, where LIKE folds case character by character.
    return GreaterThan(StrIndex(field, Value(term)), 0)


def _documents_with(term):
    if _uses_fts(term):
        return _fts_rowids(term)
    # UPPER(column) LIKE: exactly what icontains writes and the trigram indexes serve.
    condition = Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term)
    return SearchDocument.objects.filter(condition).values("article_id")


def _common_terms(terms):
    """The indexable terms that at least RANKED_CANDIDATES documents hold; one query.

    Such a term is best tested on the newest articles as they are read, which soon finds enough;
    a rarer one is best served from its (short) list of matches. PostgreSQL then compares the text
    itself: pg_trgm re-checks every match it lists with UPPER(body) LIKE. The probe stops after
    RANKED_CANDIDATES matches, so it is cheap for any term.
    """
    long_terms = [term for term in terms if len(term) >= TRIGRAM]
    if not long_terms:
        return set()
    parts, params = [], []
    for term in long_terms:
        sql, term_params = _sql(_documents_with(term))
        parts.append(f"(SELECT COUNT(*) FROM ({sql} LIMIT %s) AS probe) >= %s")
        params.extend([*term_params, RANKED_CANDIDATES, RANKED_CANDIDATES])
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return {term for term, common in zip(long_terms, cursor.fetchone()) if common}


def _has_term(term, common=False, window=None):
    """A condition on an article row: `term` is in its text, a tag or a category (or one above it).

    `common`: the term is in many documents (see _common_terms()), so the condition is tested on
    the newest articles as matching() reads them rather than used to fetch every match
    (`window`: see _newest_window()).
    """
    if _uses_fts(term) and common:
        # Tags and categories are asked per article, as their UNION with the text's matches cost
        # more than the walk itself.
        return Q(_in_text_walked(term, window)) | Exists(_tagged_one(term)) | Exists(_filed_one(term))
    if _uses_fts(term):
        return Q(pk__in=_articles_with(term))
    if connection.vendor == "postgresql" and len(term) >= TRIGRAM and not common:
        # As an array, not IN (subquery): PostgreSQL estimates the UNION at thousands of rows
        # whatever it holds, and hash-joins it with every live article; given the ids themselves
        # it fetches just those (figures: bench/README.md, Scale).
        return Q(_AnyOf(F("pk"), _articles_with(term)))
    # No index can serve the term: test it on the rows the other conditions leave (a query's
    # longer terms narrow them by index first) rather than collect every article that has it.
    in_text = reduce(operator.or_, (_in_field(field, term) for field in ("title", "summary", "body")))
    return in_text | Q(pk__in=_tagged(term)) | Q(pk__in=_filed(term))


# How far back, in articles, a common term's matches are listed from the newest one first: the
# candidates of a term in one article of WINDOW_PER_CANDIDATE are all that new.
WINDOW_PER_CANDIDATE = 8


def _in_text_walked(term, window):
    """(SQLite) A condition on the article rows walked newest first: `term` is in the text.

    `id + 0` keeps SQLite from fetching every match by its id and sorting them all: it walks the
    newest-first index instead and stops at the candidates. The FTS5 matches are listed once
    (a probe by rowid costs more than listing them all), and for the newest articles only those
    from the lowest id among them: FTS5 seeks to it. Articles are numbered as they are written,
    so that list is a small part of all the matches of a common word (bench/README.md, Scale,
    gives the gain). A row older than that window is tested
    against the whole list, which SQLite builds only if the walk gets there; so the answer is
    exact whatever the numbering. `window`: _newest_window()'s, or None.
    """
    walked_id = ExpressionWrapper(F("pk") + 0, output_field=IntegerField())
    every_match = In(walked_id, _fts_rowids(term))
    if window is None:  # fewer articles than the window: there is nothing to leave out
        return every_match
    edge_published, edge_pk, lowest_pk = window
    from_lowest = RawSQL(
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid >= %s", [_fts_phrase(term), lowest_pk]
    )
    in_window = Q(published_at__gt=edge_published) | Q(published_at=edge_published, pk__gte=edge_pk)
    return Case(When(in_window, then=In(walked_id, from_lowest)), default=every_match, output_field=BooleanField())


def _newest_window(articles, size):
    """(published_at, id) of the oldest of the newest `size` articles, and the lowest id among
    them; None if there are fewer. Two reads of the newest-first index: as
    constants in the search's query they cost less than as subqueries, which the ORM takes
    longer to build than the database to run."""
    newest = articles.order_by("-published_at", "-pk")
    edge = next(iter(newest.values_list("published_at", "pk")[size - 1 : size]), None)
    if edge is None:
        return None
    sql, params = _sql(newest.values("id")[:size])  # "id", not "pk": the column keeps its name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id) FROM ({sql}) AS newest", params)
        (lowest_pk,) = cursor.fetchone()
    return (*edge, lowest_pk)


class _AnyOf(Func):
    """`column = ANY(ARRAY(subquery))` (PostgreSQL): the subquery's ids, read first, as one value."""

    arg_joiner = " = ANY(ARRAY("
    template = "%(expressions)s))"
    output_field = BooleanField()
    conditional = True


def _tagged(term):
    return _tag_links(term).values("content_object_id")


def _tagged_one(term):
    """The links of the article row of the outer query to a tag named with `term`."""
    return _tag_links(term).filter(content_object_id=OuterRef("pk"))


def _tag_links(term):
    return TaggedArticle.objects.filter(tag__in=Tag.objects.filter(name__icontains=term))


def _filed(term):
    return _category_links(term).values("article_id")


def _filed_one(term):
    """The links of the article row of the outer query to a category named with `term` or below one."""
    return _category_links(term).filter(article_id=OuterRef("pk"))


def _category_links(term):
    named = Category.objects.filter(name__icontains=term)
    under_named = Category.objects.filter(
        Exists(named.filter(Q(path=OuterRef("path")) | StartsWith(OuterRef("path"), Concat("path", Value("/")))))
    )
    return Article.categories.through.objects.filter(category__in=under_named)


def _articles_with(term):
    """The ids of articles with `term` in their text, a tag or a category, for an indexable term.

    One UNION, so that each database reads its own index for each part (an OR of three IN
    conditions makes PostgreSQL scan every article).
    """
    # Tags and categories are few: the matching ones are found first, then their links by index.
    parts = [_sql(_documents_with(term)), _sql(_tagged(term)), _sql(_filed(term))]
    return RawSQL(" UNION ".join(sql for sql, _ in parts), [p for _, params in parts for p in params])


def _sql(subquery):
    if isinstance(subquery, RawSQL):
        return subquery.sql, list(subquery.params)
    sql, params = subquery.query.sql_with_params()
    return sql, list(params)


def _in_field(field, term):
    """A condition on an article row: `term` is in the given field of its document."""
    # Compared on the ranked candidates only (at most RANKED_CANDIDATES rows): asking the index
    # instead would list every article of the archive with the term in its body.
    return _contains(f"search_document__{field}", term)


def rebuild_index():
    """Write every article's document afresh (any state: visibility is decided at query time)."""
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        articles = Article.objects.only("pk", *INDEXED_FIELDS).iterator(chunk_size=INDEX_BATCH)
        return SearchDocument.objects.index(articles)


def _term_pattern(terms):
    """A regex finding any of `terms` (longest first, so 抖音电商 wins over 电商), ignoring case."""
    alternatives = sorted({re.escape(term) for term in terms}, key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def highlight(text, terms):
    """`text` escaped, each occurrence of a term wrapped in <mark>; safe to show as HTML."""
    pattern = _term_pattern(terms)
    if pattern is None:
        return escape(text)
    pieces, end = [], 0
    # Matches are found in the raw text and each piece is escaped on its own, so that a term can
    # never match inside an entity the escaping made (searching "amp" in "a &amp; b").
    for found in pattern.finditer(text):
        pieces.append(escape(text[end : found.start()]))
        pieces.append(f"<mark>{escape(found.group())}</mark>")
        end = found.end()
    pieces.append(escape(text[end:]))
    return mark_safe("".join(pieces))


def snippet(texts, terms, length=SNIPPET_LENGTH):
    """About `length` characters around the first term found in `texts` (tried in order), highlighted.

    Without a match in any of them (a tag-only match), the start of the first non-empty text.
    """
    pattern = _term_pattern(terms)
    texts = [text for text in texts if text]
    if not texts:
        return ""
    text, start = texts[0], 0
    for candidate in texts:
        found = pattern.search(candidate) if pattern else None
        if found:
            text, start = candidate, max(0, found.start() - SNIPPET_LEAD)
            break
    end = min(len(text), start + length)
    start = max(0, min(start, end - length))
    fragment = highlight(text[start:end], terms)
    return mark_safe(("…" if start else "") + fragment + ("…" if end < len(text) else ""))
