"""Import benchmark: generate N seed-like legacy files, import them, then import them again.

Usage:
    .venv/bin/python bench/import_bench.py [--files 10000] [--database sqlite|postgres|both]

Prints, for each database: files per second and peak memory (RSS) of the first import and of a
re-import of the unchanged files; the largest worker's peak RSS; and the CPU seconds of the writing
process and of its workers together (PostgreSQL's own server time is not counted), which vary
less than seconds on a machine shared with other work. PostgreSQL is reached at $BENCH_POSTGRES_URL
(default postgres://postgres@127.0.0.1:5432/newsroom_bench; the database is dropped and re-created).
"""

import argparse
import datetime as dt
import email.utils
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANZI = (
    "抖音电商平台商家服务能力升级直播科技芯片制造人工智能大模型新能源出行汽车充电网络云计算数据"
    "安全开源社区开发者工具融资发布市场用户增长全球供应链物流跨境零售品牌消费内容创作者生态合作"
)
CATEGORY_TREE = {
    "新媒体": {"36kr": ["资讯", "快讯", "深度"], "IT之家": ["手机", "电脑"]},
    "科技": {"人工智能": ["大模型", "机器人"], "芯片": ["制造", "设计"]},
    "商业": {"电商": ["直播", "跨境"], "出行": ["新能源", "自动驾驶"]},
}
TAGS = ["电商", "AI", "芯片", "新能源", "云", "开源", "融资", "直播", "物流", "SaaS", "汽车", "安全"]


def words(rng, n):
    return "".join(rng.choice(HANZI) for _ in range(n))


def seed_like_file(rng, i):
    """One file in the shape of ../shared/legacy/seed-36kr.md, with ~10 KB of body."""
    root = rng.choice(list(CATEGORY_TREE))
    middle = rng.choice(list(CATEGORY_TREE[root]))
    leaf = rng.choice(CATEGORY_TREE[root][middle])
    when = dt.datetime(2018, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(4_000_000))
    image = f"https://img.example.com/bench/{i:06d}_img_000"
    tags = rng.sample(TAGS, 3)
    paragraphs = [f'<p class="image-wrapper"><img data-img-size-val src="{image}" referrerpolicy="no-referrer"></p> ']
    for p in range(22):
        paragraphs.append(f"<p>{words(rng, rng.randrange(80, 200))}，<strong>{words(rng, 6)}</strong>。</p> ")
        if p % 7 == 3:
            paragraphs.append(f'<p><a href="https://www.example.org/{i}/{p}" target="_blank">{words(rng, 8)}</a></p> ')
    return (
        "\n---\n"
        f"title: '{words(rng, rng.randrange(12, 30))}{i}'\n"
        "categories: \n"
        f" - {root}\n - {middle}\n - {leaf}\n"
        "tags: \n" + "".join(f" - {t}\n" for t in tags) + f"headimg: '{image}'\n"
        f"author: {rng.choice(['36kr', '编辑部', '李明', '王晓雯'])}\n"
        "comments: false\n"
        f"date: {email.utils.format_datetime(when, usegmt=True)}\n"
        f"thumbnail: '{image}'\n"
        "---\n\n<div>   \n" + "\n".join(paragraphs) + "\n</div>\n"
    )


def generate(folder, count):
    rng = random.Random(20221106)
    for i in range(count):
        (folder / f"{i:06d}.md").write_text(seed_like_file(rng, i), encoding="utf-8")


def run_phase(database_url, archive):
    """Run one import in a fresh process; return (seconds, files, peak RSS in MiB, summary)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_DEBUG": "0",
    }
    code = (
        "import resource, sys, time, django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup();"
        "from django.core.management import call_command;"
        "t = time.perf_counter();"
        f"call_command('import_frontmatter', {str(archive)!r}, verbosity=0);"
        "print('SECONDS', time.perf_counter() - t);"
        "me, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print('PEAK', me.ru_maxrss);"
        "print('WORKERPEAK', workers.ru_maxrss);"
        "print('CPU', me.ru_utime + me.ru_stime);"
        "print('WORKERCPU', workers.ru_utime + workers.ru_stime)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    names = ("SECONDS", "PEAK", "WORKERPEAK", "CPU", "WORKERCPU")
    figures = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.startswith(names))
    return (
        float(figures["SECONDS"]),
        int(figures["PEAK"]) / 1024,
        int(figures["WORKERPEAK"]) / 1024,
        float(figures["CPU"]),
        float(figures["WORKERCPU"]),
    )


def prepare(database, workdir):
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }
    if database == "sqlite":
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/newsroom_bench")
        import psycopg

        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env={**env, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
    )
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        archive = workdir / "archive"
        archive.mkdir()
        generate(archive, args.files)
        size = sum(f.stat().st_size for f in archive.iterdir()) / args.files / 1024
        print(f"{args.files} generated files, {size:.1f} KiB each on average")
        rows = []
        for database in databases:
            url = prepare(database, workdir)
            for phase in ("first import", "re-import"):
                seconds, peak, worker_peak, cpu, worker_cpu = run_phase(url, archive)
                rows.append((database, phase, seconds, args.files / seconds, peak, worker_peak, cpu, worker_cpu))
        print(
            f"{'database':<10} {'phase':<14} {'seconds':>8} {'files/s':>9} {'peak MiB':>9} "
            f"{'worker MiB':>10} {'CPU s':>7} {'worker CPU s':>12}"
        )
        for database, phase, seconds, rate, peak, worker_peak, cpu, worker_cpu in rows:
            print(
                f"{database:<10} {phase:<14} {seconds:>8.1f} {rate:>9.0f} {peak:>9.0f} "
                f"{worker_peak:>10.0f} {cpu:>7.1f} {worker_cpu:>12.1f}"
            )
        keys = ["database", "phase", "seconds", "files_per_s", "peak_mib", "worker_peak_mib", "cpu_s", "worker_cpu_s"]
        print(json.dumps([dict(zip(keys, r)) for r in rows]))


if __name__ == "__main__":
    main()
