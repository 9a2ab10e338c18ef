"""The sanitizer's markup bounds (issue 17): bodies that made bleach's parser quadratic are
refused with a message naming what is too much, or, nested too deep in ordinary containers,
cleaned as a shallower tree; everything within the bounds is cleaned exactly as bleach's own
parser cleans it. Timings are in bench/sanitize_bench.py, never here."""

import datetime as dt
from pathlib import Path

import bleach
import pytest
from bleach._vendor import html5lib
from django.conf import settings
from django.urls import reverse

from articles.importing.importer import ImportOptions, Outcome, find_legacy_files, prepare_file
from articles.sanitize import (
    MAX_ATTRIBUTES,
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_MARKUP,
    MarkupTooComplex,
    clean_html,
    cleaner_arguments,
)
from articles.tests.factories import make_author, make_category_path
from articles.tests.test_admin import editor_client  # noqa: F401 (a fixture)
from articles.tests.test_sanitize import HOSTILE_BODIES

SAMPLES = Path(settings.BASE_DIR) / "articles" / "sample_archive"


def clean(html):
    return clean_html(html, internal_hosts=())


def bleach_alone(html):
    """What bleach's own Cleaner, unbounded, makes of `html` under the same policy."""
    return bleach.Cleaner(**cleaner_arguments(frozenset())).clean(html).strip()


def depth(html):
    """How deep the elements of `html` nest, as a browser parses it."""

    def below(element):
        return 1 + max((below(child) for child in element), default=0)

    return below(html5lib.parseFragment(html, namespaceHTMLElements=False)) - 1


def refusal(html):
    with pytest.raises(MarkupTooComplex) as refused:
        clean(html)
    return str(refused.value)


# --- Within the bounds: exactly bleach's result -----------------------------------------------

WITHIN_BOUNDS = [
    "<p>a &amp; b &lt; c &#65; &nbsp;&copy; & d</p>" * 200,  # text cut at every "&"
    "x\x00y<p>a\x00</p><table>\x00x</table>a<\x00b",  # NULs, dropped where the parser drops them
    "<pre>\ncode</pre><pre><x>\n  code</pre><pre>\x00\ncode</pre><textarea>\nt</textarea>",
    "a < b > c" * 300 + "<p>" + "x " * 500,
    "<b></p>" * 25,  # the issue's body, small
    "<a><b><i>x</a></b>y</i>" * 100,
    "<b><div>x</b>" * 10,
    "<table><b><tr><td>x</b><i>" * 4,
    "<b><p>x" * 25,
    "<p" + "".join(f' a{i}="{i}"' for i in range(MAX_ATTRIBUTES)) + ' title="t">x</p>',
    "<!-- unclosed" + "x" * 1000,
    "<svg><g><text>s</text></g></svg><object><b>o</b></object>" * 20,
]


@pytest.mark.parametrize("html", HOSTILE_BODIES + WITHIN_BOUNDS)
def test_bodies_within_the_bounds_are_cleaned_as_bleach_cleans_them(html):
    assert clean(html) == bleach_alone(html)


def test_sample_archive_bodies_are_cleaned_as_bleach_cleans_them(monkeypatch):
    from articles import bodies

    rendered = []
    monkeypatch.setattr(bodies, "clean_html", lambda html, **kw: rendered.append(html) or "")
    options = ImportOptions(tz=dt.timezone(dt.timedelta(hours=8)), default_author="编辑部")
    for file in find_legacy_files([SAMPLES]):
        prepare_file(file, options, {})
    assert len(rendered) >= 12
    for html in rendered:
        assert clean(html) == bleach_alone(html)


# --- Past a bound: refused, each with its reason ----------------------------------------------


def test_the_issues_body_is_refused_for_its_nesting():
    # <b></p> x 20,000 (140 KB): 20,000 <b> open at once.
    assert "嵌套过深" in refusal("<b></p>" * 20_000)


