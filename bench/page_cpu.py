"""CPU time of one request to each reader page, in process, on a site built by page_bench.py.

Usage: .venv/bin/python bench/page_cpu.py --workdir DIR [--requests 200] [--profile PAGE]

Reads DIR/bench.json (page_bench.py --workdir DIR builds it) and asks each page through
django.test.Client, the page cache off, with the kept parts on ("uncached") and off ("cold", a
separate process each, as page_bench's servers): median and 20th percentile of the process's
CPU time per request, which a busy machine disturbs less than wall time. `--profile NAME` (e.g.
article-cold) prints that page's cProfile instead, sorted by cumulative time.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["article", "home", "category", "search"]


def measure(workdir, name, cold, requests, profile):
    """(Inside a fresh process) print the median and p20 CPU ms of `requests` GETs of page `name`."""
    import django

    django.setup()
    from django.test import Client

    site = json.loads((workdir / "bench.json").read_text())
    client, path = Client(), site[name]
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(lambda: [client.get(path) for _ in range(requests)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        return
    times = []
    for _ in range(requests):
        started = time.process_time()
        client.get(path)
        times.append((time.process_time() - started) * 1000)
    times.sort()
    print(json.dumps({"median": times[len(times) // 2], "p20": times[len(times) // 5]}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", help="one page to profile, e.g. article-cold")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    workdir = options.workdir.resolve()
    if options.measure:
        name, cold = options.measure
        return measure(workdir, name, cold == "cold", options.requests, options.profile)
    site = json.loads((workdir / "bench.json").read_text())
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench_page_settings",
        PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT)]),
        DJANGO_SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="testserver", DJANGO_DEBUG="0", DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=site["database_url"], DJANGO_MEDIA_ROOT=str(workdir / "media"), NEWSROOM_PAGE_CACHE="0",
    )  # fmt: skip
    wanted = [options.profile] if options.profile else [f"{page}{kind}" for page in PAGES for kind in ("", "-cold")]
    if not options.profile:
        print(f"{site['articles']} articles on {site['database']}; CPU ms per request, {options.requests} requests")
        print("| page | median | p20 |\n| --- | --- | --- |")
    for name in wanted:
        page, cold = name.removesuffix("-cold"), name.endswith("-cold")
        run_env = {**env, "NEWSROOM_FRAGMENT_CACHE": "0" if cold else "1"}
        command = [
            sys.executable,
            __file__,
            "--workdir",
            str(workdir),
            "--requests",
            str(options.requests),
            "--measure",
            page,
            "cold" if cold else "uncached",
        ] + (["--profile", name] if options.profile else [])
        done = subprocess.run(command, env=run_env, cwd=ROOT, check=True, capture_output=True, text=True)
        if options.profile:
            print(done.stdout)
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {name} | {figures['median']:.2f} | {figures['p20']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
