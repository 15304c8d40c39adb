"""Statute citations: the one grammar for them, in running text and as typed in a search box.

find_references() is pure: given a text and the law names the library knows, it returns every
reference with its span: 《中华人民共和国电信条例》第六十五条; 《民法典》第一千零三十二条、
第一千零三十三条; 民法典第1032条; 第一千零三十二条第二款; 第二百五十三条之一; 本法 / 该法 /
上述条例 (the law named last); ranges (第一千零三十二条至第一千零三十四条, one reference per 条).
A 《title》 the library does not know is still reported, as an unknown law.

resolve_references() looks the laws and provisions up: the current version of a law unless the
text dates it (《公司法》（2018年修正）), and a number beyond a law's last 条 is reported, not
guessed.

find_citation() reads what a person types (民法典第1032条, 民法典1032, 刑法第二百五十三条之一,
电信条例65条), for the search box; parse_citation_search() a text that is only a citation
("民法典 1032"), for the admin's provision autocomplete. Law names resolve by short title, full
title or alias, to the current version.
"""

import bisect
import functools
import re
import threading
from dataclasses import dataclass

from django.db.models import Count, Max, Q

from .models import Law, Provision
from .numerals import NUMERAL_CHARS, chinese_to_int

# A 条 number as written: Arabic digits or Chinese numerals; the 之N of 第二百五十三条之一.
NUMBER = rf"(?:\d{{1,4}}|[{NUMERAL_CHARS}]+)"
SUFFIX = rf"(?:\s*之\s*(?P<suffix>\d{{1,2}}|[{NUMERAL_CHARS}]+))?"


def number_or_zero(text: str | None) -> int:
    """A matched number (Arabic or Chinese), 0 where none was written. Raises ValueError for a non-number."""
    return chinese_to_int(text) if text else 0


def _article_pattern(article_prefix: str) -> str:
    return (
        rf"{article_prefix}\s*(?P<number>{NUMBER})\s*条"
        rf"{SUFFIX}"
        rf"(?:\s*第\s*(?P<paragraph>{NUMBER})\s*款)?"
        # 第二项 and 第（二）项 alike
        rf"(?:\s*第\s*[（(]?\s*(?P<item>{NUMBER})\s*[）)]?\s*项)?"
    )


ARTICLE = _article_pattern("第")
ARTICLE_RE = re.compile(ARTICLE)
# In a list the 第 may be left out after the first: 第八十二条、八十三条.
LISTED_ARTICLE_RE = re.compile(_article_pattern("第?"))
# "1032条" after a law name, without 第.
BARE_ARTICLE_RE = re.compile(rf"(?P<number>\d{{1,4}})\s*条{SUFFIX}")
TITLE_RE = re.compile(r"《(?P<title>[^《》\n]{2,80})》")
# A date given with a title: 《公司法》（2018年修正）, 《公司法》(2018).
DATED_RE = re.compile(r"^\s*[（(]\s*(?P<year>(?:19|20)\d\d)\s*(?:年[^）)]{0,6})?[）)]")
# 本法, 该法, 上述条例, 前述法律, 该解释, 本规定 …: the law named last.
BACK_REFERENCE_RE = re.compile(r"(?:本|该|上述|前述|此)(?:法律|法|条例|规定|办法|解释|细则|决定)")
# What may join a list of 条: 、 和 及 以及 或者 , and ranges 至 / 到 / -.
LIST_GLUE_RE = re.compile(r"\s*(?P<glue>、|，|,|和|及|以及|与|或者|或|至|到|—|-|~|～)\s*")
RANGE_GLUE = {"至", "到", "—", "-", "~", "～"}
MAX_RANGE = 30
# How far after a law name its 第N条 may follow (规定, 的, 中的 …).
LAW_TO_ARTICLE_GAP = re.compile(r"\s*(?:（[^）]{0,20}）|\([^)]{0,20}\))?\s*(?:的|中的|里的|所称的)?\s*")


