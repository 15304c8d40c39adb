"""Serving as `make serve` does: gunicorn warms the application before it opens the port.

How fast the first requests are is measured by bench/cold_start.py; this checks the mechanism.
"""

import http.client
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from tests.processes import ROOT, manage

GUNICORN = Path(sys.executable).parent / "gunicorn"
DEMO = """
from django.core.management import call_command
call_command("load_demo", verbosity=0)
call_command("rebuild_index", interactive=False, verbosity=0)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read().decode()


def test_workers_are_forked_from_a_warmed_application(site_processes, tmp_path):
    assert manage(site_processes, DEMO, timeout=300).returncode == 0
    port, log = free_port(), tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [str(GUNICORN), "kb.wsgi:application", "--config", "kb/gunicorn.py", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--error-logfile", str(log), "--log-level", "info"],
        cwd=ROOT, env=site_processes,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(port, "/robots.txt")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        assert status == 200
        status, page = get(port, "/search/?q=" + urllib.parse.quote("网贷逾期会爆通讯录吗"))
        assert status == 200 and "网贷逾期后平台群发短信给通讯录联系人" in page
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    # The application was warmed in the master, before the port opened and the workers were forked.
    assert "Warmed up in" in text, text
    assert text.index("Warmed up in") < text.index("Listening at") < text.index("Booting worker")
    assert "Traceback" not in text, text
