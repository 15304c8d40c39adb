"""Checking quoted statute text against the library, and finding where a misquoted passage really is.

A quote is the passage right after a reference: in quotation marks (…第三十四条规定：“…”), or,
in a 相关法条 block, the rest of the line after a colon. It matches when every part of it
(parts split at …… ellipses) appears, in order, in the cited provision's text, ignoring
punctuation, spaces and full/half width. On a mismatch the provision that does contain the
passage is looked for (by default in the database: provisions_quoting), then confirmed the same way.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from .citations import Reference, find_references, known_law_names, resolve_references
from .models import Law, Provision

# After a reference: optional 规定/指出, a colon or comma, then an opening quotation mark.
QUOTE_START_RE = re.compile(r"^\s*(?:中|的)?(?:明确)?(?:规定|指出|载明|写道|称)?\s*[:：,，]?\s*[“\"「『]")
QUOTE_END = {"“": "”", '"': '"', "「": "」", "『": "』"}
# A 相关法条 line: 《X》第N条：text to the end of the line.
LINE_QUOTE_RE = re.compile(r"^\s*(?:规定)?\s*[:：]\s*(?P<quote>[^\n“\"「『]{8,})")
ELLIPSIS_RE = re.compile(r"…+|\.{3,}|⋯+")
MIN_QUOTE = 8  # characters, once normalized: shorter passages are not checked
COMPARABLE_RE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]")
HAN_RUN_RE = re.compile(r"[\u4e00-\u9fff]{6,}")
PROBE_LENGTH = 12  # characters of a quote looked up at once: short enough to fall between punctuation
PROBES = 6

# Given a quote and the law it was attributed to, the provision that really contains it (or None).
QuoteFinder = Callable[[str, Law | None], Provision | None]


def comparable(text: str) -> str:
    """Only letters, digits and Han characters, half width, lower case: what a quote must get right."""
    return COMPARABLE_RE.sub("", unicodedata.normalize("NFKC", text).lower())


def quote_matches(quote: str, provision_text: str) -> bool:
    target = comparable(provision_text)
    position = 0
    for part in ELLIPSIS_RE.split(quote):
        part = comparable(part)
        if not part:
            continue
        found = target.find(part, position)
        if found == -1:
            return False
        position = found + len(part)
    return True


@dataclass
class Quote:
    text: str
    start: int
    end: int


def quote_after(text: str, position: int, limit: int) -> Quote | None:
    """The passage quoted right after a reference that ends at position (and before limit)."""
    window = text[position:limit]
    opening = QUOTE_START_RE.match(window)
    if opening:
        mark = window[opening.end() - 1]
        closing = window.find(QUOTE_END[mark], opening.end())
        if closing != -1:
            passage = window[opening.end() : closing]
            if len(comparable(passage)) >= MIN_QUOTE:
                return Quote(passage, position + opening.end(), position + closing)
        return None
    line = LINE_QUOTE_RE.match(window)
    if line and len(comparable(line["quote"])) >= MIN_QUOTE:
        return Quote(line["quote"].strip(), position + line.start("quote"), position + line.end("quote"))
    return None


def quote_probes(quote: str) -> list[str]:
    """Pieces of the quote to look up: the start, middle and end of its longest unpunctuated runs.

    A piece this short usually lies between two punctuation marks of the provision, which a
    quote may leave out or change.
    """
    probes = []
    for run in sorted(HAN_RUN_RE.findall(quote), key=len, reverse=True):
        if len(run) <= PROBE_LENGTH:
            probes.append(run)
            continue
        middle = (len(run) - PROBE_LENGTH) // 2
        probes += [run[:PROBE_LENGTH], run[middle : middle + PROBE_LENGTH], run[-PROBE_LENGTH:]]
    return list(dict.fromkeys(probes))[:PROBES]


def provisions_quoting(quote: str, near_law: Law | None = None) -> Provision | None:
    """The current provision that contains the passage, found in the database; the cited law first."""
    for probe in quote_probes(quote):
        rows = Provision.objects.select_related("law").filter(law__is_current=True, text__contains=probe)[:50]
        matching = [provision for provision in rows if quote_matches(quote, provision.text)]
        if matching:
            if near_law is not None:
                matching.sort(key=lambda provision: provision.law_id != near_law.pk)
            return matching[0]
    return None


@dataclass
class CheckedReference:
    reference: Reference
    quote: Quote | None = None
    quote_matches: bool | None = None
    suggestion: Provision | None = None

    def as_dict(self) -> dict:
        reference = self.reference
        return {
            "text": reference.text,
            "law": reference.law.title if reference.law else None,
            "law_as_written": reference.law_name,
            "key": reference.key,
            "paragraph": reference.paragraph or None,
            "resolved": reference.resolved,
            "problem": reference.problem or None,
            "quote": self.quote.text if self.quote else None,
            "quote_matches": self.quote_matches,
            "suggestion": (
                {"law": self.suggestion.law.title, "key": self.suggestion.key, "label": self.suggestion.label}
                if self.suggestion
                else None
            ),
            "url": reference.provision.get_absolute_url() if reference.provision else None,
        }


def check_text(
    text: str, law_names: list[str] | None = None, *, find_quoted: QuoteFinder = provisions_quoting
) -> list[CheckedReference]:
    """Every reference in the text, resolved, with its quote (if any) checked against the library.

    find_quoted: where a misquoted passage really is (a caller with a better finder passes it in).
    """
    if law_names is None:
        law_names = known_law_names()
    references = resolve_references(find_references(text, law_names))
    checked = [CheckedReference(reference) for reference in references]
    # References written together (《民法典》第一千零三十二条、第一千零三十三条) share one span and one quote.
    runs: dict[tuple[int, int], list[CheckedReference]] = {}
    for item in checked:
        runs.setdefault((item.reference.start, item.reference.end), []).append(item)
    starts = sorted({start for start, _ in runs})
    for (_start, end), items in runs.items():
        following = [later for later in starts if later >= end]
        quote = quote_after(text, end, following[0] if following else len(text))
        if quote is None:
            continue
        provisions = [item.reference.provision for item in items if item.reference.provision]
        matched = any(quote_matches(quote.text, provision.text) for provision in provisions)
        suggestion = None
        if not matched:
            suggestion = find_quoted(quote.text, items[0].reference.law)
        for item in items:
            item.quote = quote
            item.suggestion = suggestion
            if item.reference.resolved:
                item.quote_matches = matched
    return checked
