"""The vectors of articles and provisions (kb.search.embedding), stored under var/ beside the index.

Two parts, in settings.VECTORS_PATH:
- a cache of every vector ever computed, keyed by the model and the text (cache.sqlite3): an
  unchanged text is never embedded twice, whether a provision imported again, an article saved
  with a new title only … or a rebuild;
- for each kind (articles, provisions) a snapshot of what search uses: the ids and a matrix of
  their vectors, as two .npy files in a folder of their own, named by a pointer file that is
  replaced atomically. Every process maps the current snapshot read-only (the operating system
  shares its pages among the web workers) and maps the new one when the pointer changes.

What is in a snapshot:
- provisions: those of the current version of every law (`build_vectors`, after an import;
  built by the search worker when bring_up asks for it, while the site answers by words);
- articles: the published ones, scheduled ones included (search keeps them out until their
  time, as it does in the index); drafts never. They follow every write: the search task
  (kb.search.tasks.update_search) updates the changed articles after the index.

One writer at a time (a file lock): the worker, or build_vectors. Readers never wait.
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from articles.markdown import plain_text
from articles.models import Article
from statutes.models import Provision

from .embedding import ARTICLES, PROVISIONS, Embedder, get_embedder

logger = logging.getLogger(__name__)

KINDS = (ARTICLES, PROVISIONS)  # each with its model (kb.search.embedding.get_embedder(kind))
BATCH = 64
KEEP_SNAPSHOTS = 3  # a process may still be mapping the previous one
UPDATE_LOCK_WAIT = 30.0  # seconds a save's update waits for a build run by hand (then: rebuilt later)

Progress = Callable[[int, int], None]


def vectors_path() -> Path:
    return Path(settings.VECTORS_PATH)


def article_text(article: Article) -> str:
    """What an article's vector covers: its question, its summary and its answer."""
    return "\n".join(part for part in (article.title, article.summary, plain_text(article.body_html)) if part)


def provision_text(provision: Provision) -> str:
    """What a provision's vector covers: the law's name, the headings it stands under, its text."""
    headings = [provision.part, provision.subpart, provision.chapter, provision.section]
    heading = " ".join(part for part in headings if part)
    return f"{provision.law.title} {heading} {provision.label}\n{provision.text}"


# ---------------------------------------------------------------------------------------- the cache


