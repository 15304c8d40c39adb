"""From what a reader types to a Whoosh query: normalize, recognize citations, weigh terms.

A question is matched by its words (jieba, legal dictionary) and its character pairs;
everyday words also look for the legal terms they stand for, at a lower weight. Terms
are ORed, so documents that match more, and rarer, terms rank higher without every term
being required. Terms too common to tell documents apart are left out, which is also
what keeps the query fast.

Nothing the reader types reaches the query parser as syntax: terms are made only of Han
characters, letters and digits, so quotes, brackets, AND/OR/NOT, * and : are plain text.
"""

import re
from dataclasses import dataclass, field

import zhconv

from .analysis import (
    ChineseBigramAnalyzer,
    ChineseWordAnalyzer,
    analyze,
    ensure_dictionary,
    normalize_text,
    synonyms,
)

MAX_QUERY_LENGTH = 100
WORD_FIELD = "text"
BIGRAM_FIELD = "bigrams"
# How many terms of each kind a query keeps, rarest first; and how common a term may be.
MAX_WORD_TERMS = 20
MAX_BIGRAM_TERMS = 20
MAX_EXPANSION_TERMS = 6
MAX_DOCUMENT_SHARE = 0.2
BIGRAM_WEIGHT = 0.8
EXPANSION_WEIGHT = 0.5
# One character (债) is matched by the indexed words that contain it, the most common first.
SINGLE_CHARACTER_EXPANSIONS = 12

WHITESPACE_RE = re.compile(r"\s+")


@dataclass
class Term:
    field: str
    text: str
    weight: float = 1.0

    def render(self) -> str:
        boost = f"^{self.weight:.2f}" if self.weight != 1.0 else ""
        return f"{self.field}:{self.text}{boost}"


@dataclass
class SearchQuery:
    """A reader's query, understood."""

    raw: str
    text: str
    truncated: bool = False
    words: list[str] = field(default_factory=list)
    bigrams: list[str] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.bigrams)

    @property
    def highlight_terms(self) -> list[str]:
        """What to mark in snippets: the reader's words, longest first."""
        terms = {word for word in self.words if len(word) > 1} or set(self.words)
        return sorted(terms, key=len, reverse=True)


def normalize_query(raw: str) -> tuple[str, bool]:
    """Full-width → half-width, traditional → simplified, whitespace folded; capped in length."""
    text = WHITESPACE_RE.sub(" ", zhconv.convert(normalize_text(raw or ""), "zh-hans")).strip()
    text = "".join(ch for ch in text if ch.isprintable())
    if len(text) > MAX_QUERY_LENGTH:
        return text[:MAX_QUERY_LENGTH], True
    return text, False


def understand(raw: str) -> SearchQuery:
    ensure_dictionary()
    text, truncated = normalize_query(raw)
    words = analyze(ChineseWordAnalyzer(), text)
    bigrams = [gram for gram in analyze(ChineseBigramAnalyzer(), text) if len(gram) == 2]
    everyday = synonyms()
    expansions = []
    for word, legal_terms in everyday.items():
        if word in text:
            for term in legal_terms:
                # A legal term the index splits (解除劳动合同) is looked for by its indexed words.
                expansions.extend(part for part in analyze(ChineseWordAnalyzer(), term) if part not in words)
    return SearchQuery(
        raw=raw or "",
        text=text,
        truncated=truncated,
        words=words,
        bigrams=bigrams,
        expansions=list(dict.fromkeys(expansions)),
    )


def select_terms(query: SearchQuery, reader) -> list[Term]:
    """The weighted terms of the query that the index knows, rarest first, common ones left out."""
    total = max(reader.doc_count(), 1)
    ceiling = max(MAX_DOCUMENT_SHARE * total, 50)

    def known(field_name, texts):
        frequencies = []
        for text in texts:
            frequency = reader.doc_frequency(field_name, text)
            if frequency:
                frequencies.append((frequency, text))
        frequencies.sort()
        rare = [(frequency, text) for frequency, text in frequencies if frequency <= ceiling]
        # A query made only of common words still searches, with its least common ones.
        return rare or frequencies[:2]

    words = known(WORD_FIELD, query.words)
    if len(query.words) == 1 and len(query.words[0]) == 1:
        words += single_character_terms(query.words[0], reader)
    terms = [Term(WORD_FIELD, text) for _, text in words[:MAX_WORD_TERMS]]
    terms += [
        Term(BIGRAM_FIELD, text, BIGRAM_WEIGHT)
        for _, text in known(BIGRAM_FIELD, query.bigrams)[:MAX_BIGRAM_TERMS]
        if text not in {term.text for term in terms}
    ]
    taken = {term.text for term in terms}
    expansions = [(f, t) for f, t in known(WORD_FIELD, query.expansions) if t not in taken]
    terms += [Term(WORD_FIELD, text, EXPANSION_WEIGHT) for _, text in expansions[:MAX_EXPANSION_TERMS]]
    return terms


def single_character_terms(character: str, reader) -> list[tuple[int, str]]:
    """Indexed words that contain the character, most documents first (债 → 债务, 债权 …)."""
    found = []
    for text in reader.lexicon(WORD_FIELD):
        word = text.decode("utf-8") if isinstance(text, bytes) else text
        if character in word and word != character:
            found.append((reader.doc_frequency(WORD_FIELD, word), word))
    found.sort(reverse=True)
    return [(frequency, word) for frequency, word in found[:SINGLE_CHARACTER_EXPANSIONS]]


def render(terms: list[Term]) -> str:
    return "(" + " OR ".join(term.render() for term in terms) + ")" if terms else ""
