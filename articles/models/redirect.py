from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LegacyURL(models.Model):
    """An address an article had on the old site; it answers with a 301 to the article's URL.

    The target is the article itself, not a stored path (as in django.contrib.redirects), so the
    redirect follows the article when its own URL changes and never chains.
    """

    path = models.CharField(_("旧地址"), max_length=500, unique=True)
    article = models.ForeignKey(
        "articles.Article", verbose_name=_("文章"), on_delete=models.CASCADE, related_name="legacy_urls"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = pgettext_lazy("model name", "旧地址跳转")
        verbose_name_plural = pgettext_lazy("model name plural", "旧地址跳转")

    def __str__(self):
        return self.path

    @staticmethod
    def normalize(path):
        """The form a legacy path is looked up in: leading slash, decoded, no host or query."""
        from urllib.parse import unquote, urlsplit

        path = unquote(urlsplit(path.strip()).path or "/")
        return path if path.startswith("/") else "/" + path

    @staticmethod
    def candidates(path):
        """The stored paths a request for `path` (decoded, as Django's request.path) may mean.

        Static sites answer one page at several addresses: `/a/`, `/a` and `/a/index.html`;
        `/a.html` and, on GitHub Pages and most hosts, `/a`. Any of them finds the page's row.
        """
        found = [path]
        stem = path.rstrip("/")
        if path.endswith(("/index.html", "/index.htm")):
            folder = path.rsplit("/", 1)[0]
            found += [folder + "/", folder]
        elif path.endswith((".html", ".htm")):
            base = path.rsplit(".", 1)[0]
            found += [base, base + "/"]
        elif stem:
            found += [stem, stem + "/", stem + ".html", stem + "/index.html"]
        return list(dict.fromkeys(p for p in found if p))