def test_markup_is_counted_up_to_the_bound():
    clean("<br>" * MAX_MARKUP)
    assert "标记过多" in refusal("<br>" * (MAX_MARKUP + 1))
    assert "标记过多" in refusal("&amp;" * (MAX_MARKUP + 1))
    assert "标记过多" in refusal("x\x00" * (MAX_MARKUP + 1))
    # Attributes are counted as the tokenizer meets them, with the tags.
    assert "标记过多" in refusal('<p a="1" b="2">x</p>' * (MAX_MARKUP // 3))


def test_a_tag_with_too_many_attributes_is_refused():
    assert "属性过多" in refusal("<p" + "".join(f" a{i}" for i in range(MAX_ATTRIBUTES + 2)) + ">x</p>")


def test_formatting_nested_past_the_depth_is_refused():
    assert "嵌套过深" in refusal("<b>" * (MAX_DEPTH + 1) + "x")
    assert "嵌套过深" in refusal("<b></p>" * (MAX_DEPTH + 1))
    assert "嵌套过深" in refusal("<table><tr><td>" * MAX_DEPTH + "x")


def test_elements_re_opened_past_the_bound_are_refused():
    # The first </p> closes ten formatting elements that stay active: each "x" re-opens them.
    formatting = "<a><b><big><code><em><i><s><small><strike><u>"
    body = "<p>" + formatting + "</p>" + "<p>x</p>" * (MAX_ELEMENTS // 5)
    assert body.count("<") < MAX_MARKUP
    assert "元素过多" in refusal(body)


# --- Nested past the depth in ordinary containers: a shallower tree ---------------------------


def test_containers_nested_past_the_depth_close_instead():
    body = "<blockquote>" * (MAX_DEPTH + 20) + "x<p>y</p>"
    cleaned = clean(body)
    assert depth(cleaned) < MAX_DEPTH
    assert cleaned.count("<blockquote>") == cleaned.count("</blockquote>") == MAX_DEPTH + 20
    assert "<blockquote>x</blockquote><p>y</p></blockquote>" in cleaned


def test_divs_nested_past_the_depth_still_unwrap_to_their_content():
    assert clean("<div>" * 1000 + "<p>x</p>" + "</div>" * 1000) == "<p>x</p>"


def test_an_overlong_character_reference_is_text():
    digits = "1" * 40
    assert clean(f"<p>&#{digits};</p>") == f"<p>&amp;#{digits};</p>"
    assert clean("<p>&#0065;</p>") == bleach_alone("<p>&#0065;</p>")


# --- The write paths report it ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, message",
    [("<b></p>" * 20_000, "嵌套过深"), ("新" * (settings.NEWSROOM["BODY_MAX_BYTES"] // 3 + 1), "正文过大")],
)
def test_admin_form_refuses_the_body_by_name(editor_client, body, message):  # noqa: F811
    response = editor_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "太复杂的正文",
            "author": make_author("编辑部").pk,
            "body": body,
            "status": "draft",
            "categories": [make_category_path("科技").pk],
            "edit_version": 0,
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["body"] and message in errors["body"][0]


def test_importer_fails_the_file_with_the_reason(tmp_path):
    post = tmp_path / "source" / "_posts" / "deep.md"
    post.parent.mkdir(parents=True)
    # Forty formatting elements open: under the importer's own open-element check
    # (articles.importing.htmldepth), past the sanitizer's depth inside formatting.
    post.write_text("---\ntitle: 太复杂的正文\ndate: 2024-01-02 10:00:00\n---\n" + "<b>" * 40 + "字")
    (file,) = find_legacy_files([tmp_path / "source"])
    options = ImportOptions(tz=dt.timezone(dt.timedelta(hours=8)), default_author="编辑部")
    result = prepare_file(file, options, {}).result
    assert result.outcome == Outcome.FAILED
    assert "body refused" in result.reason and "嵌套过深" in result.reason


def test_the_bounded_parser_reads_the_policys_tags_alone():
    # The bounds change how the parser builds its tree, never what the policy allows: the
    # parser is built from the Cleaner's own arguments, which are articles.sanitize's data.
    from articles.sanitize import ALLOWED_TAGS, DROPPED_WITH_CONTENT, _cleaner

    cleaner = _cleaner(frozenset())
    assert cleaner.tags == ALLOWED_TAGS | DROPPED_WITH_CONTENT
    assert cleaner.parser.tags == frozenset(cleaner.tags) and cleaner.parser.strip is True
    assert cleaner.parser.consume_entities is False
