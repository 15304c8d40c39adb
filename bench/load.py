#!/usr/bin/env python
"""Benchmark: the site under load, served as `make serve` serves it, beside a minimal Django view.

    .venv/bin/python bench/load.py [--duration 30] [--connections 64] [--json var/bench_load.json]

Starts gunicorn on kb.settings.prod (plain HTTP on loopback: KB_HTTPS=0) against the configured
database (DATABASE_URL, default var/db.sqlite3, which needs `make run` or the corpus imported and
indexed), and runs wrk (Debian package `wrk`) on the home, an article, a provision and a search
page in turn; then serves bench/minimal_site.py the same way and runs wrk on it. Each page gets a
warm-up run first (every worker loads its dictionary and search index), which is not counted.

Reports requests/s and p99 latency per page, errors (socket errors and non-2xx/3xx responses), and
the ratio of each page's throughput to the minimal view's. The article's view count must grow by
exactly the number of article responses gunicorn logged (no lost increments). Exit status 1 on any
error or a view count that does not add up.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEARCH_QUERY = "网贷逾期会爆通讯录吗"


def site_environment(port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="kb.settings.prod",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        KB_SITE_URL=f"http://127.0.0.1:{port}",
        KB_HTTPS="0",
    )
    return env


def prepare(env: dict) -> dict:
    """Static files collected as make serve does; the pages to load (see pages())."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return pages(env)


def pages(env: dict) -> dict[str, str]:
    """Paths of the pages to load, read from the database the server will use."""
    code = (
        "import json, urllib.parse\n"
        "from articles.models import Article\n"
        "from statutes.models import Provision\n"
        "article = Article.objects.published().order_by('pk').first()\n"
        "provision = Provision.objects.filter(law__short_title='民法典', key='1032').first() "
        "or Provision.objects.order_by('pk').first()\n"
        "print(json.dumps({'article': article.get_absolute_url() if article else None, 'article_id': "
        "article.pk if article else None, 'provision': provision.get_absolute_url() if provision else None}))\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"cannot read the database: {result.stderr.strip()}")
    found = json.loads(result.stdout.strip().splitlines()[-1])
    if not found["article"] or not found["provision"]:
        sys.exit(
            "no published article or no provision: run `make run` (demo content) or import the corpus first"
        )
    return found


def view_count(env: dict, article_id: int) -> int:
    code = f"from articles.models import Article; print(Article.objects.get(pk={article_id}).view_count)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return int(result.stdout.strip().splitlines()[-1])


class Server:
    def __init__(self, app: str, port: int, workers: int, env: dict, log: Path, config: str | None = None):
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--access-logfile", str(log), "--error-logfile", str(log.with_suffix(".errors")),
             "--graceful-timeout", "5", *(["--config", config] if config else [])],
            cwd=ROOT, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=5).read()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        self.stop()
        sys.exit(f"gunicorn did not answer at {self.url}: see {log.with_suffix('.errors')}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(url: str, duration: int, connections: int, threads: int) -> dict:
    output = subprocess.run(
        ["wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p99_ms": round(float(p99[1]) * scale[p99[2]], 2),
        "errors": (sum(map(int, socket_errors.groups())) if socket_errors else 0)
        + (int(non_2xx[1]) if non_2xx else 0),
    }


def logged_responses(log: Path, path: str) -> int:
    pattern = re.compile(rf'"GET {re.escape(path)} HTTP/1\.1" 200 ')
    return sum(
        1 for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if pattern.search(line)
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=30, help="seconds per page (default 30)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of uncounted load first (default 5)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--port", type=int, default=8191)
    parser.add_argument("--json", metavar="OUT", help="write the figures to this file")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")

    env = site_environment(options.port)
    found = prepare(env)
    targets = {
        "home": "/",
        "article": found["article"],
        "provision": found["provision"],
        "search": "/search/?q=" + urllib.request.quote(SEARCH_QUERY),
    }
    results = {}
    problems = []
    with tempfile.TemporaryDirectory(prefix="kb-load-") as folder:
        logs = Path(folder)
        server = Server(
            "kb.wsgi:application",
            options.port,
            options.workers,
            env,
            logs / "site.log",
            config="kb/gunicorn.py",
        )
        try:
            for name, path in targets.items():
                wrk(server.url + path, options.warmup, options.connections, options.threads)
                time.sleep(2)  # requests the warm-up left in flight finish before counting starts
                before_views = view_count(env, found["article_id"]) if name == "article" else 0
                before_logged = logged_responses(logs / "site.log", path) if name == "article" else 0
                results[name] = wrk(server.url + path, options.duration, options.connections, options.threads)
                if name == "article":
                    time.sleep(2)  # requests wrk left in flight finish
                    grown = view_count(env, found["article_id"]) - before_views
                    served = logged_responses(logs / "site.log", path) - before_logged
                    results[name].update(view_count_growth=grown, article_responses_logged=served)
                    if grown != served:
                        problems.append(f"view count grew by {grown} for {served} article responses")
                print(f"{name:<10} {results[name]}", flush=True)
        finally:
            server.stop()
        minimal_env = {**env, "PYTHONPATH": str(ROOT / "bench")}
        server = Server(
            "minimal_site:application", options.port, options.workers, minimal_env, logs / "min.log"
        )
        try:
            wrk(server.url + "/", options.warmup, options.connections, options.threads)
            results["minimal view"] = wrk(
                server.url + "/", options.duration, options.connections, options.threads
            )
            print(f"{'minimal':<10} {results['minimal view']}", flush=True)
        finally:
            server.stop()

    ceiling = results["minimal view"]["requests_per_s"] or 1.0
    print()
    print(
        f"{options.connections} connections, {options.duration} s per page, {options.workers} gunicorn workers"
    )
    print(f"{'page':<14}{'req/s':>10}{'p99 ms':>10}{'errors':>8}{'of minimal':>12}")
    for name, figures in results.items():
        figures["ratio_to_minimal"] = round(figures["requests_per_s"] / ceiling, 3)
        print(
            f"{name:<14}{figures['requests_per_s']:>10.1f}{figures['p99_ms']:>10.1f}{figures['errors']:>8}"
            f"{figures['ratio_to_minimal']:>12.3f}"
        )
        if figures["errors"]:
            problems.append(f"{name}: {figures['errors']} errors")
    article = results["article"]
    print(
        f"article views: +{article['view_count_growth']} for {article['article_responses_logged']} responses"
    )
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