@dataclass
class Reference:
    start: int
    end: int
    text: str  # the span as written
    law_name: str  # as written (or the law named last, for 本法 and bare 第N条)
    number: int
    suffix: int = 0
    paragraph: int = 0
    item: int = 0
    year: int | None = None  # a date given with the law's name
    explicit_law: bool = True  # False when the law comes from context (本法, a bare 第N条)
    # Where a link to this 条 goes: the law's name and 第N条 for the first of a run, the 第M条 of
    # each one listed after it; None for the 条 inside a range (第1条至第3条: 第2条).
    link_span: tuple[int, int] | None = None
    # Filled by resolve_references:
    law: object = None
    provision: object = None
    problem: str = ""  # "unknown law", "no such provision", "no law named"

    @property
    def key(self) -> str:
        return f"{self.number}-{self.suffix}" if self.suffix else str(self.number)

    @property
    def resolved(self) -> bool:
        return self.provision is not None


def law_names_in(text: str, law_names: list[str], skip: list[tuple[int, int]] = ()) -> list[tuple[int, str]]:
    """(position, name) of the known law names in text, left to right, the longest at each place.

    law_names: longest first (known_law_names() gives them so), so that 个人信息保护法 wins over
    信息保护法. skip: spans not to look in (《titles》 already read as such).
    """
    found = []
    skip = sorted(skip)
    skipped = 0  # the first span of skip that does not end before the match (matches only move on)
    for match in names_pattern(tuple(law_names)).finditer(text):
        position = match.start()
        while skipped < len(skip) and skip[skipped][1] <= position:
            skipped += 1
        if skipped < len(skip) and skip[skipped][0] <= position:
            continue  # inside a 《title》 (a name never runs past its 》)
        found.append((position, match.group()))
    return found


@functools.lru_cache(maxsize=8)
def names_pattern(law_names: tuple[str, ...]) -> re.Pattern:
    """One pattern for all the names, longest first: the regex engine scans the text once."""
    names = sorted({name for name in law_names if len(name) >= 2}, key=lambda name: (-len(name), name))
    return re.compile("|".join(map(re.escape, names)) or r"(?!x)x")


def _name_spans(text: str, law_names: list[str]) -> list[tuple[int, int, str, int | None]]:
    """(start, end, name, year) of every law mentioned: 《titles》 first, then bare known names."""
    spans = []
    taken = []
    for match in TITLE_RE.finditer(text):
        end = match.end()
        year = None
        dated = DATED_RE.match(text[end : end + 20])
        if dated:
            year = int(dated["year"])
            end += dated.end()
        spans.append((match.start(), end, match["title"].strip(), year))
        taken.append((match.start(), match.end()))
    for position, name in law_names_in(text, law_names, skip=taken):
        spans.append((position, position + len(name), name, None))
    spans.sort()
    starts = [span[0] for span in spans]
    back_references = []
    for match in BACK_REFERENCE_RE.finditer(text):
        # Inside a span already found? Spans do not overlap: only the one starting last before it can hold it.
        before = bisect.bisect_right(starts, match.start()) - 1
        if before < 0 or not spans[before][0] <= match.start() < spans[before][1]:
            back_references.append((match.start(), match.end(), "", None))
    spans = sorted(spans + back_references)
    return spans


