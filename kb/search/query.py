"""From what a reader types to weighted terms: normalize, analyze, weigh.

A question is matched by its words (jieba, legal dictionary) in the body and, weighted above
it, in titles and headings; and by its character pairs; everyday words also look for the legal
terms they stand for, at a lower weight. The engine (kb.search.engine) ORs the terms, so
documents that match more, and rarer, terms rank higher without every term being required.
Terms too common to tell documents apart are left out, which is also what keeps the query fast.

Nothing the reader types becomes query syntax: terms are made only of Han characters, letters
and digits, and go to the engine as data.
"""

import re
from dataclasses import dataclass, field

import zhconv

from .analysis import (
    ChineseBigramAnalyzer,
    ChineseWordAnalyzer,
    analyze,
    ensure_dictionary,
    filler_pattern,
    normalize_text,
    synonyms,
)

MAX_QUERY_LENGTH = 100
WORD_FIELD = "text"
BIGRAM_FIELD = "bigrams"
HEADING_FIELD = "heading"  # an article's title; a provision's law and the headings above it
# How many terms of each kind a query keeps, rarest first; and how common a term may be.
MAX_WORD_TERMS = 20
MAX_BIGRAM_TERMS = 20
MAX_EXPANSION_TERMS = 6
MAX_DOCUMENT_SHARE = 0.2
BIGRAM_WEIGHT = 0.8
EXPANSION_WEIGHT = 0.5
# A word that jieba's search mode cut out of a longer word of the question (通讯 of 通讯录) says less.
SUBWORD_WEIGHT = 0.5
HEADING_WEIGHT = 0.5  # on top of the word's match in the text, which holds the title too
HEADING_MAX_DOCUMENTS = 20  # words of a few titles or chapters: a heading full of 合同 tells nothing

WHITESPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Term:
    field: str
    text: str
    weight: float = 1.0


@dataclass
class SearchQuery:
    """A reader's query, understood."""

    raw: str
    text: str
    truncated: bool = False
    too_short: bool = False  # only single digits or letters: nothing is searched
    words: list[str] = field(default_factory=list)
    bigrams: list[str] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    # The legal terms of the everyday words in the question (加班 → 延长工作时间), whole (data/synonyms.txt).
    legal_terms: list[str] = field(default_factory=list)
    core: str = ""  # the text without its filler (怎么办, 会被抓吗): what is searched and embedded

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.bigrams)

    @property
    def highlight_terms(self) -> list[str]:
        """What to mark in snippets: the reader's words, longest first (the highlighter marks them
        where the text has them as whole words: 民法典 and 民法, but not 民法 inside 人民法院)."""
        terms = {word for word in self.words if len(word) > 1} or set(self.words)
        return sorted(terms, key=len, reverse=True)


def normalize_query(raw: str) -> tuple[str, bool]:
    """Full-width → half-width, traditional → simplified, whitespace folded; capped in length."""
    text = WHITESPACE_RE.sub(" ", zhconv.convert(normalize_text(raw or ""), "zh-hans")).strip()
    text = "".join(ch for ch in text if ch.isprintable())
    if len(text) > MAX_QUERY_LENGTH:
        return text[:MAX_QUERY_LENGTH], True
    return text, False


def strip_filler(text: str) -> str:
    """The question without the phrases that only ask how it ends (data/filler.txt); the text as
    it is when nothing else would be left."""
    core = WHITESPACE_RE.sub(" ", filler_pattern().sub(" ", text)).strip()
    return core if any(ch.isalnum() for ch in core) else text


def understand(raw: str) -> SearchQuery:
    ensure_dictionary()
    text, truncated = normalize_query(raw)
    core = strip_filler(text)
    words = analyze(ChineseWordAnalyzer(), core)
    if words and all(len(word) == 1 and word.isascii() for word in words):
        # A lone digit or letter (1, a) is in every other document: no question to search for.
        return SearchQuery(raw=raw or "", text=text, truncated=truncated, too_short=True, core=core)
    bigrams = [gram for gram in analyze(ChineseBigramAnalyzer(), core) if len(gram) == 2]
    everyday = synonyms()
    expansions, terms = [], []
    for word, legal_terms in everyday.items():
        if word in core:
            for term in legal_terms:
                terms.append(term)
                # A legal term the index splits (解除劳动合同) is looked for by its indexed words.
                expansions.extend(part for part in analyze(ChineseWordAnalyzer(), term) if part not in words)
    return SearchQuery(
        raw=raw or "",
        text=text,
        truncated=truncated,
        words=words,
        bigrams=bigrams,
        expansions=list(dict.fromkeys(expansions)),
        legal_terms=[term for term in dict.fromkeys(terms) if term not in core],
        core=core,
    )


def is_part(word: str, words: list[str]) -> bool:
    """Whether the word is a part of a longer word of the question (通讯 of 通讯录)."""
    return any(len(other) > len(word) and word in other for other in words)


def select_terms(query: SearchQuery, statistics=None) -> list[Term]:
    """The weighted terms of the query that the index knows, rarest first, common ones left out.

    statistics: the engine's term statistics (kb.search.engine); None where the backend has none:
    then every word and pair is kept, up to the same numbers.
    """
    if statistics is None:
        words = [Term(WORD_FIELD, text) for text in dict.fromkeys(query.words)][:MAX_WORD_TERMS]
        taken = {term.text for term in words}
        pairs = [
            Term(BIGRAM_FIELD, text, BIGRAM_WEIGHT)
            for text in dict.fromkeys(query.bigrams)
            if text not in taken
        ]
        everyday = [
            Term(WORD_FIELD, text, EXPANSION_WEIGHT) for text in query.expansions if text not in taken
        ]
        return words + pairs[:MAX_BIGRAM_TERMS] + everyday[:MAX_EXPANSION_TERMS]
    ceiling = max(MAX_DOCUMENT_SHARE * statistics.document_count, 50)

    def known(field_name, texts):
        frequencies = []
        for text in texts:
            frequency = statistics.document_frequency(field_name, text)
            if frequency:
                frequencies.append((frequency, text))
        frequencies.sort()
        rare = [(frequency, text) for frequency, text in frequencies if frequency <= ceiling]
        # A query made only of common words still searches, with its least common ones.
        return rare or frequencies[:2]

    words = known(WORD_FIELD, query.words)
    if len(query.words) == 1 and len(query.words[0]) == 1:
        words += statistics.words_containing(query.words[0])
    chosen = [text for _, text in words[:MAX_WORD_TERMS]]
    terms = [Term(WORD_FIELD, text, SUBWORD_WEIGHT if is_part(text, query.words) else 1.0) for text in chosen]
    terms += [
        Term(HEADING_FIELD, term.text, HEADING_WEIGHT)
        for term in terms
        if len(term.text) > 1
        and 0 < statistics.document_frequency(HEADING_FIELD, term.text) <= HEADING_MAX_DOCUMENTS
    ]
    taken = {term.text for term in terms}
    terms += [
        Term(BIGRAM_FIELD, text, BIGRAM_WEIGHT)
        for _, text in known(BIGRAM_FIELD, query.bigrams)[:MAX_BIGRAM_TERMS]
        if text not in taken
    ]
    taken = {term.text for term in terms}
    expansions = [(f, t) for f, t in known(WORD_FIELD, query.expansions) if t not in taken]
    terms += [Term(WORD_FIELD, text, EXPANSION_WEIGHT) for _, text in expansions[:MAX_EXPANSION_TERMS]]
    return terms
