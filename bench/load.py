#!/usr/bin/env python
"""Benchmark: the site under load, served as `make serve` serves it, beside a minimal Django view.

    .venv/bin/python bench/load.py [--duration 30] [--connections 64] [--json var/bench_load.json]
    DATABASE_URL=postgres://… REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/load.py …

Starts gunicorn on kb.settings.prod (plain HTTP on loopback: KB_HTTPS=0), with the search worker
beside it as make serve does, against the configured
database (DATABASE_URL, default var/db.sqlite3, which needs `make run` or the corpus imported and
indexed) and cache (REDIS_URL, or each worker's memory), and runs wrk (Debian package `wrk`) on
each page in turn: the home, an article, a category, a provision, a repeated search, and searches
with varied real questions (../shared/bench/stard/queries.jsonl, a different one each request).
Then a mixed load, all at once: readers on the articles, searchers with varied questions, and an
editor saving an article every few seconds, who measures how long readers take to see the save.
Then it serves bench/minimal_site.py the same way and runs wrk on it. Each page gets a warm-up
run first (every worker loads its dictionary and search index), which is not counted.

Reports requests/s, p50 and p99 latency per page, errors (socket errors and non-2xx/3xx
responses), and the ratio of each page's throughput to the minimal view's. View counts must grow
by exactly the number of article responses gunicorn logged, once the batches are written (no lost
increments). Exit status 1 on any error or a view count that does not add up.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEARCH_QUERY = "网贷逾期会爆通讯录吗"
QUERIES = ROOT.parent / "shared" / "bench" / "stard" / "queries.jsonl"


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
        "articles = list(Article.objects.published().order_by('pk'))\n"
        "article = articles[0] if articles else None\n"
        "provision = Provision.objects.filter(law__short_title='民法典', key='1032').first() "
        "or Provision.objects.order_by('pk').first()\n"
        "print(json.dumps({'article': article.get_absolute_url() if article else None, 'article_id': "
        "article.pk if article else None, 'provision': provision.get_absolute_url() if provision else None, "
        "'category': article.category.get_absolute_url() if article else None, "
        "'articles': [a.get_absolute_url() for a in articles[:500]]}))\n"
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


def view_count(env: dict, article_id: int | None = None) -> int:
    """One article's views, or all articles' (None), once the counted views are written (a flush)."""
    which = f".filter(pk={article_id})" if article_id else ""
    code = (
        "import time; from django.db.models import Sum; from articles import view_counts\n"
        "for _ in range(100):\n"  # a worker may be writing a batch: wait until none is left
        "    view_counts.flush()\n"
        "    if not view_counts.pending_views(): break\n"
        "    time.sleep(0.2)\n"
        f"from articles.models import Article; print(Article.objects{which}.aggregate(n=Sum('view_count'))['n'] or 0)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return int(result.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn serving app; with config (the site, as make serve runs it) the search worker beside it."""

    def __init__(self, app: str, port: int, workers: int, env: dict, log: Path, config: str | None = None):
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self.worker = None
        if config:
            self.worker = subprocess.Popen(
                [sys.executable, "manage.py", "search_worker", "--verbosity", "0"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            )  # fmt: skip
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
        for process in filter(None, (self.process, self.worker)):
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


# A different path for each request, picked at random from a file of paths (one a line).
RANDOM_PATHS_LUA = """
local paths = {}
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def wrk(url: str, duration: int, connections: int, threads: int, paths_file: Path | None = None) -> dict:
    """wrk on one URL, or (paths_file) on a random path of the file for each request."""
    command = ["wrk", "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
               "--timeout", "10s", url]  # fmt: skip
    if paths_file is not None:
        script = paths_file.with_suffix(".lua")
        script.write_text(RANDOM_PATHS_LUA, encoding="utf-8")
        command[-1:-1] = ["-s", str(script)]
        command += ["--", str(paths_file)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    p50 = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50_ms": round(float(p50[1]) * scale[p50[2]], 2),
        "p99_ms": round(float(p99[1]) * scale[p99[2]], 2),
        "errors": (sum(map(int, socket_errors.groups())) if socket_errors else 0)
        + (int(non_2xx[1]) if non_2xx else 0),
    }


def logged_responses(log: Path, path: str) -> int:
    """GET responses 200 logged for the path ("/articles/" and a trailing "*": any article page)."""
    if path.endswith("*"):
        pattern = re.compile(rf'"GET {re.escape(path[:-1])}\d+/ HTTP/1\.1" 200 ')
    else:
        pattern = re.compile(rf'"GET {re.escape(path)} HTTP/1\.1" 200 ')
    return sum(
        1 for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if pattern.search(line)
    )


def queries_file(folder: Path, limit: int = 988) -> Path:
    """The search paths of the real questions, one a line, for wrk's random pick."""
    questions = [
        json.loads(line)["question"] for line in QUERIES.read_text(encoding="utf-8").splitlines() if line
    ]
    path = folder / "questions.txt"
    path.write_text(
        "".join(f"/search/?q={urllib.request.quote(question[:100])}\n" for question in questions[:limit]),
        encoding="utf-8",
    )
    return path


def paths_file(folder: Path, name: str, paths: list[str]) -> Path:
    path = folder / f"{name}.txt"
    path.write_text("".join(f"{item}\n" for item in paths), encoding="utf-8")
    return path


def mixed_load(server: "Server", env: dict, logs: Path, options, files: dict) -> dict:
    """Readers on the articles and searchers with varied questions at once, and an editor saving."""
    readers = max(1, options.connections * 3 // 4)
    searchers = max(1, options.connections - readers)
    before_views = view_count(env)
    before_logged = logged_responses(logs / "site.log", "/articles/*")
    results: dict = {}
    editor = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "editor_saves.py"), server.url, str(options.duration - 2)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    threads = [
        threading.Thread(target=lambda: results.__setitem__("mixed: articles", wrk(
            server.url + "/", options.duration, readers, 1, files["articles"]))),
        threading.Thread(target=lambda: results.__setitem__("mixed: search", wrk(
            server.url + "/", options.duration, searchers, 1, files["questions"]))),
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    said = editor.communicate(timeout=60)[0].strip().splitlines()
    if editor.returncode or not said:
        sys.exit(f"the editor of the mixed load failed (exit {editor.returncode}): see its output above")
    saves = json.loads(said[-1])
    time.sleep(2)  # requests wrk left in flight finish
    grown = view_count(env) - before_views
    served = logged_responses(logs / "site.log", "/articles/*") - before_logged
    results["mixed: editor"] = {
        "saves": saves["saves"],
        "seen_on_page_max_ms": max(saves["page_ms"], default=None),
        "seen_in_search_max_ms": max(saves["search_ms"], default=None),
        "seen_on_page_median_ms": statistics.median(saves["page_ms"]) if saves["page_ms"] else None,
        "not_seen_within_10_s": saves["missed"],
        "view_count_growth": grown,
        "article_responses_logged": served,
    }
    return results


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
    parser.add_argument(
        "--pages", help="only these pages, comma-separated (default: all, then the mixed load)"
    )
    parser.add_argument("--json", metavar="OUT", help="write the figures to this file")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    if not QUERIES.exists():
        sys.exit(f"the questions are missing: {QUERIES}")

    env = site_environment(options.port)
    found = prepare(env)
    targets = {
        "home": "/",
        "article": found["article"],
        "category": found["category"],
        "provision": found["provision"],
        "search (repeated)": "/search/?q=" + urllib.request.quote(SEARCH_QUERY),
        "search (varied)": "questions",
        "mixed": "mixed",
    }
    if options.pages:
        wanted = set(options.pages.split(","))
        targets = {name: path for name, path in targets.items() if name.split(" ")[0] in wanted}
    results = {}
    problems = []
    with tempfile.TemporaryDirectory(prefix="kb-load-") as folder:
        logs = Path(folder)
        files = {
            "questions": queries_file(logs),
            "articles": paths_file(logs, "articles", found["articles"]),
        }
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
                if path == "mixed":
                    for part in ("articles", "questions"):
                        wrk(
                            server.url + "/",
                            options.warmup,
                            options.connections,
                            options.threads,
                            files[part],
                        )
                    time.sleep(2)
                    mixed = mixed_load(server, env, logs, options, files)
                    results.update(mixed)
                    editor = mixed["mixed: editor"]
                    if editor["view_count_growth"] != editor["article_responses_logged"]:
                        problems.append(
                            f"mixed: view counts grew by {editor['view_count_growth']} for "
                            f"{editor['article_responses_logged']} article responses"
                        )
                    for part, figures in mixed.items():
                        print(f"{part:<18} {figures}", flush=True)
                    continue
                varied = files["questions"] if path == "questions" else None
                url = server.url + ("/" if varied else path)
                wrk(url, options.warmup, options.connections, options.threads, varied)
                time.sleep(2)  # requests the warm-up left in flight finish before counting starts
                before_views = view_count(env, found["article_id"]) if name == "article" else 0
                before_logged = logged_responses(logs / "site.log", path) if name == "article" else 0
                results[name] = wrk(url, options.duration, options.connections, options.threads, varied)
                if name == "article":
                    time.sleep(2)  # requests wrk left in flight finish
                    grown = view_count(env, found["article_id"]) - before_views
                    served = logged_responses(logs / "site.log", path) - before_logged
                    results[name].update(view_count_growth=grown, article_responses_logged=served)
                    if grown != served:
                        problems.append(f"view count grew by {grown} for {served} article responses")
                print(f"{name:<18} {results[name]}", flush=True)
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
            print(f"{'minimal':<18} {results['minimal view']}", flush=True)
        finally:
            server.stop()

    ceiling = results["minimal view"]["requests_per_s"] or 1.0
    print()
    database = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    cache = "Redis" if env.get("REDIS_URL") else "local memory"
    print(
        f"{database}, cache {cache}: {options.connections} connections, {options.duration} s per page, "
        f"{options.workers} gunicorn workers"
    )
    print(f"{'page':<20}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'of minimal':>12}")
    for name, figures in results.items():
        if "requests_per_s" not in figures:
            continue
        figures["ratio_to_minimal"] = round(figures["requests_per_s"] / ceiling, 3)
        print(
            f"{name:<20}{figures['requests_per_s']:>10.1f}{figures['p50_ms']:>10.1f}{figures['p99_ms']:>10.1f}"
            f"{figures['errors']:>8}{figures['ratio_to_minimal']:>12.3f}"
        )
        if figures["errors"]:
            problems.append(f"{name}: {figures['errors']} errors")
    if "article" in results:
        article = results["article"]
        print(
            f"article views: +{article['view_count_growth']} for {article['article_responses_logged']} responses"
        )
    if "mixed: editor" in results:
        editor = results["mixed: editor"]
        print(
            f"mixed, editor: {editor['saves']} saves; seen on the article page after at most "
            f"{editor['seen_on_page_max_ms']} ms (median {editor['seen_on_page_median_ms']}), in search after at "
            f"most {editor['seen_in_search_max_ms']} ms; not seen within 10 s: {editor['not_seen_within_10_s']}; "
            f"views +{editor['view_count_growth']} for {editor['article_responses_logged']} article responses"
        )
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