def find_references(text: str, law_names: list[str] | None = None) -> list[Reference]:
    """Every statute reference in text, in order. law_names: known names, longest first."""
    law_names = law_names or []
    names = _name_spans(text, law_names)
    references: list[Reference] = []
    last_law: tuple[str, int | None] | None = None
    name_index = 0
    position = 0
    while True:
        article = ARTICLE_RE.search(text, position)
        # Laws mentioned before this 条 set the context; a law directly before it is its law.
        limit = article.start() if article else len(text)
        attached = None
        while name_index < len(names) and names[name_index][0] < limit:
            start, end, name, year = names[name_index]
            if name:
                last_law = (name, year)
            # Matched in place (pattern.match(text, start, end)), never on a slice: linear in the text.
            gap = LAW_TO_ARTICLE_GAP.match(text, end, limit)
            if article is not None and gap and gap.end() == limit:
                if name:
                    attached = (start, name, year, True)
                elif last_law:  # 本法第N条: the law named last
                    attached = (start, last_law[0], last_law[1], False)
            name_index += 1
        if article is None:
            break
        law_name, year, explicit, span_start = "", None, False, article.start()
        if attached:
            span_start, law_name, year, explicit = attached
        elif last_law:
            law_name, year = last_law
        run = _article_run(text, article)
        for index, (number_match, range_to) in enumerate(run["items"]):
            try:
                base = number_or_zero(number_match["number"])
                upper = number_or_zero(range_to["number"]) if range_to is not None else base
                suffix = number_or_zero(number_match["suffix"])
                paragraph = number_or_zero(number_match["paragraph"])
                item = number_or_zero(number_match["item"])
            except ValueError:  # not a number after all (第十十条)
                continue
            last = upper if base < upper <= base + MAX_RANGE else base
            for number in range(base, last + 1):
                first = number == base
                if first:
                    link_span = (span_start if index == 0 else number_match.start(), number_match.end())
                elif number == last and range_to is not None:
                    link_span = (range_to.start(), range_to.end())
                else:
                    link_span = None
                references.append(
                    Reference(
                        start=span_start,
                        end=run["end"],
                        text=text[span_start : run["end"]],
                        law_name=law_name,
                        number=number,
                        suffix=suffix if first else 0,
                        paragraph=paragraph if first else 0,
                        item=item if first else 0,
                        year=year,
                        explicit_law=explicit,
                        link_span=link_span,
                    )
                )
        position = run["end"]
    references.extend(_bare_number_references(text, law_names, references))
    references.sort(key=lambda reference: (reference.start, reference.number))
    return references


def _article_run(text: str, first) -> dict:
    """第N条 and the 条 listed after it (、第M条, 和第M条, 至第M条); where the run ends."""
    items = []
    current = first
    end = first.end()
    while True:
        glue = LIST_GLUE_RE.match(text, end)
        following = LISTED_ARTICLE_RE.match(text, glue.end()) if glue else None
        if glue and following and glue["glue"] in RANGE_GLUE:
            items.append((current, following))
            end = following.end()
            glue = LIST_GLUE_RE.match(text, end)
            current = LISTED_ARTICLE_RE.match(text, glue.end()) if glue else None
            if current is None:
                return {"items": items, "end": end}
            end = current.end()
            continue
        items.append((current, None))
        if following is None:
            return {"items": items, "end": end}
        current = following
        end = following.end()


def _bare_number_references(text: str, law_names: list[str], found: list[Reference]) -> list[Reference]:
    """民法典1032条: a known name, then digits and 条 without 第."""
    extra = []
    covered = [(reference.start, reference.end) for reference in found]
    for start, name in law_names_in(text, law_names):
        after = start + len(name)
        match = BARE_ARTICLE_RE.match(text, after + (1 if text[after : after + 1] == "》" else 0))
        if not match or any(a <= start < b for a, b in covered):
            continue
        try:
            suffix = number_or_zero(match["suffix"])
        except ValueError:  # 之 followed by something that is not a number
            continue
        extra.append(
            Reference(
                start=start,
                end=match.end(),
                text=text[start : match.end()],
                law_name=name,
                number=int(match["number"]),
                suffix=suffix,
                link_span=(start, match.end()),
            )
        )
        covered.append((start, match.end()))
    return extra


