"""The comments under an article page (articles.comments): the kept thread, and the form."""

from django import template

from articles import comment_form_markup as markup
from articles import comments

register = template.Library()


@register.simple_tag
def article_comments(article):
    """The article's comments.Thread: its count and markup, kept under the content version."""
    return comments.thread_of(article)


@register.simple_tag(takes_context=True)
def comment_form(context, article, thread):
    """A fresh form for the article; `?reply_to=<pk>` (a reply link, no JavaScript needed)
    answers that comment when the page shows it."""
    request = context.get("request")
    wanted = request.GET.get("reply_to", "") if request is not None else ""
    pk = int(wanted) if wanted.isdigit() else None
    reply_to = (pk, thread.names[pk]) if pk in thread.names else None
    return comments.CommentForm(article, reply_to=reply_to)


@register.simple_tag
def comment_form_html(article, form):
    """The form's markup (includes/comment_form.html), its widgets rendered once a process
    (articles.comment_form_markup)."""
    return markup.form_markup(article, form)
