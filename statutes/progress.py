"""The progress of a long step on a management command's output: how far, and about how long to go.

Every step of `make run` that may take more than a few seconds (importing the library and the
answers, building the index, topics and related articles, the vectors) reports through Progress,
so that a newcomer watching the first run never waits on a silent terminal. Here, in the bottom
layer, so that the commands of every app can use it.

On a terminal the line is redrawn in place, at most a few times a second; in a log (CI, a pipe) a
line is written every LOG_INTERVAL seconds and at the end, so a log stays short and still shows
that the step is moving.
"""

import sys
import threading
import time
from collections.abc import Callable

# A line in a log at most this often (seconds); on a terminal, a redraw at most this often.
LOG_INTERVAL = 10.0
REDRAW_INTERVAL = 0.25
BAR_WIDTH = 24
# No ETA before this share is done: the first items carry the step's start-up (loading, warming).
ETA_AFTER_SHARE = 0.02


def duration(seconds: float) -> str:
    """12 秒, 3 分 05 秒: how long, for a reader of the terminal."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} 秒"
    return f"{seconds // 60} 分 {seconds % 60:02d} 秒"


class Progress:
    """Report `progress(done, total)` calls of one step as a bar with the share done and an ETA.

    The ETA is the time taken so far spread over what is left, at the rate so far; it is left out
    until a second has passed and ETA_AFTER_SHARE is done, when it would be a guess.
    """

    def __init__(
        self,
        stdout,
        label: str,
        *,
        verbosity: int = 1,
        interactive: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stdout = stdout
        self.label = label
        self.shown = verbosity >= 1
        self.interactive = _is_terminal(stdout) if interactive is None else interactive
        self.clock = clock
        self.started = clock()
        self.last_written = None
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.shown:
            return
        now = self.clock()
        finished = total > 0 and done >= total
        interval = REDRAW_INTERVAL if self.interactive else LOG_INTERVAL
        if not finished and self.last_written is not None and now - self.last_written < interval:
            return
        self.last_written = now
        self.write(self.line(done, total, now), finished)

    def line(self, done: int, total: int, now: float) -> str:
        elapsed = now - self.started
        share = min(done / total, 1.0) if total else 1.0
        bar = "#" * int(share * BAR_WIDTH)
        text = f"{self.label} [{bar:<{BAR_WIDTH}}] {done:,}/{total:,}（{share:.0%}）"
        if done >= total:
            return f"{text}，用时 {duration(elapsed)}"
        if share >= ETA_AFTER_SHARE and elapsed >= 1:
            return f"{text}，已用 {duration(elapsed)}，约 {duration(elapsed / done * (total - done))}后完成"
        return f"{text}，已用 {duration(elapsed)}"

    def waiting(self, what: str, expected: float | None = None) -> "Waiting":
        """A part of the step with no count to report (a commit, a merge): a line every so often with
        the time spent, and the time left when how long it usually takes is known (expected)."""
        return Waiting(self, what, expected)

    def write(self, text: str, finished: bool = True) -> None:
        if self.interactive:
            self.stdout.write("\r" + text + " " * 4, ending="\n" if finished else "")
            self.stdout.flush()
            self.drawn = not finished
        else:
            self.stdout.write(text)

    def finish(self) -> None:
        """End a line left open on a terminal (a step stopped before its end)."""
        if self.drawn:
            self.stdout.write("")
            self.drawn = False


class Waiting:
    """A heartbeat thread for a wait with nothing to count: see Progress.waiting."""

    def __init__(self, progress: Progress, what: str, expected: float | None):
        self.progress = progress
        self.what = what
        self.expected = expected
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.beat, daemon=True)

    def __enter__(self) -> "Waiting":
        self.started = self.progress.clock()
        if self.progress.shown:
            self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join()
            if not exc[0]:
                spent = self.progress.clock() - self.started
                self.progress.write(f"{self.progress.label}：{self.what}，用时 {duration(spent)}")

    def beat(self) -> None:
        interval = 1.0 if self.progress.interactive else LOG_INTERVAL
        while not self.stop.wait(interval):
            self.progress.write(self.line(self.progress.clock() - self.started), finished=False)

    def line(self, spent: float) -> str:
        text = f"{self.progress.label}：{self.what}，已用 {duration(spent)}"
        if self.expected:
            left = self.expected - spent
            text += f"，约 {duration(left)}后完成" if left > 0 else "，比平常久一些"
        return text


def _is_terminal(stdout) -> bool:
    stream = getattr(stdout, "_out", stdout)  # Django's OutputWrapper keeps the stream in _out
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return stream is sys.stdout and sys.stdout.isatty()