class VectorCache:
    """Vectors by (model, text) in SQLite: a text embedded once is never embedded again."""

    def __init__(self, path: Path, embedder: Embedder):
        self.embedder = embedder
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS vector (key BLOB PRIMARY KEY, value BLOB NOT NULL)"
        )

    def key(self, text: str) -> bytes:
        return hashlib.sha256(f"{self.embedder.name}\x00{text}".encode()).digest()

    def vectors(self, texts: list[str]) -> np.ndarray:
        """The texts' vectors, in their order: from the cache, or embedded now and kept."""
        keys = [self.key(text) for text in texts]
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self.connection.execute(
                f"SELECT key, value FROM vector WHERE key IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update((key, np.frombuffer(value, dtype=np.float32)) for key, value in rows)
        missing = [index for index, key in enumerate(keys) if key not in found]
        if missing:
            computed = self.embedder.encode([texts[index] for index in missing])
            rows = [
                (keys[index], computed[row].astype(np.float32).tobytes()) for row, index in enumerate(missing)
            ]
            with self.connection:
                self.connection.executemany("INSERT OR REPLACE INTO vector (key, value) VALUES (?, ?)", rows)
            found.update((keys[index], computed[row]) for row, index in enumerate(missing))
        matrix = np.zeros((len(texts), self.embedder.dimensions), dtype=np.float32)
        for row, key in enumerate(keys):
            matrix[row] = found[key]
        return matrix

    def close(self) -> None:
        self.connection.close()


# ------------------------------------------------------------------------------------ the snapshots


@dataclass(frozen=True)
class VectorSet:
    """One kind's vectors as search uses them: ids in ascending order, one row each."""

    ids: np.ndarray  # int64
    matrix: np.ndarray  # float32 (len(ids), dimensions), unit rows
    model: str = ""

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, ids: Iterable[int]) -> dict[int, int]:
        wanted = np.fromiter(ids, dtype=np.int64)
        if not len(wanted) or not len(self.ids):
            return {}
        rows = np.searchsorted(self.ids, wanted)
        rows = np.minimum(rows, len(self.ids) - 1)
        return {int(pk): int(row) for pk, row in zip(wanted, rows, strict=True) if self.ids[row] == pk}

    def similarities(self, vector: np.ndarray, ids: Iterable[int]) -> dict[int, float]:
        """Cosine of the vector with each of these ids' vectors (ids without one are left out)."""
        rows = self.rows_of(ids)
        if not rows:
            return {}
        scores = self.matrix[list(rows.values())] @ vector
        return {pk: float(score) for pk, score in zip(rows, scores, strict=True)}

    def nearest(
        self, vector: np.ndarray, limit: int, exclude: frozenset[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """The ids nearest the vector, (id, cosine) best first, leaving out those excluded."""
        if not len(self.ids) or limit <= 0:
            return []
        scores = self.matrix @ vector
        wanted = min(len(scores), limit + len(exclude))
        top = (
            np.argpartition(-scores, wanted - 1)[:wanted] if wanted < len(scores) else np.arange(len(scores))
        )
        ordered = top[np.argsort(-scores[top], kind="stable")]
        found = []
        for row in ordered:
            pk = int(self.ids[row])
            if pk not in exclude:
                found.append((pk, float(scores[row])))
                if len(found) == limit:
                    break
        return found


EMPTY = VectorSet(np.zeros(0, dtype=np.int64), np.zeros((0, 1), dtype=np.float32))


class Snapshots:
    """Each kind's current snapshot, mapped once per process and again when a writer replaces it.

    A snapshot that cannot be read (a folder deleted by hand, a cut file, another shape) is no
    snapshot: search goes on by words, the failure is logged once per pointer, and the next build
    replaces it.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[tuple, VectorSet | None]] = {}

    def get(self, kind: str) -> VectorSet | None:
        pointer = vectors_path() / f"{kind}.json"
        try:
            stat = pointer.stat()
        except FileNotFoundError:
            return None
        stamp = (str(pointer), stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._lock:
            held = self._loaded.get(str(pointer))
            if held and held[0] == stamp:
                return held[1]
        loaded = None
        for attempt in range(2):
            try:
                loaded = read_snapshot(pointer)
                break
            except Exception as error:  # noqa: BLE001 - whatever is on disk, readers are served
                if attempt == 0:
                    time.sleep(0.05)  # a writer may have been replacing it: read the pointer again
                    continue
                logger.warning(
                    "The %s vectors at %s cannot be read (%s): search by words.", kind, pointer, error
                )
        with self._lock:
            self._loaded[str(pointer)] = (stamp, loaded)
        return loaded

    def forget(self) -> None:
        with self._lock:
            self._loaded.clear()


def read_snapshot(pointer: Path) -> VectorSet:
    """The snapshot a pointer names, mapped, its shape checked (ValueError when it is not one)."""
    described = json.loads(pointer.read_text())
    if not isinstance(described, dict) or not isinstance(described.get("folder"), str):
        raise ValueError("the pointer names no folder")
    folder = vectors_path() / described["folder"]
    ids = np.load(folder / "ids.npy", mmap_mode="r")
    matrix = np.load(folder / "vectors.npy", mmap_mode="r")
    if ids.ndim != 1 or matrix.ndim != 2 or len(ids) != len(matrix) or len(ids) != described.get("count"):
        raise ValueError(f"ids {ids.shape} and vectors {matrix.shape} do not match its count")
    return VectorSet(ids, matrix, str(described.get("model", "")))


snapshots = Snapshots()


def current(kind: str) -> VectorSet | None:
    """The kind's vectors for its configured model; None until they are built (or with no model)."""
    embedder = get_embedder(kind)
    found = snapshots.get(kind) if embedder is not None else None
    if found is None or found.model != embedder.name or found.matrix.shape[1] != embedder.dimensions:
        return None
    return found


def ready() -> bool:
    """Whether search can use meaning: both kinds' vectors are built, each for its configured model."""
    return all(current(kind) is not None for kind in KINDS)


@contextlib.contextmanager
def writing(timeout: float | None = None) -> Iterator[None]:
    """The one writer of the vectors (the search worker, or build_vectors), across processes.

    timeout: seconds to wait for another writer (TimeoutError after); None waits as long as it takes.
    """
    folder = vectors_path()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "write.lock", "a") as lock:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (fcntl.LOCK_NB if deadline else 0))
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another process writes the vectors ({folder})") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def save_snapshot(kind: str, ids: np.ndarray, matrix: np.ndarray, model: str) -> None:
    """Write the kind's new snapshot beside the current one, then point at it (call within writing())."""
    order = np.argsort(ids, kind="stable")
    ids, matrix = (
        np.ascontiguousarray(ids[order], dtype=np.int64),
        np.ascontiguousarray(matrix[order], dtype=np.float32),
    )
    root = vectors_path()
    name = f"{kind}.{time.time_ns():020d}"  # sorts by creation, whatever the clock's zone
    folder = root / name
    folder.mkdir(parents=True)
    np.save(folder / "ids.npy", ids)
    np.save(folder / "vectors.npy", matrix)
    pointer = root / f"{kind}.json"
    temporary = root / f".{kind}.json.{os.getpid()}"
    temporary.write_text(json.dumps({"folder": name, "model": model, "count": int(len(ids))}))
    os.replace(temporary, pointer)
    for old in sorted(path for path in root.glob(f"{kind}.*") if path.is_dir())[:-KEEP_SNAPSHOTS]:
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def opened_cache(embedder: Embedder) -> Iterator[VectorCache]:
    """The cache of this site's vectors, closed after use."""
    store = VectorCache(vectors_path() / "cache.sqlite3", embedder)
    try:
        yield store
    finally:
        store.close()


