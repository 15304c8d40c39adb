"""Backup and restore: a dumpdata/loaddata round trip of the whole database loses nothing.

The recipe is the README's: dumpdata with natural foreign keys (ids kept, so every URL stays
the same), content types, permissions and sessions left to migrate; the search index is rebuilt
from the database afterwards. YAML: Django's JSON cuts times to milliseconds and its XML strips whitespace.
"""

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import call_command

from articles.models import Article, ArticleTopic
from articles.services import ensure_editor_group

EXCLUDED = ["contenttypes", "auth.permission", "sessions"]
SKIPPED_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


def snapshot() -> dict[str, list]:
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIPPED_MODELS:
            continue
        rows = serializers.serialize("python", model.objects.order_by("pk"), use_natural_foreign_keys=True)
        state[label] = rows
    return state


@pytest.mark.django_db(transaction=True)
def test_a_round_trip_of_the_whole_database_loses_nothing(tmp_path, search_index):
    call_command("load_demo", verbosity=0)
    editor = User.objects.create_user("editor", password="a-long-passphrase-for-tests", is_staff=True)
    editor.groups.add(ensure_editor_group())
    article = Article.objects.first()
    LogEntry.objects.log_actions(editor.pk, [article], 2, change_message="测试")
    ArticleTopic.objects.create(article=article, provision=article.provisions.first(), rank=9)
    before = snapshot()
    assert before["articles.article"] and before["statutes.provision"] and before["articles.citation"]

    backup = tmp_path / "backup.yaml.gz"
    call_command(
        "dumpdata",
        use_natural_foreign_keys=True,
        format="yaml",
        exclude=EXCLUDED,
        output=str(backup),
        verbosity=0,
    )
    call_command("flush", interactive=False, verbosity=0)
    assert not Article.objects.exists()
    call_command("loaddata", str(backup), verbosity=0)

    after = snapshot()
    assert after.keys() == before.keys()
    for label, rows in before.items():
        for old, new in zip(rows, after[label], strict=True):
            assert new["pk"] == old["pk"], label
            for name in old["fields"]:
                assert new["fields"][name] == old["fields"][name], (label, old["pk"], name)

    # The index is rebuilt from the database, and search finds the restored articles.
    call_command("rebuild_index", interactive=False, verbosity=0)
    from haystack.query import SearchQuerySet

    assert SearchQuerySet().models(Article).count() == Article.objects.count()
