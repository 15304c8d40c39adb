"""Rebuild the search index beside the live one and swap it in whole: readers never meet an empty index.

The new index is built in a folder of its own (WHOOSH_PATH.builds/<time>) while the live one
answers every search and takes every editor's update, by one writing process per core
(build_index). Then, holding the writer lock (no update
runs meanwhile), the articles saved, unpublished or deleted during the build are brought into
the new index, and WHOOSH_PATH, a symbolic link, is pointed at it in one atomic rename. Each
process follows the link at its next search or write (kb.search.backend). The build before the
live one is kept, for processes still reading it; older ones are deleted.
"""

import contextlib
import datetime
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from haystack import connections

from articles.models import Article

from .analysis import ensure_dictionary
from .backend import LOCK_SUFFIX, KBWhooshSearchBackend

BUILDS_SUFFIX = ".builds"
DEFAULT_BATCH_SIZE = 2000
MAX_PROCESSES = 4


@dataclass
class RebuildReport:
    folder: Path
    documents: dict[str, int] = field(default_factory=dict)  # model label → documents written
    caught_up: int = 0  # articles re-indexed because they changed during the build
    removed: int = 0  # articles removed: deleted or unpublished during the build
    seconds: float = 0.0


def builds_folder(live: Path) -> Path:
    return live.with_name(live.name + BUILDS_SUFFIX)


def rebuild(
    *,
    using: str = "default",
    batch_size: int = DEFAULT_BATCH_SIZE,
    processes: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    committing: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
) -> RebuildReport:
    """Build a complete index from the database beside the live one, then swap it in."""
    started_clock = time.monotonic()
    started = timezone.now()
    live_backend = connections[using].get_backend()
    live = Path(live_backend.path)
    folder = builds_folder(live) / datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    report = RebuildReport(folder=folder)
    try:
        build, report.documents = build_index(
            folder,
            using=using,
            batch_size=batch_size,
            processes=processes,
            progress=progress,
            committing=committing,
        )
        with live_backend.write_lock():
            catch_up(build, connections[using].get_unified_index().get_index(Article), using, started, report)
            swap(live, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        Path(str(folder) + LOCK_SUFFIX).unlink(missing_ok=True)
    delete_old_builds(live)
    report.seconds = time.monotonic() - started_clock
    return report


def build_index(
    folder: Path,
    *,
    using: str = "default",
    batch_size: int = DEFAULT_BATCH_SIZE,
    processes: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    committing: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
) -> tuple[KBWhooshSearchBackend, dict[str, int]]:
    """Write every document of every search index into a new index in folder.

    The analysis (jieba) and the writing run in one process per core (processes), each making
    segments of its own; this process reads the database and prepares the documents, counted by
    progress. The commit then waits for the writing processes to analyze what they were sent and
    write their segments, with nothing to count: it runs inside committing() (a heartbeat).
    Returns the new index's backend and how many documents each model has in it.
    """
    folder.mkdir(parents=True)
    build = KBWhooshSearchBackend(using, PATH=str(folder))
    build.setup()
    ensure_dictionary()  # loaded once here, inherited by the writing processes
    processes = processes or min(os.cpu_count() or 1, MAX_PROCESSES)
    writer = build.index.bulk_writer(processes)
    documents = {}
    try:
        for index in connections[using].get_unified_index().get_indexes().values():
            label = index.get_model()._meta.label_lower
            documents[label] = 0
            queryset = index.index_queryset(using=using).order_by("pk")
            total = queryset.count()
            for obj in queryset.iterator(chunk_size=batch_size):
                writer.add_document(**build.document(index, obj))
                documents[label] += 1
                if progress and (documents[label] % batch_size == 0 or documents[label] == total):
                    progress(label, documents[label], total)
        with committing():
            writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return build, documents


def catch_up(build, article_index, using, started, report: RebuildReport) -> None:
    """Bring the articles that changed while the index was built into it (the caller holds the lock)."""
    published = article_index.index_queryset(using=using)
    changed = list(published.filter(updated_at__gte=started))
    if changed:
        build.update(article_index, changed)
    report.caught_up = len(changed)
    label = Article._meta.label_lower
    wanted = {str(pk) for pk in published.values_list("pk", flat=True)}
    searcher = build.index.searcher()
    try:
        indexed = {
            searcher.stored_fields(docnum)["django_id"]
            for docnum in searcher.docs_for_query(build.parser.parse(f"django_ct:{label}"))
        }
    finally:
        build.index.forget_searchers()
    for pk in sorted(indexed - wanted):
        build.remove(f"{label}.{pk}")
        report.removed += 1


def swap(live: Path, folder: Path) -> None:
    """Point WHOOSH_PATH at folder in one atomic rename (a link, relative to its own folder)."""
    link = live.with_name(live.name + ".swap")
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(os.path.relpath(folder, live.parent), link)
    if live.is_dir() and not live.is_symlink():
        # An index from before builds existed: moved aside (and deleted with the old builds);
        # a process opening it meanwhile waits for the writer lock, which the caller holds.
        live.rename(builds_folder(live) / f"replaced-{folder.name}")
    os.replace(link, live)


def delete_old_builds(live: Path, keep: int = 2) -> list[Path]:
    """Delete builds but the live one and the one before it (which slower processes may still read)."""
    current = Path(os.path.realpath(live))
    builds = sorted(
        (path for path in builds_folder(live).iterdir() if path.is_dir()),
        key=lambda path: path.stat().st_mtime,
    )
    kept = [path for path in builds if path.resolve() == current]
    for path in reversed(builds):
        if len(kept) >= keep:
            break
        if path not in kept:
            kept.append(path)
    deleted = [path for path in builds if path not in kept]
    for path in deleted:
        shutil.rmtree(path, ignore_errors=True)
    return deleted
