"""Checking quoted statute text against the library, and finding where a misquoted passage really is.

A quote is the passage right after a reference: in quotation marks (…第三十四条规定：“…”), in a
相关法条 block the rest of the line after a colon, or running straight on after the reference with
no mark at all (法律依据：《道路交通安全法》第九十一条饮酒后驾驶机动车的，处暂扣…). It matches when
every part of it (parts split at …… ellipses) appears, in order, in the cited provision's text,
ignoring punctuation, spaces and full/half width. A run-on passage is only a quote if it reads like
one: its sentences are compared from the first, the quote ending where they stop matching, and a
passage whose opening is in no provision at all is taken for the writer's own words, not checked.

On a mismatch the provision that does contain the passage is looked for (by default in the
database: provisions_quoting), in the current law first, then in the library's older versions: a
passage from an older version is reported with the version's year and the current counterpart.
"""

import bisect
import difflib
import functools
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
# Straight on after the reference, no mark: the rest of the line (a run-on quote, if it reads like one).
RUN_ON_RE = re.compile(r"^[\u4e00-\u9fff][^\n]{7,}")
# How a writer's own words go on after a reference (…第14条有关…, …第990条则…): not a quote.
RUN_ON_PROSE_RE = re.compile(
    r"^(?:规定|中|的|之|明确|指出|也|还|又|则|即|就|和|及|与|或|对|等|所|关于|有关|条|款|项|第|相|将|已|已经|"
    r"沿用|确立|形成|属于|作出|实际|具体|进一步|同时|另|并|而|但|以|为|是|在|向|应|可|要求|提到|列举)"
)
SENTENCE_END_RE = re.compile(r"(?<=[。；;])")
CLAUSE_RE = re.compile(r"[，,：:；;。]")
MIN_CLAUSE = 4  # the opening words of a run-on passage that must be a provision's to make it a quote
ELLIPSIS_RE = re.compile(r"…+|\.{3,}|⋯+")
MIN_QUOTE = 8  # characters, once normalized: shorter passages are not checked
COMPARABLE_RE = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]")
HAN_RUN_RE = re.compile(r"[\u4e00-\u9fff]{6,}")
PROBE_LENGTH = 12  # characters of a quote looked up at once: short enough to fall between punctuation
PROBES = 6
# How close an older version's article must be to a current one to be called its counterpart.
COUNTERPART_SIMILARITY = 0.5
# Misquoted passages looked up in the whole library per text: each look-up scans the provisions'
# texts, so a body of a hundred misquotes (or one misquote pasted a hundred times) stays seconds, not
# minutes. Past the bound a misquote in quotation marks is still reported, only "where it really is"
# is left out; a run-on passage that the cited provision does not open is read as the writer's words.
MAX_QUOTE_LOOKUPS = 20

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
    run_on: bool = False  # no quotation mark or colon: may be the writer's own words


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
    run_on = RUN_ON_RE.match(window)
    if run_on and not RUN_ON_PROSE_RE.match(window):
        passage = run_on.group().rstrip()
        return Quote(passage, position, position + len(passage), run_on=True)
    return None


def sentences(passage: str) -> list[str]:
    return [sentence for sentence in SENTENCE_END_RE.split(passage) if comparable(sentence)]


def matching_opening(passage: str, provision_text: str) -> str:
    """The passage's longest run of whole sentences, from its first, that the provision contains."""
    matched = ""
    for sentence in sentences(passage):
        if not quote_matches(matched + sentence, provision_text):
            break
        matched += sentence
    return matched


def opening_clause(passage: str) -> str:
    """The passage's first words up to a punctuation mark: what a run-on quote shares with its provision."""
    return comparable(CLAUSE_RE.split(passage, maxsplit=1)[0])


def check_run_on(quote: Quote, provisions: list, law: Law | None, find_quoted: "QuoteFinder"):
    """A run-on passage: (the quote it holds or None, whether it matches, the provision it is from).

    The quote ends with the last of its sentences that the cited provision contains. When none
    does, the passage is a quote only if its opening clause is the cited provision's, or if the
    library holds its first sentence somewhere else; otherwise it is the writer's own words.
    """
    for provision in provisions:
        matched = matching_opening(quote.text, provision.text)
        if len(comparable(matched)) >= MIN_QUOTE:
            return trimmed(quote, matched), True, None
    first = sentences(quote.text)[:1]
    if not first or len(comparable(first[0])) < MIN_QUOTE:
        return None, None, None
    found = find_quoted(first[0], law)
    if found is not None:
        return trimmed(quote, matching_opening(quote.text, found.text) or first[0]), False, found
    clause = opening_clause(quote.text)
    if len(clause) >= MIN_CLAUSE and any(clause in comparable(provision.text) for provision in provisions):
        return trimmed(quote, first[0]), False, None
    return None, None, None


def trimmed(quote: Quote, text: str) -> Quote:
    return Quote(text, quote.start, quote.start + len(text), run_on=True)


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
    """The provision that contains the passage, found in the database; the cited law first.

    A current provision if one has it; failing that, one of an older version (the quote was
    copied before the law changed), the cited law's own versions first.
    """
    probes = quote_probes(quote)
    for current in (True, False):
        for probe in probes:
            rows = Provision.objects.select_related("law").filter(
                law__is_current=current, text__contains=probe
            )[:50]
            matching = [provision for provision in rows if quote_matches(quote, provision.text)]
            if matching:
                if near_law is not None:
                    matching.sort(
                        key=lambda provision: (
                            provision.law_id != near_law.pk,
                            provision.law.title != near_law.title,
                        )
                    )
                return matching[0]
    return None


