"""Search pages stay what they were: same articles, same order, same marked titles and snippets.

A fixed, seeded corpus (Chinese and Latin words, markup characters, terms in titles, summaries,
bodies, tags and categories) is searched through /search/ and every result page is compared with
the pages recorded in data/search_identity.json, on SQLite and on PostgreSQL alike. Any change
to how search finds, ranks or marks must keep them, or record new ones on purpose:

    SEARCH_IDENTITY_RECORD=1 .venv/bin/python -m pytest articles/tests/test_search_identity.py

writes the file (and fails, so that a recording never passes for a check).
"""

import datetime as dt
import json
import os
import random
import re
from html import unescape
from pathlib import Path

import pytest

from articles import search
from articles.models import Article, Author, Category, Tag, TaggedArticle

RECORDED = Path(__file__).parent / "data" / "search_identity.json"
ARTICLES = 160
WORDS = (
    "人工智能 大模型 芯片 电商 直播 数据 算力 开源 社区 融资 云 机器人 自动驾驶 新能源 半导体 "
    '公司 发布 用户 市场 平台 技术 产品 服务 增长 手机 iPhone GPU AI ai OpenAI A&B <标签> "引号" '
    "的 在 和 了 是 对 也 就 将 与 从 而 被 让"
).split()
# Most of the text: two characters drawn from these, so that each word above is in some articles only.
FILLER = "一是不有这中为上个以要时来用们生到作地出分成会可能而子那得下自之年过发后里"
TAG_NAMES = ["大模型应用", "芯片", "AI", "电商直播", "开源", "安全"]
CATEGORY_PATHS = [("科技", "人工智能", "大模型"), ("科技", "芯片"), ("商业", "电商"), ("产业观察",)]
RARE = "钙钛矿叠层"
# (query, page): the bench's query first; one-character, two-character (no index), Latin, markup,
# tag-only, category-only, rare, absent and many-term queries; later pages of common ones.
QUERIES = [
    ("人工智能 大模型", 1),
    ("人工智能 大模型", 2),
    ("人工智能", 1),
    ("人工智能", 3),
    ("大模型", 1),
    ("芯片", 1),
    ("芯片", 2),
    ("云", 1),
    ("ai", 1),
    ("AI 芯片", 1),
    ("gpu", 1),
    ("iphone 电商", 1),
    ("openai", 1),
    ("A&B", 1),
    ("<标签>", 1),
    ('"引号"', 1),
    ("大模型应用", 1),
    ("产业观察", 1),
    (RARE, 1),
    ("不存在的词", 1),
    ("人工智能 芯片 数据 开源", 1),
    ("电商 直播 用户", 1),
]


def _phrase(rng, count):
    return "".join(
        rng.choice(WORDS) if rng.random() < 0.08 else "".join(rng.choices(FILLER, k=2)) for _ in range(count)
    )


def build_corpus():
    """ARTICLES published articles, the same on every run and database."""
    rng = random.Random(20261207)
    author = Author.objects.create(name="语料作者")
    leaves = [Category.objects.get_or_create_path(path) for path in CATEGORY_PATHS]
    tags = [Tag.objects.create(name=name, slug=f"corpus-tag-{i}") for i, name in enumerate(TAG_NAMES)]
    start = dt.datetime(2024, 1, 1, 8, tzinfo=dt.UTC)
    articles = []
    for i in range(ARTICLES):
        paragraphs = [_phrase(rng, rng.randrange(3, 90)) for _ in range(rng.randrange(1, 6))]
        if i % 37 == 5:
            paragraphs.insert(rng.randrange(len(paragraphs) + 1), f"研究团队展示了{RARE}电池")
        body = "".join(
            f"<p>{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</p>"
            if n % 3
            else f"<p><strong>{text.replace('&', '&amp;').replace('<', '&lt;')}</strong></p>"
            for n, text in enumerate(paragraphs)
        )
        # Every third summary is left empty: the body's start is stored in its place.
        summary = "" if i % 3 == 0 else _phrase(rng, rng.randrange(2, 12))
        articles.append(
            Article(
                title=f"{rng.choice(WORDS)}{_phrase(rng, rng.randrange(2, 7))}{i}",
                slug=f"corpus-{i}",
                author=author,
                summary=summary,
                body=body,
                status=Article.Status.PUBLISHED,
                published_at=start + dt.timedelta(hours=7 * i, minutes=rng.randrange(60)),
            )
        )
    made = Article.objects.bulk_create(articles)
    Filed = Article.categories.through
    Filed.objects.bulk_create(
        Filed(article=article, category=rng.choice(leaves)) for article in made if rng.random() < 0.7
    )
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=article, tag=tag)
        for article in made
        for tag in rng.sample(tags, rng.randrange(0, 3))
    )


RESULT = re.compile(
    r'<h2 class="card-title"><a href="(?P<url>[^"]+)">(?P<title>.*?)</a></h2>\s*'
    r'<p class="card-summary search-snippet">(?P<snippet>.*?)</p>',
    re.S,
)
COUNT = re.compile(r'<p class="search-count">(.*?)</p>', re.S)


def search_page(client, query, page):
    """What a reader sees of one result page: the count line and each result (address, marked
    title, snippet), as the HTML holds them."""
    response = client.get("/search/", {"q": query, "page": page})
    if response.status_code != 200:  # a page beyond the last
        return {"query": query, "page": page, "status": response.status_code}
    html = response.content.decode()
    count = COUNT.search(html)
    return {
        "query": query,
        "page": page,
        "count": unescape(count.group(1)).strip() if count else None,
        "results": [[found["url"], found["title"], found["snippet"]] for found in RESULT.finditer(html)],
    }


@pytest.fixture
def corpus(db, no_page_cache):
    build_corpus()


@pytest.mark.parametrize(
    "candidates, kept_parts",
    [(search.RANKED_CANDIDATES, True), (search.RANKED_CANDIDATES, False), (30, True)],
    ids=["as-configured", "no-kept-parts", "few-candidates"],
)
def test_search_pages_are_the_recorded_ones(client, corpus, monkeypatch, settings, candidates, kept_parts):
    # With few ranked candidates the common words are walked newest first and the counts capped.
    monkeypatch.setattr(search, "RANKED_CANDIDATES", candidates)
    settings.NEWSROOM = {**settings.NEWSROOM, "FRAGMENT_CACHE": kept_parts}
    # Each page twice: as found, then as kept (when parts are kept).
    pages = [search_page(client, query, page) for query, page in QUERIES]
    assert [search_page(client, query, page) for query, page in QUERIES] == pages
    recorded = json.loads(RECORDED.read_text(encoding="utf-8")) if RECORDED.exists() else {}
    if os.environ.get("SEARCH_IDENTITY_RECORD"):
        recorded[str(candidates)] = pages
        RECORDED.write_text(json.dumps(recorded, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        pytest.fail(f"recorded {RECORDED.name}; run again without SEARCH_IDENTITY_RECORD")
    assert pages == recorded[str(candidates)]


def test_the_recorded_pages_show_results_and_marks():
    """The recording is worth comparing with: most queries find articles, on several pages."""
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    for pages in recorded.values():
        results = [result for page in pages for result in page.get("results", [])]
        assert len([page for page in pages if page.get("results")]) >= len(QUERIES) - 3
        assert len(results) > 200
        marked = [title for _, title, snippet in results if "<mark>" in title + snippet]
        assert len(marked) > 0.6 * len(results)
