"""Backup and restore: a round trip of the whole database loses nothing; the index is rebuilt from it."""

import gzip
import hashlib
import json
import stat

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import CommandError, call_command
from haystack.query import SearchQuerySet

from articles.models import Article, ArticleTopic
from articles.services import ensure_editor_group
from statutes.models import Provision

# Not in a backup: what migrate recreates, the queued search tasks (an index build follows a restore)
# and the reader cache's generation.
SKIPPED_MODELS = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "django_tasks_database.dbtaskresult",
    "kb.contentgeneration",
}


def snapshot() -> dict[str, list]:
    return {
        model._meta.label_lower: serializers.serialize(
            "python", model.objects.order_by("pk"), use_natural_foreign_keys=True
        )
        for model in apps.get_models()
        if model._meta.label_lower not in SKIPPED_MODELS
    }


@pytest.mark.django_db(transaction=True)
def test_a_round_trip_of_the_whole_database_loses_nothing(tmp_path, search_index):
    call_command("load_demo", verbosity=0)
    editor = User.objects.create_user("editor", password="a-long-passphrase-for-tests", is_staff=True)
    editor.groups.add(ensure_editor_group())
    article = Article.objects.first()
    article.body += "\n\n结尾留一个空行。\n"  # whitespace and microseconds must survive
    article.save()
    LogEntry.objects.log_actions(editor.pk, [article], 2, change_message="测试")
    untopical = Provision.objects.exclude(article_topics__article=article).first()
    ArticleTopic.objects.create(article=article, provision=untopical, rank=9)
    before = snapshot()
    assert before["articles.article"] and before["statutes.provision"] and before["articles.citation"]

    backup = tmp_path / "backup.yaml.gz"
    call_command("backup", output=str(backup), verbosity=0)
    with pytest.raises(CommandError, match="already holds"):
        call_command("restore", str(backup), verbosity=0)  # never over live content

    call_command("flush", interactive=False, verbosity=0)  # a new database, as migrate leaves it
    assert not Article.objects.exists()
    call_command("restore", str(backup), verbosity=0)

    after = snapshot()
    assert after.keys() == before.keys()
    for label, rows in before.items():
        assert len(after[label]) == len(rows), label
        for old, new in zip(rows, after[label], strict=True):
            assert new["pk"] == old["pk"], label
            for name in old["fields"]:
                assert new["fields"][name] == old["fields"][name], (label, old["pk"], name)
    assert SearchQuerySet().models(Article).count() == Article.objects.count()


def test_restore_refuses_a_missing_file(tmp_path, db):
    with pytest.raises(CommandError, match="no backup"):
        call_command("restore", str(tmp_path / "nothing.yaml.gz"))


@pytest.fixture
def good_backup(tmp_path, transactional_db):
    """A backup of the demo content, and the database emptied as a new one would be."""
    call_command("load_demo", verbosity=0)
    path = tmp_path / "good.yaml.gz"
    call_command("backup", output=str(path), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    return path


def rows_of(path) -> tuple[bytes, bytes]:
    header, _, rows = gzip.decompress(path.read_bytes()).partition(b"\n")
    return header, rows


def one_line(error) -> str:
    message = str(error.value)
    assert "\n" not in message and message.startswith("Not restored:"), message
    return message


class TestBackupFile:
    def test_is_readable_by_its_owner_only_and_carries_counts_and_a_checksum(self, good_backup):
        assert stat.S_IMODE(good_backup.stat().st_mode) == 0o600
        header, rows = rows_of(good_backup)
        manifest = json.loads(header.removeprefix(b"# kb-backup "))
        assert manifest["sha256"] == hashlib.sha256(rows).hexdigest()
        assert manifest["counts"]["articles.article"] == 13
        assert manifest["counts"]["statutes.provision"] > 0
        assert "search.indextask" not in manifest["counts"]

    def test_the_default_folder_is_private_too(self, transactional_db, settings, tmp_path):
        settings.VAR_DIR = tmp_path
        call_command("backup", verbosity=0)
        folder = tmp_path / "backups"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        (backup,) = folder.iterdir()  # nothing else left beside it
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600


class TestRestoreRefuses:
    """A file that fails a check is refused in one line, nothing is written, and a good file still loads."""

    def damaged(self, tmp_path, good_backup, content: bytes, name="damaged.yaml.gz"):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(CommandError) as error:
            call_command("restore", str(path), verbosity=0)
        assert not Article.objects.exists() and not Provision.objects.exists()
        call_command("restore", str(good_backup), no_index=True, verbosity=0)
        assert Article.objects.count() == 13
        return one_line(error)

    def test_an_empty_file(self, tmp_path, good_backup):
        assert "not a backup" in self.damaged(tmp_path, good_backup, gzip.compress(b""))

    def test_a_file_that_is_not_gzip(self, tmp_path, good_backup):
        assert "damaged" in self.damaged(tmp_path, good_backup, b"- model: articles.article\n")

    def test_a_file_cut_short(self, tmp_path, good_backup):
        content = good_backup.read_bytes()
        assert "damaged" in self.damaged(tmp_path, good_backup, content[: len(content) // 2])

    def test_a_file_cut_at_a_record_boundary_and_compressed_again(self, tmp_path, good_backup):
        header, rows = rows_of(good_backup)
        records = rows.split(b"\n- model: ")
        cut = b"\n- model: ".join(records[: len(records) // 2]) + b"\n"
        message = self.damaged(tmp_path, good_backup, gzip.compress(header + b"\n" + cut))
        assert "checksum" in message

    def test_rows_that_do_not_add_up_to_the_counts(self, tmp_path, good_backup):
        header, rows = rows_of(good_backup)
        manifest = json.loads(header.removeprefix(b"# kb-backup "))
        manifest["counts"]["articles.article"] += 1  # a header that promises more than the rows hold
        forged = b"# kb-backup " + json.dumps(manifest).encode() + b"\n" + rows
        message = self.damaged(tmp_path, good_backup, gzip.compress(forged))
        assert "articles.article: 13 of 14" in message
