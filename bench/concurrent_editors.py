#!/usr/bin/env python
"""Fault and load run: several editors saving at once, one of them a very long body, while readers search.

    .venv/bin/python bench/concurrent_editors.py [--editors 8] [--saves 10] [--readers 4] [--heavy]
    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/concurrent_editors.py …

Serves the configured site as `make serve` does (gunicorn on kb.settings.prod, plain HTTP on
loopback, with the search worker beside it; see bench/load.py), then at once:
- --editors processes, each saving --saves articles of its own through articles.services (as the
  admin does): a new title and a changed body each time, published;
- with --heavy, one more editor saving a body of "第一条" × 33,333 (100,000 characters, 300 KB),
  the longest an article may hold, three times;
- --readers threads searching varied real questions (../shared/bench/stard/queries.jsonl) over
  HTTP until the editors are done.
Prints, for the readers: requests, answers that were not 200 (5xx counted apart), p50, p99 and the
slowest; for the saves: how many, failures (with "database is locked" counted apart), p50, p99 and
the slowest save, and the heavy saves' times; then whether every saved title is found in search
once the worker has caught up (within 30 s). Exit status 1 on any 5xx, failed save or missing title.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import QUERIES, ROOT, Server, prepare, site_environment  # noqa: E402

EDITOR = r"""
import json, sys, time
from django.db import OperationalError
from articles import services
from articles.models import Article, Author, Category
category, author = Category.objects.order_by("pk").first(), Author.objects.order_by("pk").first()
times, failures, locked = [], [], 0
for number in range({saves}):
    token = "kbeditor{editor}x{{}}".format(number)
    body = "第一条" * 33333 if {heavy} else "正文，第{{}}次保存：".format(number) + token + "。依据《民法典》第一千零三十二条。\n"
    started = time.monotonic()
    try:
        article = Article(title="并发编辑{editor}号的文章 " + token, body=body, category=category,
                          author=author, status="draft" if {heavy} else "published")
        services.save_article(article=article)
        article.title = article.title + "（改）"
        services.save_article(article=article)
        times.append(time.monotonic() - started)
    except OperationalError as error:
        locked += "locked" in str(error)
        failures.append(repr(error)[:200])
    except Exception as error:
        failures.append(repr(error)[:200])
print(json.dumps({{"times": times, "failures": failures, "locked": locked}}))
"""

FOUND = r"""
import json, time
from kb.search.selectors import search
tokens = {tokens!r}
deadline = time.monotonic() + 30
missing = tokens
while missing and time.monotonic() < deadline:
    missing = [token for token in missing if not any(token in hit.object.title for hit in search(token).articles.hits)]
    if missing:
        time.sleep(1)
print(json.dumps({{"missing": missing}}))
"""


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def read_while(server_url: str, questions: list[str], done: threading.Event, results: list) -> None:
    number = 0
    while not done.is_set():
        question = questions[number % len(questions)]
        number += 7
        started = time.monotonic()
        try:
            with urllib.request.urlopen(
                server_url + "/search/?q=" + urllib.parse.quote(question[:100]), timeout=60
            ) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (urllib.error.URLError, OSError):
            status = 0
        results.append((status, time.monotonic() - started))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--editors", type=int, default=8)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument(
        "--heavy", action="store_true", help="one more editor saving a 100,000-character body"
    )
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--port", type=int, default=8193)
    parser.add_argument("--json", metavar="OUT")
    options = parser.parse_args()

    env = site_environment(options.port)
    prepare(env)
    questions = [
        json.loads(line)["question"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line
    ]
    with tempfile.TemporaryDirectory(prefix="kb-editors-") as folder:
        server = Server("kb.wsgi:application", options.port, options.workers, env, Path(folder) / "site.log",
                        config="kb/gunicorn.py")  # fmt: skip
        try:
            reads: list = []
            done = threading.Event()
            readers = [
                threading.Thread(target=read_while, args=(server.url, questions, done, reads), daemon=True)
                for _ in range(options.readers)
            ]
            for reader in readers:
                reader.start()
            editors = []
            for editor in range(1, options.editors + 1):
                code = EDITOR.format(editor=editor, saves=options.saves, heavy=False)
                editors.append(start(env, code))
            heavy = None
            if options.heavy:
                heavy = start(env, EDITOR.format(editor=0, saves=3, heavy=True))
            outputs = [finish(process) for process in editors]
            heavy_output = finish(heavy) if heavy else None
            done.set()
            for reader in readers:
                reader.join(timeout=70)
            tokens = [f"kbeditor{editor}x{number}" for editor in range(1, options.editors + 1)
                      for number in range(options.saves)]  # fmt: skip
            found = json.loads(run(env, FOUND.format(tokens=tokens)).strip().splitlines()[-1])
        finally:
            server.stop()

    save_times = [seconds for output in outputs for seconds in output["times"]]
    failures = [failure for output in outputs for failure in output["failures"]]
    statuses = [status for status, _ in reads]
    latencies = [seconds for _, seconds in reads]
    figures = {
        "readers": {
            "requests": len(reads),
            "not_200": sum(status != 200 for status in statuses),
            "5xx": sum(status >= 500 for status in statuses),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
            "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
            "max_ms": round(max(latencies, default=0) * 1000, 1),
        },
        "saves": {
            "count": len(save_times),
            "failed": len(failures),
            "database_locked": sum(output["locked"] for output in outputs),
            "p50_ms": round(percentile(save_times, 0.5) * 1000, 1),
            "p99_ms": round(percentile(save_times, 0.99) * 1000, 1),
            "max_ms": round(max(save_times, default=0) * 1000, 1),
            "failures": failures[:5],
        },
        "heavy_saves_ms": [round(seconds * 1000) for seconds in heavy_output["times"]]
        if heavy_output
        else None,
        "heavy_failures": heavy_output["failures"] if heavy_output else None,
        "missing_from_search": found["missing"],
    }
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if options.json:
        Path(options.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    bad = (
        figures["readers"]["5xx"]
        or failures
        or (heavy_output and heavy_output["failures"])
        or found["missing"]
    )
    return 1 if bad else 0


def start(env: dict, code: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=1800)
    lines = out.strip().splitlines()
    if process.returncode or not lines:
        return {"times": [], "failures": [f"editor process failed: {err.strip()[-300:]}"], "locked": 0}
    return json.loads(lines[-1])


def run(env: dict, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if result.returncode:
        sys.exit(result.stderr[-2000:])
    return result.stdout


if __name__ == "__main__":
    sys.exit(main())
