"""Where an article page's comment form posts (articles.comments holds the rules).

csrf_exempt, and no token in the form: the article page comes from the page cache, the same
bytes for every reader, so it cannot carry one reader's token (nor the cookie and `Vary: Cookie`
that asking for a token brings). Posts are taken from the site's own pages only
(comments.same_origin), and the form's own checks keep scripts out.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import comments
from .models import Article

FORM_PAGE = "articles/comment_form.html"


@csrf_exempt
@require_POST
def post_comment(request, pk):
    """Stores the reader's comment and sends them back to the article; a refused comment gets a
    page saying why, with what they wrote in a fresh form (no JavaScript needed)."""
    article = get_object_or_404(Article.objects.published(), pk=pk)
    if not article.allow_comments:
        return refusal(request, article, gettext("这篇文章的评论已关闭。"), status=403)
    if not comments.same_origin(request):
        return refusal(request, article, gettext("评论只能从本站的文章页面提交。"), status=403)
    ip_address = comments.client_ip(request)
    form = comments.CommentForm(article, request.POST, ip_address=ip_address)
    if not form.is_valid():
        return refusal(request, article, None, form=form.for_another_try(), status=400)
    if not comments.take_rate_slot(ip_address):
        message = gettext("评论太频繁了，请过 %(minutes)d 分钟再提交。") % {"minutes": comments.RATE_WINDOW // 60}
        response = refusal(request, article, message, form=form.for_another_try(), status=429)
        response["Retry-After"] = str(comments.RATE_WINDOW)
        return response
    data = form.cleaned_data
    comment = comments.receive(
        article,
        name=data["name"],
        email=data["email"],
        body=data["body"],
        parent_id=data["parent"],
        ip_address=ip_address,
    )
    outcome = "published" if comment.status == comment.Status.APPROVED else "received"
    # 303: the browser fetches the article page (a page the cache keeps for everyone alike).
    response = HttpResponseRedirect(f"{article.get_absolute_url()}?comment={outcome}#comments")
    response.status_code = 303
    return response


def refusal(request, article, message, *, form=None, status):
    return render(request, FORM_PAGE, {"article": article, "message": message, "form": form}, status=status)
