"""A rebuild builds beside the live index and swaps it in whole: searches never meet an empty index."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from kb.search.rebuild import builds_folder, rebuild
from kb.search.selectors import search, search_backend
from statutes.models import Provision
from tests.helpers import make_article
from tests.processes import ROOT, manage, start_shell

DEMO_STATUTES = str(settings.BASE_DIR / "fixtures" / "demo_statutes.json")


def found(question: str) -> list[str]:
    return [hit.object.title for hit in search(question).articles.hits]


@pytest.mark.django_db(transaction=True)
class TestRebuild:
    def test_articles_changed_during_the_build_are_in_the_new_index(self, search_index):
        call_command("loaddata", DEMO_STATUTES, verbosity=0)
        kept = make_article("拖欠工资怎么办")
        gone = make_article("押金不退怎么办")
        search_index()
        changes = []

        def progress(label, done, total):
            if label == "articles.article" and not changes:  # the articles are in the new index already
                changes.append(make_article("快递丢件谁来赔"))
                gone.delete()
                kept.title = "公司拖欠工资怎么办"
                kept.save()

        report = rebuild(batch_size=5, progress=progress)
        assert report.caught_up >= 2 and report.removed == 1
        live = Path(search_backend().path)
        assert live.is_symlink() and Path(os.path.realpath(live)) == report.folder
        assert found("快递丢件") == ["快递丢件谁来赔"]
        assert found("押金不退") == []
        assert found("拖欠工资") == ["公司拖欠工资怎么办"]
        assert report.documents["statutes.provision"] == Provision.objects.count()

    def test_the_build_before_the_live_one_is_kept_and_older_ones_deleted(self, search_index):
        make_article("拖欠工资怎么办")
        search_index()
        folders = [rebuild().folder for _ in range(3)]
        assert not folders[0].exists() and folders[1].exists() and folders[2].exists()
        assert sorted(builds_folder(Path(search_backend().path)).iterdir()) == folders[1:]
        assert found("拖欠工资") == ["拖欠工资怎么办"]

    def test_a_failed_build_leaves_the_live_index_as_it_was(self, search_index, monkeypatch):
        make_article("拖欠工资怎么办")
        search_index()
        live = os.path.realpath(search_backend().path)
        builds = builds_folder(Path(search_backend().path))
        before = set(builds.iterdir()) if builds.exists() else set()

        def broken(*args):
            raise RuntimeError("the disk is full")

        monkeypatch.setattr("kb.search.rebuild.swap", broken)
        with pytest.raises(RuntimeError):
            rebuild()
        assert os.path.realpath(search_backend().path) == live
        assert found("拖欠工资") == ["拖欠工资怎么办"]
        assert set(builds.iterdir()) == before  # the half-made build is gone


SETUP = f"""
from django.core.management import call_command
from articles.models import Author, Category
from tests.helpers import make_article
call_command("loaddata", "{DEMO_STATUTES}", verbosity=0)
for number in range(60):
    make_article(f"第{{number}}个关于拖欠工资的问题", body="劳动者被拖欠工资，可以申请劳动仲裁。\\n")
call_command("rebuild_index", interactive=False, verbosity=0)
"""

# Searches until the rebuild's process has ended (the stop file), then a few more.
READER = """
import os, time
from pathlib import Path
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()  # the test client records each page's context
client = Client()
stop, failures, searches, folders = Path("{stop}"), [], 0, set()
after_stop = 0
while after_stop < 20:
    after_stop += stop.exists()
    response = client.get("/search/", {{"q": "拖欠工资", "type": "articles"}})
    searches += 1
    folders.add(os.path.realpath(settings.WHOOSH_PATH))
    if response.status_code != 200 or response.context["outcome"].articles.total != 60:
        failures.append((response.status_code, response.context and response.context["outcome"].articles.total))
print("searches", searches, "folders", len(folders), "failures", len(failures), failures[:3])
"""


def test_readers_keep_searching_the_old_index_while_a_rebuild_runs(site_processes, tmp_path):
    setup = manage(site_processes, SETUP, timeout=300)
    assert setup.returncode == 0, setup.stderr
    stop = tmp_path / "rebuilt"
    reader = start_shell(site_processes, READER.format(stop=stop))
    for _ in range(2):
        rebuilt = subprocess.run(
            [sys.executable, "manage.py", "rebuild_index", "--noinput", "--batch-size", "5"],
            cwd=ROOT, env=site_processes, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert rebuilt.returncode == 0, rebuilt.stderr
    stop.touch()
    out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err
    summary = out.strip().splitlines()[-1]
    assert "failures 0 " in summary, summary
    searches, folders = int(summary.split()[1]), int(summary.split()[3])
    # It searched before and after (and, unless the machine is busy, between the two rebuilds).
    assert searches > 20 and folders >= 2, summary
