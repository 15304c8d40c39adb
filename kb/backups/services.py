"""Backup and restore of the whole database; the search index is rebuilt from it afterwards.

YAML, because Django's JSON cuts times to milliseconds and its XML strips whitespace from
text. Ids are kept (so every URL stays the same); content types, permissions and sessions
are left to migrate and referred to by natural keys.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

EXCLUDED = ["contenttypes", "auth.permission", "sessions"]


class RestoreRefused(Exception):
    pass


def default_backup_path() -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"kb-{stamp}.yaml.gz"


def backup(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    call_command(
        "dumpdata",
        use_natural_foreign_keys=True,
        format="yaml",
        exclude=EXCLUDED,
        output=str(path),
        verbosity=0,
    )
    return path


def restore(path: Path) -> None:
    """Load a backup into a migrated database that holds no content yet; all or nothing."""
    from articles.models import Article
    from statutes.models import Law

    if not path.exists():
        raise RestoreRefused(f"no backup at {path}")
    if Article.objects.exists() or Law.objects.exists():
        raise RestoreRefused(
            "the database already holds articles or laws: restore into a new, migrated database "
            "(set DATABASE_URL to it, then manage.py migrate)"
        )
    with transaction.atomic():
        # migrate created the 编辑 group; the backup brings it back with its own id and members.
        Group.objects.all().delete()
        call_command("loaddata", str(path), verbosity=0)
