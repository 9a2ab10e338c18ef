"""The comment form under an article page, its markup made once a process.

Contract: an unbound form that answers no comment has the same markup under every article but
for two values, the article's id (in the form's address) and the form's stamp
(comments.form_stamp, which moves with the clock), given the language, the templates and the
settings they read (fragments.release()) and the site's address prefix. That markup is rendered
once a process for each of these, with a placeholder for each value, and each page puts its own
in, escaped as the template escapes them; the widgets' templates, the costliest part of an
article page rendered in full, then run once. A form answering a comment (`?reply_to=`) is rendered in full, as before.
"""

import functools

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from . import comments, fragments
from .models import Article

TEMPLATE = "includes/comment_form.html"
# Digits, as the form's address takes only an id; neither string occurs in the form otherwise
# (_made_once() checks it, and renders in full if not).
ARTICLE_PLACEHOLDER = 9081726354
STAMP_PLACEHOLDER = "comment-form-stamp-placeholder"


def form_markup(article, form):
    """The markup of `form` (comments.CommentForm) under `article`: as the template renders it."""
    if form.replying_to is None and not form.is_bound:
        made = _made_once(get_language(), fragments.release(), get_script_prefix())
        if made is not None:
            stamp = escape(form.initial["stamp"])
            return mark_safe(made.replace(str(ARTICLE_PLACEHOLDER), str(article.pk)).replace(STAMP_PLACEHOLDER, stamp))
    return render_to_string(TEMPLATE, {"article": article, "form": form})


@functools.lru_cache(maxsize=16)
def _made_once(language, release, script_prefix):
    """The unbound form's markup with placeholders, for `language`, `release` and the address
    prefix the site is served under (its action's address starts with it); None if the
    placeholders could be mistaken for other text of the form."""
    stand_in = Article(pk=ARTICLE_PLACEHOLDER)
    form = comments.CommentForm(stand_in)
    form.initial["stamp"] = STAMP_PLACEHOLDER
    markup = str(render_to_string(TEMPLATE, {"article": stand_in, "form": form}))
    if markup.count(str(ARTICLE_PLACEHOLDER)) != 1 or markup.count(STAMP_PLACEHOLDER) != 1:
        return None
    return markup
