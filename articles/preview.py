"""Previews of unpublished articles, in the very template readers will see.

Two ways in, both marked as a preview, not indexable (`noindex`) and never cached:

* `/preview/<pk>/` and `/preview/<pk>/revision/<version_id>/`: for the article's creator, editors
  and superusers; anyone else gets a 404 (a 403 would tell them the draft exists), and an
  anonymous visitor is sent to the admin login.
* `/share/<token>/`: a signed link for an outside reviewer without an account. It expires after
  `NEWSROOM["SHARE_LINK_MAX_AGE"]` seconds (7 days by default) and as soon as the article changes
  state (any workflow move records a Transition, which changes the fingerprint it was signed for).
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from reversion.errors import RevertError
from reversion.models import Version

from .models import Article, Author, Image
from .permissions import can_view
from .sanitize import clean_html

ARTICLE_TEMPLATE = "articles/article_detail.html"
SHARE_INVALID_TEMPLATE = "articles/share_invalid.html"
SHARE_SALT = "articles.share"
DEFAULT_SHARE_LINK_MAX_AGE = 7 * 24 * 3600
ROBOTS = "noindex, nofollow"


# --- URL helpers (linked from the admin) -----------------------------------------------------


def preview_url(article):
    """The preview of `article` as it is now (relative URL; needs a logged-in, allowed user)."""
    return reverse("articles:preview", kwargs={"pk": article.pk})


def revision_preview_url(article, version):
    """The preview of one saved revision (a reversion Version, or its id) of `article`."""
    version_id = getattr(version, "pk", version)
    return reverse("articles:preview_revision", kwargs={"pk": article.pk, "version_id": version_id})


def share_url(article, request=None):
    """An absolute, signed link that lets anyone read `article` until it expires or changes state."""
    path = reverse("articles:share", kwargs={"token": share_token(article)})
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.NEWSROOM["SITE_URL"].rstrip("/") + path


def share_link_max_age():
    return settings.NEWSROOM.get("SHARE_LINK_MAX_AGE", DEFAULT_SHARE_LINK_MAX_AGE)


def state_fingerprint(article):
    """The article's status and its latest Transition's id: any workflow move changes it."""
    latest = article.transitions.aggregate(latest=Max("id"))["latest"] or 0
    return f"{article.status}:{latest}"


def share_token(article):
    return signing.TimestampSigner(salt=SHARE_SALT).sign_object({"pk": article.pk, "state": state_fingerprint(article)})


def article_for_share_token(token):
    """The article a still-valid token names, or None if it is expired, tampered with or stale."""
    try:
        data = signing.TimestampSigner(salt=SHARE_SALT).unsign_object(token, max_age=share_link_max_age())
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict) or not isinstance(data.get("pk"), int):
        return None
    article = Article.objects.for_page().filter(pk=data["pk"]).first()
    if article is None or state_fingerprint(article) != data.get("state"):
        return None
    return article


# --- Who may preview --------------------------------------------------------------------------


# --- Rendering --------------------------------------------------------------------------------


def _breadcrumbs(article):
    categories = list(article.categories.all())
    return categories[0].get_ancestors_and_self() if categories else []


def _render_preview(request, article, *, share=False, version=None, status=200):
    context = {
        "article": article,
        "object": article,
        "breadcrumbs": _breadcrumbs(article),
        "is_preview": True,
        "share_preview": share,
        "preview_version": version,
    }
    response = render(request, ARTICLE_TEMPLATE, context, status=status)
    response["X-Robots-Tag"] = ROBOTS
    return response


def _article_from_version(article, version):
    """An unsaved Article holding the fields `version` stored; relations come from `article`."""
    try:
        stored = version.field_dict
    except RevertError:
        raise Http404("This revision can no longer be read.") from None
    concrete = {f.attname for f in Article._meta.concrete_fields}
    values = {name: value for name, value in stored.items() if name in concrete}
    values["id"] = article.pk  # related managers (tags, categories) read the current rows
    old = Article(**values)
    old._state.adding = False
    # field_dict is raw stored data: clean it as the save path would have.
    old.body = clean_html(old.body or "")
    old.title = old.title or article.title
    old.summary = old.summary or ""
    # Rows a revision points at may be gone; fall back to the current ones rather than fail.
    old.author = Author.objects.filter(pk=old.author_id).first() or article.author
    old.hero_image = Image.objects.filter(pk=old.hero_image_id).first() if old.hero_image_id else None
    # The current categories and tags (fetched once, for the breadcrumb and the template).
    old._prefetched_objects_cache = getattr(article, "_prefetched_objects_cache", {})
    return old


def _article_or_404(request, pk):
    article = get_object_or_404(Article.objects.for_page(), pk=pk)
    if not can_view(request.user, article):
        raise Http404("No article here.")  # not 403: do not reveal that the draft exists
    return article


def _login(request):
    return redirect_to_login(request.get_full_path(), reverse("admin:login"))


@never_cache
def preview(request, pk):
    if not request.user.is_authenticated:
        return _login(request)
    return _render_preview(request, _article_or_404(request, pk))


@never_cache
def preview_revision(request, pk, version_id):
    if not request.user.is_authenticated:
        return _login(request)
    article = _article_or_404(request, pk)
    versions = Version.objects.get_for_object(article).select_related("revision")
    version = versions.filter(pk=version_id).first()
    if version is None:
        raise Http404("No such revision of this article.")
    return _render_preview(request, _article_from_version(article, version), version=version)


@never_cache
def share(request, token):
    article = article_for_share_token(token)
    if article is None:
        response = render(request, SHARE_INVALID_TEMPLATE, status=410)
        response["X-Robots-Tag"] = ROBOTS
        return response
    return _render_preview(request, article, share=True)
