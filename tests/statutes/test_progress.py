"""Progress of long steps: a bar with the share done and an ETA, in place on a terminal, every few
seconds in a log; a heartbeat for waits with nothing to count."""

import io
import threading

from django.core.management.base import OutputWrapper

from statutes import progress as progress_module
from statutes.progress import Progress, duration


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make(interactive, clock=None):
    out = io.StringIO()
    return out, Progress(OutputWrapper(out), "导入法律法规", interactive=interactive, clock=clock or Clock())


def test_durations_read_as_seconds_then_minutes():
    assert [duration(s) for s in (0, 4.4, 59, 60, 185)] == [
        "0 秒",
        "4 秒",
        "59 秒",
        "1 分 00 秒",
        "3 分 05 秒",
    ]


def test_a_log_gets_a_line_every_interval_with_an_eta_and_the_end():
    clock = Clock()
    out, progress = make(False, clock)
    progress(0, 1000)
    clock.now += 5
    progress(250, 1000)  # within the interval: nothing
    clock.now += 5
    progress(500, 1000)
    clock.now += 10
    progress(1000, 1000)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("导入法律法规 [") and "0/1,000（0%）" in lines[0]
    # 500 done in 10 s: 500 left at that rate.
    assert "500/1,000（50%），已用 10 秒，约 10 秒后完成" in lines[1]
    assert lines[2].endswith("1,000/1,000（100%），用时 20 秒")


def test_a_terminal_line_is_redrawn_in_place_and_ended_once():
    clock = Clock()
    out, progress = make(True, clock)
    for done in range(0, 101, 10):
        clock.now += 1
        progress(done, 100)
    text = out.getvalue()
    assert text.count("\r") == 11 and text.count("\n") == 1 and text.endswith("\n")
    progress.finish()  # already ended: no second newline
    assert out.getvalue().count("\n") == 1


def test_a_step_stopped_midway_ends_its_line():
    out, progress = make(True)
    progress(3, 10)
    progress.finish()
    assert out.getvalue().endswith("\n")


def test_nothing_is_shown_at_verbosity_zero():
    out = io.StringIO()
    Progress(OutputWrapper(out), "x", verbosity=0, interactive=False)(5, 10)
    assert out.getvalue() == ""


def test_a_wait_with_nothing_to_count_beats_with_the_time_left(monkeypatch):
    monkeypatch.setattr(progress_module, "LOG_INTERVAL", 0.01)
    clock = Clock()
    out, progress = make(False, clock)
    beaten = threading.Event()
    original = progress.write

    def write(text, finished=True):
        original(text, finished)
        clock.now += 5
        beaten.set()

    progress.write = write
    with progress.waiting("写入索引段", expected=30):
        assert beaten.wait(5)
    lines = out.getvalue().splitlines()
    assert lines[0] == "导入法律法规：写入索引段，已用 0 秒，约 30 秒后完成"
    assert lines[-1].startswith("导入法律法规：写入索引段，用时 ")


def test_no_eta_is_guessed_from_the_first_items():
    """The first law imported carries the step's start-up: an ETA from it alone was 116 minutes."""
    clock = Clock()
    out, progress = make(False, clock)
    clock.now += 5
    progress(1, 1420)
    assert "后完成" not in out.getvalue() and "已用 5 秒" in out.getvalue()
