"""A search's result list, kept rendered under the content version.

Contract: the markup of one page of a search — which articles, in which order, each with its
marked title, snippet and meta line — depends only on the terms, the page number, the stored
content (articles and their search documents, authors, tags, categories: every write to them
moves the content version) and on which articles are live (caching.kept_per_content_version() ends the entry
at the next scheduled change). It is therefore kept under the list's count name (its address
without the page number) and the page number, next to the ranked ids the paginator keeps under
the same name, and a repeated search reads two entries instead of ranking its candidates and
marking twenty results. With the kept parts off (NEWSROOM["FRAGMENT_CACHE"]) every request
renders its results, exactly as kept ones would be.
"""

import hashlib

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from . import caching, fragments, search
from .models import Article

TEMPLATE = "includes/search_results.html"


def results_markup(page_articles, terms, name):
    """The results of one page: `page_articles` (their ids are enough) found by `terms`, marked.

    `name`: the list's count name; the page's ids complete the name its markup is kept under.
    """
    ids = [article.pk for article in page_articles]

    def render():
        found = Article.objects.filter(pk__in=ids).for_listing().select_related("search_document").order_by()
        by_id = {article.pk: article for article in found}
        articles = [by_id[pk] for pk in ids if pk in by_id]
        for article in articles:
            document = article.search_document
            article.marked_title = search.highlight(article.title, terms)
            # The summary is the editors' own description: shown when it holds a term.
            article.snippet = search.snippet([document.summary, document.body], terms)
        return render_to_string(TEMPLATE, {"articles": articles})

    if not ids:
        return ""
    if not fragments.enabled():
        return mark_safe(render())
    listed = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    return mark_safe(caching.kept_per_content_version(f"search-results:{name}:{listed}", render))
