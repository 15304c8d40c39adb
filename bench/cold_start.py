#!/usr/bin/env python
"""Benchmark: the first minute after the server starts, as `make serve` starts it and without warm-up.

    .venv/bin/python bench/cold_start.py [--seconds 60] [--clients 8] [--json var/bench_cold_start.json]

Starts gunicorn on kb.settings.prod (plain HTTP on loopback) against the configured database,
twice, one after the other: as `make serve` does (kb/gunicorn.py: the application loaded and
warmed before the port opens, workers forked from it) and plainly (each worker loads the
application itself and meets its first requests cold). Each time, readers start knocking at
once: --clients threads, each request a search with a different real question
(../shared/bench/stard/queries.jsonl), an article, a provision or the home page, for --seconds
from the server's first answer. Reports, per start: seconds until the first answer, requests
served, the slowest request and the 99th percentile, how many took over a second, and errors.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, prepare, site_environment  # noqa: E402

QUERIES = ROOT.parent / "shared" / "bench" / "stard" / "queries.jsonl"
SLOW_SECONDS = 1.0


def questions(limit: int = 400) -> list[str]:
    if not QUERIES.exists():
        return ["网贷逾期会爆通讯录吗", "公司不给加班费怎么办", "离婚时房产怎么分"]
    lines = QUERIES.read_text(encoding="utf-8").splitlines()[:limit]
    return [json.loads(line)["question"] for line in lines]


def reader_paths(found: dict, asked: list[str]):
    """An endless round of what readers open; each search a question not asked before."""
    number = 0
    while True:
        yield "/search/?q=" + urllib.parse.quote(asked[number % len(asked)])
        yield found["article"]
        yield "/search/?q=" + urllib.parse.quote(asked[(number + 1) % len(asked)])
        yield found["provision"]
        yield "/"
        number += 2


def start(port: int, workers: int, env: dict, warmed: bool, log: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "kb.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--error-logfile", str(log),
    ]  # fmt: skip
    if warmed:
        command += ["--config", "kb/gunicorn.py"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def first_answer(port: int, deadline: float) -> float:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/robots.txt")
            connection.getresponse().read()
            return time.monotonic()
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"the server on port {port} did not answer")


def run_readers(port: int, paths, seconds: float, clients: int) -> list[tuple[float, int, str]]:
    """(seconds, status, path) of every request the readers made."""
    lock = threading.Lock()
    results: list[tuple[float, int, str]] = []
    stop_at = time.monotonic() + seconds

    def reader():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            with lock:
                path = next(paths)
            began = time.monotonic()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                results.append((time.monotonic() - began, status, path))

    threads = [threading.Thread(target=reader) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def measure(warmed: bool, options, env: dict, found: dict, asked: list[str], log: Path) -> dict:
    launched = time.monotonic()
    server = start(options.port, options.workers, env, warmed, log)
    try:
        answered = first_answer(options.port, launched + 120)
        results = run_readers(options.port, reader_paths(found, asked), options.seconds, options.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    times = sorted(seconds for seconds, _, _ in results)
    slowest = max(results)
    return {
        "first_answer_s": round(answered - launched, 2),
        "requests": len(results),
        "max_ms": round(slowest[0] * 1000, 1),
        "slowest": slowest[2],
        "p99_ms": round(times[int(0.99 * (len(times) - 1))] * 1000, 1),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "over_1s": sum(1 for seconds in times if seconds > SLOW_SECONDS),
        "errors": sum(1 for _, status, _ in results if status != 200),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="readers knock this long (default 60)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--port", type=int, default=8193)
    parser.add_argument("--json", metavar="OUT", help="write the figures to this file")
    options = parser.parse_args()

    env = site_environment(options.port)
    found = prepare(env)
    asked = questions()
    results = {}
    log = Path(os.environ.get("TMPDIR", "/tmp")) / "kb-cold-start.log"
    for name, warmed in (("make serve (warmed)", True), ("plain gunicorn", False)):
        results[name] = measure(warmed, options, env, found, asked[len(results) * 200 :], log)
        print(f"{name:<22} {results[name]}", flush=True)

    print()
    print(
        f"{options.clients} readers from the first answer on, {options.seconds:.0f} s, {options.workers} workers"
    )
    print(
        f"{'start':<22}{'first answer s':>15}{'requests':>10}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}{'>1 s':>6}{'errors':>8}"
    )
    for name, figures in results.items():
        print(
            f"{name:<22}{figures['first_answer_s']:>15.2f}{figures['requests']:>10}{figures['median_ms']:>11.1f}"
            f"{figures['p99_ms']:>9.1f}{figures['max_ms']:>9.1f}{figures['over_1s']:>6}{figures['errors']:>8}"
        )
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    warmed = results["make serve (warmed)"]
    return 1 if warmed["over_1s"] or warmed["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
