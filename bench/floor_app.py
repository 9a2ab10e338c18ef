"""The floor for bench/page_bench.py: a bare Django project in one module, no database.

`/template/<name>/` renders a page captured from the real site (the files in $FLOOR_PAGES,
`<name>.html`) through a plain template; `/fixed/<name>/` returns the same bytes as a fixed
string, the floor for pages served from the page cache. No apps, no middleware, one URL each:
what any Django page costs before the project does anything.

Served by `gunicorn floor_app:application` with bench/ on the path.
"""

import os
from pathlib import Path

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="floor-only-secret-key",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[],
        MIDDLEWARE=[],
        USE_I18N=False,
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {"floor.html": "{{ page|safe }}"})]},
            }
        ],
    )
    django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import Http404, HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402

PAGES = {page.stem: page.read_text(encoding="utf-8") for page in Path(os.environ["FLOOR_PAGES"]).glob("*.html")}
FIXED = {name: text.encode() for name, text in PAGES.items()}


def template_floor(request, name):
    """The captured page `name` rendered through a template."""
    if name not in PAGES:
        raise Http404(name)
    return render(request, "floor.html", {"page": PAGES[name]})


def fixed_floor(request, name):
    """The captured page `name` as a fixed string."""
    if name not in FIXED:
        raise Http404(name)
    return HttpResponse(FIXED[name], content_type="text/html; charset=utf-8")


urlpatterns = [
    path("template/<str:name>/", template_floor),
    path("fixed/<str:name>/", fixed_floor),
]

application = get_wsgi_application()