def resolve_references(references: list[Reference]) -> list[Reference]:
    """Look up each reference's law (current version unless dated) and provision, or say what is wrong."""
    laws: dict = {}
    for reference in references:
        if not reference.law_name:
            reference.problem = "no law named"
            continue
        cache_key = (reference.law_name, reference.year)
        if cache_key not in laws:
            laws[cache_key] = resolve_law_version(reference.law_name, reference.year)
        law = laws[cache_key]
        if law is None:
            reference.problem = "unknown law"
            continue
        reference.law = law
    wanted = {
        (reference.law.pk, reference.number, reference.suffix) for reference in references if reference.law
    }
    provisions = {}
    last_numbers = {}
    if wanted:
        law_ids = {law_id for law_id, _, _ in wanted}
        numbers = {number for _, number, _ in wanted}
        for provision in Provision.objects.select_related("law").filter(
            law_id__in=law_ids, number__in=numbers
        ):
            provisions[(provision.law_id, provision.number, provision.suffix)] = provision
        for law_id in law_ids:
            last_numbers[law_id] = (
                Provision.objects.filter(law_id=law_id)
                .order_by("-number")
                .values_list("number", flat=True)
                .first()
            )
    for reference in references:
        if reference.law is None:
            continue
        reference.provision = provisions.get((reference.law.pk, reference.number, reference.suffix))
        if reference.provision is None:
            last = last_numbers.get(reference.law.pk)
            if last is not None and reference.number > last:
                reference.problem = f"beyond the last article ({last})"
            else:
                reference.problem = "no such provision"
    return references


def resolve_law_version(name: str, year: int | None = None):
    """The law a name stands for: its current version, or the version in force in the given year."""
    law = resolve_law(name)
    if law is None or year is None:
        return law
    versions = Law.objects.filter(title=law.title).order_by("-promulgated_on")
    for version in versions:
        when = version.effective_on or version.promulgated_on
        if when is not None and when.year <= year:
            return version
    return law


# --- citations typed by a person ---------------------------------------------------

# "…第1032条之一", "…1032条", "…第一千零三十二条", "…1032" (digits alone only at the end).
CITATION_TAIL_RE = re.compile(
    rf"^[》\s]*(?:第\s*(?P<number>{NUMBER})\s*条|(?P<bare>\d{{1,4}})\s*条?){SUFFIX}"
)
WHOLE_CITATION_RE = re.compile(rf"^(?P<law>.*?)\s*第?\s*(?P<number>{NUMBER})\s*条?{SUFFIX}\s*$")


@dataclass(frozen=True)
class CitationQuery:
    law_name: str  # as typed, without 《》; may be empty
    number: int
    suffix: int = 0


def parse_citation_search(term: str) -> tuple[str, int, int] | None:
    """("民法典", 1032, 0) for a text that is only a citation, such as "民法典 1032"; else None."""
    match = WHOLE_CITATION_RE.match(term.strip())
    if not match or not ("条" in term or match["number"].isdigit()):
        return None
    try:
        number, suffix = chinese_to_int(match["number"]), number_or_zero(match["suffix"])
    except ValueError:
        return None
    law = match["law"].strip().strip("《》").strip()
    return law, number, suffix


def find_citation(text: str, law_names: list[str]) -> CitationQuery | None:
    """The first citation in a question: a known law name followed by a 条 number.

    law_names is longest first, so that 个人信息保护法 wins over 信息保护法.
    """
    for start, name in law_names_in(text, law_names):
        tail = CITATION_TAIL_RE.match(text[start + len(name) :])
        if not tail:
            continue
        try:
            number = chinese_to_int(tail["number"] or tail["bare"])
            suffix = number_or_zero(tail["suffix"])
        except ValueError:
            continue
        return CitationQuery(name, number, suffix)
    return None


INTERPRETATION_RE = re.compile(
    r"^最高人民法院(?:、最高人民检察院)?关于(?:审理|办理)(?P<subject>[^《》]{2,20}?)(?:刑事|民事|行政)?(?:纠纷)?案件"
    r"(?:具体)?(?:适用|应用)法律(?:若干)?问题的(?:规定|解释)(?P<number>（[一二三四五六七八九十]+）)?$"
)


