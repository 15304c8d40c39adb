"""Chinese text analysis for the search index and for queries.

Two analyzers, used by both sides so that a query is cut exactly as the documents were:
- words: jieba in search mode (民法典 also as 民法; 个人信息保护法 also as 个人信息, 保护法),
  with the legal dictionary, stop words removed;
- bigrams: overlapping character pairs, which match where word cutting differs between
  a reader's phrasing and the statute's.

Both are Whoosh tokenizers written for Whoosh's protocol: they honour tokenize=False
(haystack's "*" and exact-value queries pass whole values through), report positions
as token counts (not character offsets) and character offsets for highlighting.
"""

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import jieba
from whoosh.analysis import LowercaseFilter, StopFilter, Token, Tokenizer

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
LEGAL_TERMS_FILE = DATA_DIR / "legal_terms.txt"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"
SYNONYMS_FILE = DATA_DIR / "synonyms.txt"
FILLER_FILE = DATA_DIR / "filler.txt"

# Runs of Han characters, or of Latin letters and digits; everything else separates.
SEGMENT_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[A-Za-z0-9]+")
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

jieba.setLogLevel(logging.WARNING)
_dictionary_lock = threading.Lock()
_dictionary_loaded = False
_law_words: set[str] = set()


def read_word_list(path: Path) -> list[str]:
    """Lines of a data file, without comments and blank lines."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(word for line in read_word_list(STOPWORDS_FILE) for word in line.split())


@lru_cache(maxsize=1)
def filler_pattern() -> re.Pattern:
    """The filler phrases (data/filler.txt) as one pattern, longest first."""
    phrases = sorted(
        {phrase for line in read_word_list(FILLER_FILE) for phrase in line.split()}, key=len, reverse=True
    )
    return re.compile("|".join(map(re.escape, phrases))) if phrases else re.compile(r"(?!)")


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    """Everyday word → the legal terms it stands for (data/synonyms.txt)."""
    mapping: dict[str, tuple[str, ...]] = {}
    for line in read_word_list(SYNONYMS_FILE):
        everyday, separator, legal = line.partition("=>")
        if not separator:
            continue
        terms = tuple(legal.split())
        for word in everyday.split():
            mapping[word] = tuple(dict.fromkeys((*mapping.get(word, ()), *terms)))
    return mapping


def law_dictionary_words() -> set[str]:
    """Short titles and aliases of the laws in the library, kept whole by jieba."""
    from statutes.models import Law

    words = set()
    try:
        for short_title, aliases in Law.objects.current().values_list("short_title", "aliases"):
            words.add(short_title)
            words.update(aliases or [])
    except Exception:  # no table yet (before migrate): the legal terms still load
        logger.debug("law titles not loaded into the search dictionary", exc_info=True)
    return {word for word in words if 1 < len(word) <= 40}


def ensure_dictionary() -> None:
    """Load the legal dictionary into jieba once per process."""
    global _dictionary_loaded
    if _dictionary_loaded:
        return
    with _dictionary_lock:
        if _dictionary_loaded:
            return
        jieba.initialize()
        for line in read_word_list(LEGAL_TERMS_FILE):
            word, _, frequency = line.partition(" ")
            jieba.add_word(word, freq=int(frequency) if frequency.strip().isdigit() else None)
        for word in law_dictionary_words():
            jieba.add_word(word, freq=2000)
            _law_words.add(word)
        for word in synonyms():
            jieba.add_word(word)
        _dictionary_loaded = True


def normalize_text(text: str) -> str:
    """Full-width to half-width (NFKC), lower case; Chinese punctuation stays as it is meaningful."""
    return unicodedata.normalize("NFKC", text).lower()


def word_tokens(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) from jieba's search mode, on the text as given (offsets stay valid)."""
    return jieba_tokens(text, mode="search")


def jieba_tokens(text: str, *, mode: str) -> list[tuple[str, int, int]]:
    """(word, start, end): Han stretches cut by jieba (mode "search" or "default"), other runs whole."""
    ensure_dictionary()
    tokens = []
    for match in SEGMENT_RE.finditer(text):
        segment, offset = match.group(), match.start()
        if not HAN_RE.match(segment):
            tokens.append((segment.lower(), offset, offset + len(segment)))
            continue
        for word, start, end in jieba.tokenize(segment, mode=mode):
            tokens.append((word, offset + start, offset + end))
    return tokens


# Particles that only make noise inside character pairs ("吗" in "录吗").
BIGRAM_BREAKS = re.compile("[的了吗呢吧啊呀嘛么哦]")


def bigram_tokens(text: str) -> list[tuple[str, int, int]]:
    """Overlapping pairs of Han characters; a lone character and Latin/digit runs stay whole."""
    tokens = []
    for match in SEGMENT_RE.finditer(BIGRAM_BREAKS.sub(" ", text)):
        segment, offset = match.group(), match.start()
        if not HAN_RE.match(segment) or len(segment) == 1:
            tokens.append((segment.lower(), offset, offset + len(segment)))
            continue
        tokens.extend((segment[i : i + 2], offset + i, offset + i + 2) for i in range(len(segment) - 1))
    return tokens


class _ChineseTokenizer(Tokenizer):
    """A Whoosh tokenizer over one of the token functions above."""

    def __init__(self, tokens):
        self.tokens = tokens

    def __eq__(self, other):
        return type(self) is type(other) and self.tokens is other.tokens

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # Queries reach Whoosh already analyzed by kb.search.query: a query term is one token.
        if not tokenize or mode == "query":
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for position, (text, start, end) in enumerate(self.tokens(value)):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class WordTokenizer(_ChineseTokenizer):
    def __init__(self):
        super().__init__(word_tokens)

    def __reduce__(self):
        # The index stores its schema pickled: rebuild by class, not by the function inside.
        return (WordTokenizer, ())


class BigramTokenizer(_ChineseTokenizer):
    def __init__(self):
        super().__init__(bigram_tokens)

    def __reduce__(self):
        return (BigramTokenizer, ())


def whole_words(text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of jieba's plain cut (not search mode): each stretch of text once, as one
    word, so that 人民法院 is one word and 民法 is not found inside it. For marking words in text."""
    return jieba_tokens(text, mode="default")


def word_terms(text: str) -> list[str]:
    """The terms ChineseWordAnalyzer makes of a text, each time it occurs, without Whoosh's token objects."""
    stop = stopwords()
    return [word for word in (word.lower() for word, _, _ in word_tokens(text)) if word not in stop]


def bigram_terms(text: str) -> list[str]:
    """The terms ChineseBigramAnalyzer makes of a text, each time it occurs."""
    stop = stopwords()
    return [pair for pair, _, _ in bigram_tokens(text) if pair not in stop]


def terms_function(analyzer):
    """word_terms or bigram_terms, whichever gives what the analyzer gives; None for any other analyzer."""
    tokenizer = getattr(analyzer, "items", [analyzer])[0]
    return {WordTokenizer: word_terms, BigramTokenizer: bigram_terms}.get(type(tokenizer))


def ChineseWordAnalyzer():  # noqa: N802 - named like Whoosh's analyzers
    """jieba words, lower-cased, stop words removed; single characters kept (债)."""
    return WordTokenizer() | LowercaseFilter() | StopFilter(stoplist=stopwords(), minsize=1)


def ChineseBigramAnalyzer():  # noqa: N802
    return BigramTokenizer() | StopFilter(stoplist=stopwords(), minsize=1)


def analyze(analyzer, text: str) -> list[str]:
    """The terms an analyzer makes of a text, in order, without duplicates."""
    return list(dict.fromkeys(token.text for token in analyzer(text)))
