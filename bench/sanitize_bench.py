"""Print how long the sanitizer (articles.sanitize.clean_html) takes on the worst bodies we know,
each grown to the body size limit (settings.NEWSROOM["BODY_MAX_BYTES"]) unless its name says
otherwise, and whether it was cleaned or refused (MarkupTooComplex: past a markup bound).

Usage: .venv/bin/python bench/sanitize_bench.py [--bytes N] [--only NAME ...]
Each figure is the best of three runs (the machine is shared; the best is the least disturbed).
No database is used.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from articles.sanitize import MAX_ATTRIBUTES, MAX_DEPTH, MAX_MARKUP, MarkupTooComplex, clean_html  # noqa: E402

RUNS = 3


def repeat(unit, size, head="", tail=""):
    """`head`, then `unit` as many times as fits in `size` bytes with `tail`, then `tail`."""
    room = size - len((head + tail).encode())
    return head + unit * max(room // len(unit.encode()), 0) + tail


def markup(html):
    """How much of MAX_MARKUP `html` takes: its tags, attributes (`=` here) and "&"s."""
    return html.count("<") + html.count("=") + html.count("&")


def tags_under_bound(unit, head=""):
    """`head` and as many `unit`s as stay within MAX_MARKUP (the worst body that is accepted)."""
    return head + unit * ((MAX_MARKUP - markup(head)) // markup(unit))


def cases(size):
    deep = "<div>" * (MAX_DEPTH - 3)  # as deep as a body may go (html, the fragment's container…)
    formatting = "".join(f"<{t}>" for t in ("a", "b", "big", "code", "em", "font", "i", "nobr", "s"))
    yield "issue 17: <b></p> x 20,000 (140 KB)", "<b></p>" * 20_000
    yield "<b></p> repeated", repeat("<b></p>", size)
    yield "<a><b><i> misnested", repeat("<a><b><i>x</a></b>y</i>", size)
    yield "<b><div></b> (adoption agency)", repeat("<b><div>x</b>", size)
    yield "<table> misnesting", repeat("<table><b><tr><td>x</b><i>", size)
    yield "<p> inside <b>", repeat("<b><p>x", size)
    yield "100,000 unclosed <b>", "<b>" * 100_000
    yield "1,000,000 nested <div> (5 MB, past the size limit)", "<div>" * 1_000_000
    yield "nested <object>", repeat("<object>", size)
    yield "nested <svg>", repeat("<svg><g>", size)
    yield "unclosed formatting, then <p> (re-opened each time)", repeat("<p>x", size, head=formatting * 3)
    yield "long attribute value", repeat("x", size, head='<a href="/a" title="', tail='">link</a>')
    yield "many attributes", repeat(" a=1", size, head="<p", tail=">x</p>")
    yield "many distinct attributes", "<p" + "".join(f" a{i}" for i in range(size // 8)) + ">x</p>"
    yield (
        "markup at the bound: tags with MAX_ATTRIBUTES distinct attributes",
        tags_under_bound("<p" + "".join(f" a{i}=" for i in range(MAX_ATTRIBUTES)) + ">x</p>"),
    )
    yield "markup at the bound: &amp; after 900 KB of text", tags_under_bound("&amp;", head="新" * 300_000)
    yield "markup at the bound: stray </x> after 900 KB of text", tags_under_bound("</x>x", head="新" * 300_000)
    yield "unclosed comment", repeat("x", size, head="<!--")
    yield "entity flood &amp;", repeat("&amp;", size)
    yield "entity flood &#65;", repeat("&#65;", size)
    yield "& flood", repeat("& ", size)
    yield "&# and digits", repeat("1", size, head="&#")
    yield "Chinese text", repeat("新闻编辑室的正文。", size)
    yield "NULs in text", repeat("x\x00", size)
    yield "< that starts no tag", repeat("< ", size)
    yield "long tag name", repeat("a", size, head="<", tail=">")
    yield "long attribute name", repeat("a", size, head="<p ", tail=">")
    yield "comment of dashes", repeat("- ", size, head="<!--", tail="-->")
    yield "unquoted attribute value of =", repeat("=", size, head="<p a=", tail=">")
    yield "long doctype", repeat("a", size, head="<!DOCTYPE ", tail=">")
    yield "<![CDATA[ in <svg>", repeat("]", size, head="<svg><![CDATA[", tail="]]></svg>")
    yield "markup at the bound: <br>", tags_under_bound("<br>")
    yield "markup at the bound: <p></p> at the deepest", tags_under_bound("<p></p>", head=deep)
    yield "markup at the bound: </p> at the deepest", tags_under_bound("</p>", head=deep)
    yield "markup at the bound: links", tags_under_bound('<a href="https://example.com/x">x</a>')
    yield "markup at the bound: <b><div></b>", tags_under_bound("<b><div>x</b>", head=deep)
    yield (
        "markup at the bound: <span class> at the deepest",
        tags_under_bound('<span class="math inline">x</span>', head=deep),
    )


def measure(html):
    best, outcome = None, ""
    for _ in range(RUNS):
        start = time.perf_counter()
        try:
            clean_html(html, internal_hosts=())
            outcome = "cleaned"
        except MarkupTooComplex as error:
            outcome = f"refused: {error}"
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, outcome


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bytes", type=int, default=settings.NEWSROOM["BODY_MAX_BYTES"])
    parser.add_argument("--only", nargs="*", help="cases whose name contains one of these words")
    options = parser.parse_args()
    print(f"size limit {options.bytes:,} bytes; MAX_MARKUP {MAX_MARKUP:,}, MAX_DEPTH {MAX_DEPTH}")
    worst = (0.0, "")
    for name, html in cases(options.bytes):
        if options.only and not any(word in name for word in options.only):
            continue
        seconds, outcome = measure(html)
        worst = max(worst, (seconds, name))
        print(f"{seconds:7.3f} s  {len(html.encode()):>9,} B  {name}: {outcome}", flush=True)
    print(f"worst: {worst[0]:.3f} s ({worst[1]})")


if __name__ == "__main__":
    main()
