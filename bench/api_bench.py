"""The JSON API under load beside the site's own pages, in the same run: requests/s, p50, p99.

Usage: .venv/bin/python bench/api_bench.py [--database sqlite|postgres] [--articles 1000]
       [--rounds 3] [--seconds 5] [--connections 8] [--workdir DIR] [--only api-list,page-article]

Builds page_bench's site (the same generated articles, with library hero images, tags and a
3-level category path, reused from `--workdir` when it is there) and serves it as page_bench
does: gunicorn, 2 sync workers, DEBUG off, once with the page cache off ("uncached": every answer
made by its view; the pages from the parts kept per article) and once with it on ("cached"), the
API's throttle off. Then drives, in turn and `--rounds` times, the site's article page and home
page, the API's article (`/api/v1/articles/<id>/`, the same article), its article list (20 a
page) and a list page deep in its cursor, with wrk on 127.0.0.1.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import ensure_wrk  # noqa: E402
from page_bench import build_site, drive, serve, server_env  # noqa: E402

# (name, what is asked, server)
TARGETS = [
    ("page-article", "article", "uncached"),
    ("api-article", "api_article", "uncached"),
    ("page-home", "home", "uncached"),
    ("api-list", "api_list", "uncached"),
    ("api-list-deep", "api_list_deep", "uncached"),
    ("page-article-cached", "article", "cached"),
    ("api-article-cached", "api_article", "cached"),
    ("api-list-cached", "api_list", "cached"),
]


def api_addresses(base, site):
    """The API's addresses for page_bench's article, its list and a page 20 pages down the list."""
    query = urllib.parse.urlencode({"path": site["article"]})
    with urllib.request.urlopen(f"{base}/api/v1/articles/by-path/?{query}", timeout=30) as answer:
        article = json.load(answer)
    url = "/api/v1/articles/"
    for _ in range(20):
        with urllib.request.urlopen(base + url, timeout=30) as answer:
            url = urllib.parse.urlsplit(json.load(answer)["next"])
            url = f"{url.path}?{url.query}"
    return {"api_article": f"/api/v1/articles/{article['id']}/", "api_list": "/api/v1/articles/", "api_list_deep": url}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workdir", type=Path, help="keep the site here and reuse it next time (page_bench's too)")
    parser.add_argument("--only", help="comma-separated names to drive (default: all)")
    options = parser.parse_args()

    ensure_wrk()
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="api-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    servers = []
    try:
        site = build_site(workdir.resolve(), options.database, options.articles)
        # The throttle would answer wrk with 429s: off, as for a client the site trusts.
        env = {**server_env(workdir.resolve(), site["database_url"]), "NEWSROOM_API_THROTTLE_RATE": ""}
        bases = {}
        for name, page_cache in (("uncached", "0"), ("cached", "1")):
            server, bases[name] = serve("config.wsgi", {**env, "NEWSROOM_PAGE_CACHE": page_cache}, site["article"])
            servers.append(server)
        site.update(api_addresses(bases["uncached"], site))
        targets = [t for t in TARGETS if not options.only or t[0] in options.only.split(",")]
        for _name, address, server in targets:  # warm both workers of every server
            for _ in range(4):
                urllib.request.urlopen(bases[server] + site[address], timeout=30).read()
        with urllib.request.urlopen(bases["uncached"] + site["api_article"], timeout=30) as answer:
            api_bytes = len(answer.read())

        print(
            f"{site['articles']} articles on {site['database']}; gunicorn 2 sync workers each; "
            f"wrk -t2 -c{options.connections} -d{options.seconds}s --latency; {options.rounds} rounds on "
            f"{os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}); the API's article is "
            f"{api_bytes / 1024:.0f} KB of JSON (body {site['body_bytes'] / 1024:.0f} KB)",
            flush=True,
        )
        results = {target[0]: [] for target in targets}
        for round_number in range(1, options.rounds + 1):
            for name, address, server in targets:
                measured = drive(bases[server] + site[address], options.seconds, options.connections)
                results[name].append(measured)
                print(f"  round {round_number} {name:<20} {measured['rps']:7.0f}/s", flush=True)
        print()
        print("| what | server | req/s | p50 ms | p99 ms | errors | req/s per round |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for name, _address, server in targets:
            runs = results[name]
            median = lambda key, runs=runs: statistics.median(run[key] for run in runs)  # noqa: E731
            print(
                f"| {name} | {server} | {median('rps'):.0f} | {median('p50'):.1f} | {median('p99'):.1f} | "
                f"{sum(run['errors'] for run in runs)} | {' / '.join(format(run['rps'], '.0f') for run in runs)} |"
            )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        if options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
