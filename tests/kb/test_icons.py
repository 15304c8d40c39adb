"""The site's icons: drawn by our own script, linked from every page, answered at the root."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.processes import ROOT

ICONS = settings.BASE_DIR / "static" / "icons"


@pytest.mark.django_db
class TestIconsAtTheRoot:
    @pytest.mark.parametrize(
        ("path", "content_type", "file"),
        [
            ("/favicon.ico", "image/vnd.microsoft.icon", "favicon.ico"),
            ("/apple-touch-icon.png", "image/png", "apple-touch-icon.png"),
            ("/apple-touch-icon-precomposed.png", "image/png", "apple-touch-icon.png"),
        ],
    )
    def test_answered_with_the_file_and_its_type(self, client, path, content_type, file):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response.content == (ICONS / file).read_bytes()
        assert "max-age=86400" in response["Cache-Control"]

    def test_linked_from_every_page(self, client):
        content = client.get("/").content.decode()
        assert '<link rel="icon" href="/favicon.ico" sizes="16x16 32x32 48x48">' in content
        assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in content
        assert '<link rel="apple-touch-icon" href="/apple-touch-icon.png">' in content
        assert finders.find("icons/favicon.svg")  # a static file (served: tests/kb/test_run.py)


class TestIconFiles:
    def test_the_icon_holds_three_sizes_of_png(self):
        data = (ICONS / "favicon.ico").read_bytes()
        assert data[:6] == b"\0\0\1\0\3\0"  # an icon file of three images
        sizes = [data[6 + 16 * index] for index in range(3)]
        assert sizes == [16, 32, 48]
        assert data.count(b"\x89PNG") == 3

    def test_the_touch_icon_is_a_square_180_pixel_png(self):
        data = (ICONS / "apple-touch-icon.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(data[16:20]) == int.from_bytes(data[20:24]) == 180

    def test_the_files_are_what_the_script_draws(self, tmp_path):
        result = subprocess.run(
            [sys.executable, "scripts/make_icons.py", str(tmp_path)], cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        for name in ("favicon.svg", "favicon.ico", "apple-touch-icon.png"):
            assert (tmp_path / name).read_bytes() == (ICONS / name).read_bytes(), name