def derived_aliases(title: str) -> list[str]:
    """How people name a judicial interpretation: 民间借贷司法解释, 劳动争议司法解释（一）."""
    match = INTERPRETATION_RE.match(title)
    if not match:
        return []
    name = f"{match['subject']}司法解释"
    if match["number"]:
        return [f"{name}{match['number']}", f"{name}{match['number'][1:-1]}"]
    return [name]


_law_names_lock = threading.Lock()
_law_names: tuple[tuple, list[str]] = ((), [])


def known_law_names() -> list[str]:
    """Short titles, titles and aliases (given or derived) of current laws, longest first.

    Read once per process, and again when the library has changed (its count or latest id).
    """
    global _law_names
    version = tuple(Law.objects.aggregate(count=Count("id"), latest=Max("id")).values())
    if _law_names[0] != version:
        names = set()
        for title, short_title, aliases in Law.objects.current().values_list(
            "title", "short_title", "aliases"
        ):
            names.update((title, short_title, *(aliases or []), *derived_aliases(title)))
        with _law_names_lock:
            _law_names = (version, sorted((name for name in names if name), key=len, reverse=True))
    return _law_names[1]


def resolve_law(name: str) -> Law | None:
    """The current law a name stands for: exact short title, title or alias, else a unique partial match."""
    name = name.strip().strip("《》")
    if not name:
        return None
    current = Law.objects.current()
    exact = current.filter(Q(short_title=name) | Q(title=name)).first()
    if exact is not None:
        return exact
    # Aliases are few; JSON containment is not portable across databases, so look in Python.
    for law in current.exclude(aliases=[]).only("id", "aliases"):
        if name in law.aliases:
            return law
    if name.endswith("司法解释"):
        for law in current.filter(title__startswith="最高人民"):
            if name in derived_aliases(law.title):
                return law
    if len(name) < 2:
        return None
    partial = list(current.filter(short_title__contains=name)[:2])
    return partial[0] if len(partial) == 1 else None


def resolve_citation(citation: CitationQuery) -> Provision | None:
    law = resolve_law(citation.law_name)
    if law is None:
        return None
    return (
        Provision.objects.select_related("law")
        .filter(law=law, number=citation.number, suffix=citation.suffix)
        .first()
    )


NATIONAL_PREFIX = "中华人民共和国"


def plain_title(title: str) -> str:
    """A title as lists of statutes often write it: without 中华人民共和国, also inside 《》."""
    return title.replace(NATIONAL_PREFIX, "").strip().strip("《》")


class Library:
    """The current laws read once, to resolve many statute names quickly (an import of Q&A).

    A name resolves as resolve_law would, and also by its title without 中华人民共和国 (STARD and
    LeCoQA write 劳动合同法第四十条, 最高人民法院关于适用《民法典》有关担保制度的解释第二条).
    """

    def __init__(self):
        self._laws: dict[str, Law | None] = {}
        for law in Law.objects.current().only("id", "title", "short_title", "aliases"):
            for name in {law.title, law.short_title, *(law.aliases or []), *derived_aliases(law.title)}:
                for key in (name, plain_title(name)):
                    if key:
                        # A name two laws share resolves to neither: never guessed.
                        self._laws[key] = None if self._laws.get(key, law) != law else law
        self._provisions: dict[tuple[int, int, int], Provision] = {}

    def law(self, name: str) -> Law | None:
        name = name.strip().strip("《》")
        return self._laws.get(name) or self._laws.get(plain_title(name))

    def provision(self, citation: str) -> Provision | None:
        """The provision a name such as 中华人民共和国民法典第五十四条 or 刑法第二百五十三条之一 stands for."""
        parsed = parse_citation_search(citation)
        if parsed is None:
            return None
        law_name, number, suffix = parsed
        law = self.law(law_name)
        if law is None:
            return None
        key = (law.pk, number, suffix)
        if key not in self._provisions:
            found = (
                Provision.objects.select_related("law").filter(law=law, number=number, suffix=suffix).first()
            )
            if found is None:
                return None
            self._provisions[key] = found
        return self._provisions[key]
