"""Template hygiene that no page test would notice until a reader does."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import loader

TEMPLATES = Path(settings.BASE_DIR) / "templates"
TEMPLATE_SYNTAX = ("{#", "#}", "{%", "%}", "{{", "}}")


def test_no_template_comment_spans_lines():
    # Django hides {# … #} only on one line; a longer one is printed on the page as text.
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.*")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert offenders == []


def without_article_bodies(html):
    """`html` with the content of each `<div class="article-body">` left out: a body is the
    author's text, which may well show template syntax (an article about Hexo or Jinja)."""
    opening = '<div class="article-body">'
    kept, rest = [], html
    while opening in rest:
        before, rest = rest.split(opening, 1)
        kept.append(before + opening)
        depth, position = 1, 0
        while depth:
            tag = re.compile(r"<div\b|</div>").search(rest, position)
            depth += 1 if tag.group() == "<div" else -1
            position = tag.end()
        rest = rest[position - len("</div>") :]
    return "".join(kept) + rest


def test_article_bodies_and_only_they_are_left_out():
    html = '<p>{{ a }}</p><div class="article-body"><div>{% b %}</div>{# c #}</div><p>after</p>'
    assert without_article_bodies(html) == '<p>{{ a }}</p><div class="article-body"></div><p>after</p>'


@pytest.fixture
def every_page(client, db, django_user_model):
    """(name, response) of every public page type, and of the newsroom's previews of it."""
    from articles import workflow
    from articles.models import Article
    from articles.preview import share_url
    from articles.tests.factories import make_article, make_author, make_category_path

    author = make_author("模板作者", slug="mo-ban-zuo-zhe")
    leaf = make_category_path("科技", "芯片")
    # A body about templates: its syntax is the author's text, shown as written.
    body = "<p>Hexo 的模板写作 {{ page.title }} 与 {% post_link hello %}，注释是 {# … #}。</p>"
    live = make_article(
        "模板语法", author=author, categories=[leaf], tags=["模板"], body=body, summary="一篇关于模板的文章。"
    )
    draft = make_article("草稿", author=author, categories=[leaf], body=body, summary="草稿摘要。", published=False)
    gone = make_article("撤下", author=author, categories=[leaf], summary="撤下的文章。")
    editor = django_user_model.objects.create_superuser("template-editor", password="a-long-test-password")
    workflow.unpublish(gone, by=editor)
    day = live.published_at.astimezone()
    pages = {
        "home": "/",
        "article": live.get_absolute_url(),
        "category": leaf.get_absolute_url(),
        "category list": "/category/",
        "tag": live.tags.get().get_absolute_url(),
        "author": author.get_absolute_url(),
        "year": f"/{day.year}/",
        "month": f"/{day.year}/{day.month:02d}/",
        "search": "/search/?q=模板",
        "404": "/no/such/page/",
        "410": gone.get_absolute_url(),
        "share": share_url(draft),
    }
    answered = [(name, client.get(url)) for name, url in pages.items()]
    client.force_login(editor)
    answered.append(("preview", client.get(f"/preview/{draft.pk}/")))
    assert Article.objects.published().count() == 1
    return answered


def test_no_page_shows_template_syntax_outside_article_bodies(every_page):
    statuses = {name: response.status_code for name, response in every_page}
    assert statuses == {**dict.fromkeys(statuses, 200), "404": 404, "410": 410}
    assert "<mark>模板</mark>语法" in dict(every_page)["search"].content.decode()  # a search with results
    shown = {}
    for name, response in every_page:
        html = without_article_bodies(response.content.decode())
        shown[name] = [syntax for syntax in TEMPLATE_SYNTAX if syntax in html]
    assert shown == dict.fromkeys(shown, [])
    # The bodies themselves show what their authors wrote.
    assert "{{ page.title }}" in dict(every_page)["article"].content.decode()


@pytest.mark.parametrize("name", ["400.html", "403.html", "500.html"])
def test_error_pages_rendered_as_django_renders_them_show_no_template_syntax(name, rf, db):
    # 400 and 500 get no context at all; 403 the request and the exception.
    context, request = ({"exception": "refused"}, rf.get("/")) if name == "403.html" else (None, None)
    html = loader.get_template(name).render(context, request)
    assert [syntax for syntax in TEMPLATE_SYNTAX if syntax in html] == []
