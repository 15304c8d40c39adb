"""Backup and restore of the whole database; the search index is rebuilt from it afterwards.

A backup is one consistent snapshot: every table is read in a single read-only transaction
(repeatable read on PostgreSQL, one read snapshot on SQLite), so an editor saving meanwhile
cannot leave citations pointing at an article the file lacks. The file is gzip-compressed:

    # kb-backup {"format": 1, "created": …, "counts": {"articles.article": 29, …}, "sha256": …}
    <the rows, as `dumpdata --natural-foreign --format=yaml` writes them>

`restore` checks the header, the checksum of the rows and, after loading them in one
transaction, the number of rows of every model; a file that fails any check is refused with a
one-line message and nothing is written. Backups hold password hashes: they are readable by
their owner only.

YAML, because Django's JSON cuts times to milliseconds and its XML strips whitespace from
text. Ids are kept (so every URL stays the same); content types, permissions and sessions
are left to migrate and referred to by natural keys.
"""

import copy
import datetime
import gzip
import hashlib
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import load_backend

from articles.models import Article
from statutes.models import Law

# What migrate recreates, the queued search tasks (the index is rebuilt after a restore) and the
# reader cache's generation (the restored site's own moves on from its first save).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "django_tasks_database", "kb.contentgeneration"]
HEADER_PREFIX = b"# kb-backup "
FORMAT = 1
SNAPSHOT_ALIAS = "kb_backup_snapshot"
CHUNK = 1 << 20
OWNER_ONLY = 0o600


class RestoreRefused(Exception):
    """The backup cannot be restored here; the message says why, in one line."""


def default_backup_path() -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"kb-{stamp}.yaml.gz"


def backed_up_models() -> list:
    """The models a backup holds: everything but what migrate recreates."""
    excluded_apps = {label for label in EXCLUDED if "." not in label}
    excluded_models = {label for label in EXCLUDED if "." in label}
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in excluded_apps
        and model._meta.label_lower not in excluded_models
        and not model._meta.proxy
    ]


@contextmanager
def snapshot(using: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """A connection alias whose reads all see the database as of one moment.

    A connection of its own, so that the snapshot's transaction neither waits for nor holds up
    the process's other work: repeatable read (and read only) on PostgreSQL; on SQLite a
    deferred transaction, whose first read fixes the snapshot (WAL keeps it for the reader
    while writers go on).
    """
    source = connections[using]
    configuration = copy.deepcopy(source.settings_dict)
    options = configuration.setdefault("OPTIONS", {})
    if source.vendor == "postgresql":
        from psycopg import IsolationLevel

        options["isolation_level"] = IsolationLevel.REPEATABLE_READ
    elif source.vendor == "sqlite":
        options["transaction_mode"] = "DEFERRED"
    # Registered as a connection only, not in settings.DATABASES: it lives for this backup alone.
    connection = load_backend(configuration["ENGINE"]).DatabaseWrapper(configuration, SNAPSHOT_ALIAS)
    connections[SNAPSHOT_ALIAS] = connection
    try:
        with transaction.atomic(using=SNAPSHOT_ALIAS):
            if source.vendor == "postgresql":
                connection.cursor().execute("SET TRANSACTION READ ONLY")
            yield SNAPSHOT_ALIAS
    finally:
        connection.close()
        del connections[SNAPSHOT_ALIAS]


def private_file(path: Path):
    """A new file only its owner can read (created so, not narrowed afterwards)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY), "wb")


def backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write one consistent snapshot of the database to path; returns the file's header."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".kb-backup-") as work:  # mode 0700
        rows = Path(work) / "rows.yaml"
        with snapshot(using) as alias:
            counts = {
                model._meta.label_lower: model._base_manager.using(alias).count()
                for model in backed_up_models()
            }
            call_command(
                "dumpdata",
                use_natural_foreign_keys=True,
                use_base_manager=True,
                format="yaml",
                exclude=EXCLUDED,
                database=alias,
                output=str(rows),
                verbosity=0,
            )
        digest = hashlib.sha256()
        with rows.open("rb") as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
        header = {
            "format": FORMAT,
            "created": datetime.datetime.now(datetime.UTC).isoformat(),
            "counts": counts,
            "sha256": digest.hexdigest(),
        }
        # Written beside the destination and renamed into place: never a half-written backup.
        partial = Path(work) / "backup.yaml.gz"
        with private_file(partial) as raw, gzip.GzipFile(fileobj=raw, mode="wb") as out:
            out.write(HEADER_PREFIX + json.dumps(header, ensure_ascii=False).encode() + b"\n")
            with rows.open("rb") as source:
                shutil.copyfileobj(source, out, CHUNK)
        os.replace(partial, path)
    return header


def read_backup(path: Path, rows_path: Path) -> dict:
    """Check the backup at path and write its rows to rows_path; returns its header.

    Refuses (RestoreRefused) a file that is not a backup, is damaged, or does not match its checksum.
    """
    if not path.exists():
        raise RestoreRefused(f"no backup at {path}")
    digest = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as source, private_file(rows_path) as rows:
            first_line = source.readline(1 << 20)
            if not first_line.startswith(HEADER_PREFIX):
                raise RestoreRefused(f"{path} is not a backup made by manage.py backup (no kb-backup header)")
            try:
                header = json.loads(first_line[len(HEADER_PREFIX) :])
                counts, expected = dict(header["counts"]), str(header["sha256"])
            except (ValueError, KeyError, TypeError):
                raise RestoreRefused(f"{path} has an unreadable kb-backup header") from None
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                rows.write(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise RestoreRefused(f"{path} is damaged and cannot be read: {error}") from None
    if header.get("format") != FORMAT:
        raise RestoreRefused(
            f"{path} is in backup format {header.get('format')}, this version reads {FORMAT}"
        )
    if digest.hexdigest() != expected:
        raise RestoreRefused(
            f"{path} does not match its checksum: it was changed or cut after it was written"
        )
    header["counts"] = counts
    return header


def restore(path: Path) -> dict:
    """Load a backup into a migrated database that holds no content yet: all or nothing.

    Returns the backup's header.
    """
    with tempfile.TemporaryDirectory(prefix="kb-restore-") as work:
        rows = Path(work) / "rows.yaml"
        header = read_backup(Path(path), rows)
        if Article.objects.exists() or Law.objects.exists():
            raise RestoreRefused(
                "the database already holds articles or laws: restore into a new, migrated database "
                "(set DATABASE_URL to it, then manage.py migrate)"
            )
        with transaction.atomic():
            # migrate created the 编辑 group; the backup brings it back with its own id and members.
            Group.objects.all().delete()
            call_command("loaddata", str(rows), verbosity=0)
            wrong = []
            for label, expected in sorted(header["counts"].items()):
                try:
                    model = apps.get_model(label)
                except LookupError:
                    wrong.append(f"{label}: not a model of this version")
                    continue
                found = model._base_manager.count()
                if found != expected:
                    wrong.append(f"{label}: {found} of {expected}")
            if wrong:
                raise RestoreRefused(
                    "the restored rows do not match the backup's counts (" + "; ".join(wrong) + ")"
                )
    return header
