"""Template hygiene that no page test would notice until a reader does."""
import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_no_template_comment_spans_lines():
    # Django hides {# … #} only on one line; a longer one is printed on the page as text.
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.*")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert offenders == []


def test_the_home_page_shows_no_template_syntax(client, db):
    from articles.tests.factories import make_article

    make_article("一篇文章")
    html = client.get("/").content.decode()
    assert "{#" not in html and "#}" not in html and "{%" not in html and "{{" not in html
