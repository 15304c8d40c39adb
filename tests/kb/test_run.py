"""Serving as `make run` does: the development server on the dev settings, DEBUG off.

A reader meets the site's own pages (404 included) and its static files, served by WhiteNoise from
the source folders, without collectstatic.
"""

import http.client
import subprocess
import sys
import time

from tests.kb.test_serve import free_port
from tests.processes import ROOT


def fetch(port: int, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.body = response.read()
    return response


def test_make_run_serves_the_sites_pages_and_static_files(site_processes, tmp_path):
    port = free_port()
    env = {
        key: value
        for key, value in site_processes.items()
        if key not in ("DJANGO_DEBUG", "KB_TEST_WHOOSH_PATH", "ALLOWED_HOSTS", "KB_SITE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kb.settings.dev",  # as manage.py sets it; DJANGO_DEBUG left unset
        KB_VAR_DIR=str(tmp_path / "var"),  # no var/static: nothing was collected
        WHOOSH_PATH=str(tmp_path / "whoosh"),
        KB_EMBEDDER="",
        PORT=str(port),
    )
    log = (tmp_path / "runserver.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                home = fetch(port, "/")
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "runserver.log").read_text()
                time.sleep(0.2)
        assert home.status == 200

        missing = fetch(port, "/no-such-page/")
        page = missing.body.decode()
        assert missing.status == 404
        assert "<h1>页面不存在</h1>" in page and '<a class="site-title" href="/">法律知识库</a>' in page
        assert "Django tried these URL patterns" not in page  # not the debug page

        stylesheet = fetch(port, "/static/css/site.css")
        assert stylesheet.status == 200 and stylesheet.getheader("Content-Type").startswith("text/css")
        assert b"--accent" in stylesheet.body
        assert fetch(port, "/static/icons/favicon.svg").getheader("Content-Type") == "image/svg+xml"
        favicon = fetch(port, "/favicon.ico")
        assert favicon.status == 200 and favicon.getheader("Content-Type") == "image/vnd.microsoft.icon"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