def current_counterpart(provision: Provision) -> Provision | None:
    """For a provision of an older version, the current version's provision that took its place.

    The one whose text is closest to the old one's (renumbered articles move), among the current
    version's provisions that share a piece of its text, and its own number; None when nothing is
    close (the article was dropped).
    """
    if provision.law.is_current:
        return provision
    current = Law.objects.filter(title=provision.law.title, is_current=True).first()
    if current is None:
        return None
    candidates = {
        candidate.pk: candidate
        for probe in quote_probes(provision.text)
        for candidate in Provision.objects.filter(law=current, text__contains=probe)[:20]
    }
    same_number = Provision.objects.filter(
        law=current, number=provision.number, suffix=provision.suffix
    ).first()
    if same_number is not None:
        candidates[same_number.pk] = same_number
    old = comparable(provision.text)
    scored = [
        (difflib.SequenceMatcher(None, old, comparable(candidate.text), autojunk=False).ratio(), candidate)
        for candidate in candidates.values()
    ]
    scored = [(ratio, candidate) for ratio, candidate in scored if ratio >= COUNTERPART_SIMILARITY]
    return max(scored, key=lambda pair: (pair[0], -pair[1].order))[1] if scored else None


@dataclass
class CheckedReference:
    reference: Reference
    quote: Quote | None = None
    quote_matches: bool | None = None
    suggestion: Provision | None = None
    # When the suggestion is an older version's provision: the current one that replaced it.
    current: Provision | None = None

    @property
    def quotes_older_version(self) -> bool:
        """The quote is the cited law's own text, as an older version of it worded it: not a misquote,
        a quotation of that version ("引用的是2018年版本")."""
        return (
            self.quote_matches is False
            and self.suggestion is not None
            and not self.suggestion.law.is_current
            and self.reference.law is not None
            and self.suggestion.law.title == self.reference.law.title
        )

    def as_dict(self) -> dict:
        reference = self.reference
        suggestion = None
        if self.suggestion is not None:
            suggestion = {
                "law": self.suggestion.law.title,
                "key": self.suggestion.key,
                "label": self.suggestion.label,
                "version": None,
                "current": None,
            }
            if not self.suggestion.law.is_current:
                promulgated = self.suggestion.law.promulgated_on
                suggestion["version"] = promulgated.year if promulgated else None
                if self.current is not None:
                    suggestion["current"] = {"key": self.current.key, "label": self.current.label}
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
            "quotes_older_version": self.quotes_older_version,
            "suggestion": suggestion,
            "url": reference.provision.get_absolute_url() if reference.provision else None,
        }


def remembered_lookups(find_quoted: QuoteFinder) -> QuoteFinder:
    """find_quoted, asked once per distinct passage and at most MAX_QUOTE_LOOKUPS times in all."""
    answers: dict[tuple[str, int | None], Provision | None] = {}

    def find(quote: str, law: Law | None) -> Provision | None:
        key = (quote, law.pk if law else None)
        if key not in answers:
            if len(answers) >= MAX_QUOTE_LOOKUPS:
                return None
            answers[key] = find_quoted(quote, law)
        return answers[key]

    return find


def check_text(
    text: str, law_names: list[str] | None = None, *, find_quoted: QuoteFinder = provisions_quoting
) -> list[CheckedReference]:
    """Every reference in the text, resolved, with its quote (if any) checked against the library.

    find_quoted: where a misquoted passage really is (a caller with a better finder passes it in).
    """
    if law_names is None:
        law_names = known_law_names()
    find_quoted = remembered_lookups(find_quoted)
    counterpart = functools.lru_cache(maxsize=None)(current_counterpart)
    references = resolve_references(find_references(text, law_names))
    checked = [CheckedReference(reference) for reference in references]
    # References written together (《民法典》第一千零三十二条、第一千零三十三条) share one span and one quote.
    runs: dict[tuple[int, int], list[CheckedReference]] = {}
    for item in checked:
        runs.setdefault((item.reference.start, item.reference.end), []).append(item)
    starts = sorted({start for start, _ in runs})
    for (_start, end), items in runs.items():
        following = bisect.bisect_left(starts, end)  # the next reference's start (linear overall)
        quote = quote_after(text, end, starts[following] if following < len(starts) else len(text))
        if quote is None:
            continue
        provisions = [item.reference.provision for item in items if item.reference.provision]
        law = items[0].reference.law
        if quote.run_on:
            quote, matched, suggestion = check_run_on(quote, provisions, law, find_quoted)
            if quote is None:
                continue
        else:
            matched = any(quote_matches(quote.text, provision.text) for provision in provisions)
            suggestion = None if matched else find_quoted(quote.text, law)
        current = None
        if suggestion is not None and not suggestion.law.is_current:
            current = counterpart(suggestion)
        for item in items:
            item.quote = quote
            item.suggestion = suggestion
            item.current = current
            if item.reference.resolved:
                item.quote_matches = matched
    return checked
