"""Backup and restore: a round trip of the whole database loses nothing; the index is rebuilt from it."""

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import CommandError, call_command
from haystack.query import SearchQuerySet

from articles.models import Article, ArticleTopic
from articles.services import ensure_editor_group

SKIPPED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


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
    ArticleTopic.objects.create(article=article, provision=article.provisions.first(), rank=9)
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