# ---------------------------------------------------------------------------------------- building


def provisions_to_embed():
    return Provision.objects.of_current_laws().select_related("law").order_by("pk")


def articles_to_embed():
    """Published articles, scheduled ones included (search keeps them out until their time)."""
    return Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk")


def build(kind: str, *, progress: Progress | None = None) -> int:
    """Every vector of the kind, from the cache or embedded now, as its new snapshot; the count."""
    embedder = get_embedder(kind)
    if embedder is None:
        return 0
    with writing():
        return build_locked(kind, embedder, progress=progress)


def objects_and_texts(kind: str):
    if kind == PROVISIONS:
        return provisions_to_embed(), provision_text
    return articles_to_embed().only("id", "title", "summary", "body_html"), article_text


def build_locked(kind: str, embedder: Embedder, *, progress: Progress | None = None) -> int:
    """build(), the writer's lock held."""
    objects, text_of = objects_and_texts(kind)
    total = objects.count()
    ids, blocks = [], []
    with opened_cache(embedder) as store:
        batch = []
        for obj in objects.iterator(chunk_size=1000):
            batch.append(obj)
            if len(batch) == BATCH:
                blocks.append(store.vectors([text_of(item) for item in batch]))
                ids.extend(item.pk for item in batch)
                batch = []
                if progress:
                    progress(len(ids), total)
        if batch:
            blocks.append(store.vectors([text_of(item) for item in batch]))
            ids.extend(item.pk for item in batch)
    matrix = np.vstack(blocks) if blocks else np.zeros((0, embedder.dimensions), dtype=np.float32)
    save_snapshot(kind, np.asarray(ids, dtype=np.int64), matrix, embedder.name)
    if progress:
        progress(len(ids), total)
    return len(ids)


def warm_cache(kind: str, *, after_pk: int, limit: int) -> tuple[int, int] | None:
    """Embed, into the cache only, the next `limit` objects of the kind after this id: a long build
    made in steps, so that the search worker runs the index updates waiting between them.
    (the last id done, how many are left after it), or None when none is left."""
    embedder = get_embedder(kind)
    if embedder is None:
        return None
    objects, text_of = objects_and_texts(kind)
    chunk = list(objects.filter(pk__gt=after_pk)[:limit])
    if not chunk:
        return None
    with opened_cache(embedder) as store:
        for start in range(0, len(chunk), BATCH):
            store.vectors([text_of(item) for item in chunk[start : start + BATCH]])
    return chunk[-1].pk, objects.filter(pk__gt=chunk[-1].pk).count()


def update_articles(article_ids: Iterable[int]) -> None:
    """The changed articles' vectors as the database has them now (the search task, after a save):
    a published one gets its vector, a withdrawn or deleted one loses it."""
    embedder = get_embedder(ARTICLES)
    if embedder is None:
        return
    changed = {int(pk) for pk in article_ids}
    if not changed:
        return
    with writing(timeout=UPDATE_LOCK_WAIT):
        present = current(ARTICLES)
        if present is None:
            # None built yet, or one that cannot be read or is another model's: all of them, not
            # only these (the texts embedded before come from the cache).
            build_locked(ARTICLES, embedder)
            return
        mask = ~np.isin(present.ids, np.fromiter(changed, dtype=np.int64))
        keep_ids, keep_matrix = np.asarray(present.ids)[mask], np.asarray(present.matrix)[mask]
        to_embed, text_of = objects_and_texts(ARTICLES)
        articles = list(to_embed.filter(pk__in=changed))
        with opened_cache(embedder) as store:
            new = store.vectors([text_of(article) for article in articles])
        save_snapshot(
            ARTICLES,
            np.concatenate([keep_ids, np.asarray([article.pk for article in articles], dtype=np.int64)]),
            np.vstack([keep_matrix, new]) if len(articles) else keep_matrix,
            embedder.name,
        )
