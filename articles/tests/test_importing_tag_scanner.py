"""The generator-syntax scan stays linear on hostile bodies: one pass, whatever is left unclosed."""

import time

import pytest

from articles.importing.body import render_body
from articles.importing.tag_scanner import scan

# Each body is a hundred kilobytes or more; a scan that searched to the end once per unclosed opener
# would take minutes on them, a linear one well under a second.
COUNT = 20_000
HOSTILE = {
    "unclosed tags on one line": "{% note " * COUNT,
    "unclosed block tags": "{% note x %}\n" * COUNT,
    "unclosed shortcodes": "{{< x " * COUNT,
    "unclosed paired shortcodes": "{{< notice >}}\n" * COUNT,
    "unclosed outputs": "{{ a " * COUNT,
    "unclosed raw": "{% raw %} " * COUNT,
    "unclosed pre": "<pre " * COUNT,
    "backtick runs of many lengths": "".join("`" * (i % 40 + 1) + " x " for i in range(COUNT)),
    "stray end tags": "{% endnote %}" * COUNT,
    "unclosed commented shortcodes": "{{</* x " * COUNT,
    "long citation": "{% blockquote " + "a https://x.example " * COUNT + "%}\nq\n{% endblockquote %}",
}


@pytest.mark.parametrize("generator", ["", "jekyll", "hugo"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_body_converts_in_linear_time(name, generator):
    started = time.perf_counter()
    render_body(HOSTILE[name], body_format="markdown", generator=generator)
    assert time.perf_counter() - started < 10


def test_tags_are_paired_by_name_and_nesting():
    tokens = scan("{% a %}{% b %}{% a %}x{% enda %}{% endb %}{% enda %}{% endc %}", markdown=True).tokens
    pairs = {t.tag.name + str(i): t.tag.pair for i, t in enumerate(tokens) if t.tag}
    assert pairs == {"a0": 6, "b1": 5, "a2": 4, "enda4": 2, "endb5": 1, "enda6": 0, "endc7": None}


def test_code_is_not_scanned():
    tokens = scan("`{% a %}` ```\n{{< b >}}\n```\n<pre>{{ c }}</pre> {: .d}", markdown=True).tokens
    assert [t.kind for t in tokens] == ["code", "text", "code", "text", "code", "text", "tag"]
    assert tokens[-1].tag.syntax == "attributes"
