#!/usr/bin/env python
"""Benchmark: a newcomer's first `make run`, from a clean var/, and the restart after it.

    .venv/bin/python bench/first_run.py [--port 8765] [--json var/bench_first_run.json] [--no-meaning]

Runs `make run` as the README says (the packages already installed: `make install` is not timed),
with KB_VAR_DIR pointing at a new empty folder, so the database, the index and the vectors are all
built from nothing (the site's own var/ is not touched). It records:

- when each line of `make run`'s output appeared, hence each step's duration (the lines starting
  with "[n/5]") and the longest silence: the most seconds the newcomer waited on a terminal that
  printed nothing;
- when the site answered: the home page and a search both 200;
- when search by meaning was ready: the search page no longer says its vectors are being built
  (skipped with --no-meaning);
- then stops it as Ctrl-C does, runs `make run` again with nothing changed, and records when that
  answered (the restart).

Targets (issue 22): the site answers within 180 s on an idle 2-core machine; a restart within 15 s;
every step longer than 5 s shows progress with an ETA (the longest silence stays near the progress
lines' 10 s interval in a log). Note the load average printed at the start: a busy machine is slower.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "网贷逾期会爆通讯录吗"
PENDING_NOTICE = "按语义检索的准备工作正在进行"
STEP_RE = re.compile(r"^\[(\d)/\d\]")
ANSWER_TARGET, RESTART_TARGET = 180.0, 15.0


class Run:
    """One `make run`: its output lines with their times, and the process group to stop."""

    def __init__(self, port: int, env: dict, log: Path):
        self.started = time.monotonic()
        self.lines: list[tuple[float, str]] = []
        self.log = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,  # its own process group: stopped whole, as Ctrl-C stops it
        )
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self) -> None:
        for line in self.process.stdout:
            at = time.monotonic() - self.started
            self.lines.append((at, line.rstrip("\n")))
            self.log.write(f"{at:8.1f} {line}")
            self.log.flush()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stop(self) -> None:
        for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(wait)
            except subprocess.TimeoutExpired:
                continue
        self.reader.join(5)
        self.log.close()

    def steps(self, until: float) -> list[tuple[str, float]]:
        """Each numbered step of bring_up and how long it took (to the next step, or to until)."""
        marks = [(at, line.strip()) for at, line in self.lines if STEP_RE.match(line.strip())]
        return [
            (line, (marks[n + 1][0] if n + 1 < len(marks) else until) - at)
            for n, (at, line) in enumerate(marks)
        ]

    def longest_silence(self, until: float) -> tuple[float, str]:
        """The longest wait between two lines of output before until, and the line it followed."""
        longest, after, previous, previous_line = 0.0, "(start)", 0.0, "(start)"
        for at, line in self.lines + [(until, "(the site answered)")]:
            if at > until:
                at, line = until, "(the site answered)"
            if at - previous > longest:
                longest, after = at - previous, previous_line
            previous, previous_line = at, line
            if at >= until:
                break
        return longest, after


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, ""


def wait_until(run: Run, ready, timeout: float, every: float = 0.5) -> float | None:
    while run.elapsed() < timeout:
        if run.process.poll() is not None:
            return None
        if ready():
            return run.elapsed()
        time.sleep(every)
    return None


def answers(base: str) -> bool:
    home, _ = get(base + "/")
    found, _ = get(base + "/search/?q=" + urllib.parse.quote(QUESTION))
    return home == 200 and found == 200


def meaning_ready(base: str) -> bool:
    status, page = get(base + "/search/?q=" + urllib.parse.quote(QUESTION))
    return status == 200 and PENDING_NOTICE not in page


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--timeout", type=float, default=1800, help="give up after so many seconds")
    parser.add_argument("--no-meaning", action="store_true", help="do not wait for search by meaning")
    parser.add_argument("--json", help="write the figures there too")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="kb-first-run-"))
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(KB_VAR_DIR=str(folder / "var"), PYTHONUNBUFFERED="1")
    base = f"http://127.0.0.1:{options.port}"
    load = os.getloadavg()[0]
    print(f"var: {folder / 'var'}   load average at the start: {load:.2f} on {os.cpu_count()} cores")

    first = Run(options.port, env, folder / "first-run.log")
    try:
        answered = wait_until(first, lambda: answers(base), options.timeout)
        if answered is None:
            sys.exit(
                f"the site did not answer within {options.timeout:.0f} s: see {folder / 'first-run.log'}"
            )
        ready = None
        if not options.no_meaning:
            ready = wait_until(first, lambda: meaning_ready(base), options.timeout, every=2)
    finally:
        first.stop()
    silence, after = first.longest_silence(answered)

    second = Run(options.port, env, folder / "restart.log")
    try:
        restarted = wait_until(second, lambda: answers(base), 300, every=0.2)
    finally:
        second.stop()

    print("\nFirst run (make run from an empty var/):")
    for line, seconds in first.steps(answered):
        print(f"  {seconds:7.1f} s  {line[:70]}")
    print(f"  the site answered after {answered:.1f} s (target {ANSWER_TARGET:.0f} s)")
    if ready is not None:
        print(f"  search by meaning ready after {ready:.1f} s")
    print(f"  longest silence before it answered: {silence:.1f} s, after: {after[:70]}")
    print(
        f"Restart (nothing changed): answered after {restarted or float('nan'):.1f} s (target {RESTART_TARGET:.0f} s)"
    )
    figures = {
        "load_average_at_start": load,
        "cores": os.cpu_count(),
        "answered_s": answered,
        "meaning_ready_s": ready,
        "longest_silence_s": silence,
        "steps": first.steps(answered),
        "restart_answered_s": restarted,
        "logs": str(folder),
    }
    if options.json:
        Path(options.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
