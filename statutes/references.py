"""Statute references in running Chinese text, and what they point to.

find_references() is pure: given the text and the law names the library knows, it returns
every reference with its span — 《中华人民共和国电信条例》第六十五条; 《民法典》第一千零三十二条、
第一千零三十三条; 民法典第1032条; 第一千零三十二条第二款; 第二百五十三条之一; 本法 / 该法 /
上述条例 (the law named last); ranges (第一千零三十二条至第一千零三十四条, one reference per 条).
A 《title》 the library does not know is still reported, as an unknown law.

resolve_references() looks the laws and provisions up: the current version of a law unless the
text dates it (《公司法》（2018年修正）), and a number beyond a law's last 条 is reported, not
guessed.
"""

import re
from dataclasses import dataclass

from .numerals import NUMERAL_CHARS, chinese_to_int

NUMBER = rf"(?:\d{{1,4}}|[{NUMERAL_CHARS}]+)"


def _article_pattern(article_prefix: str) -> str:
    return (
        rf"{article_prefix}\s*(?P<number>{NUMBER})\s*条"
        rf"(?:\s*之\s*(?P<suffix>\d{{1,2}}|[{NUMERAL_CHARS}]+))?"
        rf"(?:\s*第\s*(?P<paragraph>{NUMBER})\s*款)?"
        # 第二项 and 第（二）项 alike
        rf"(?:\s*第\s*[（(]?\s*(?P<item>{NUMBER})\s*[）)]?\s*项)?"
    )


ARTICLE = _article_pattern("第")
ARTICLE_RE = re.compile(ARTICLE)
# In a list the 第 may be left out after the first: 第八十二条、八十三条.
LISTED_ARTICLE_RE = re.compile(_article_pattern("第?"))
# "1032条" after a law name, without 第.
BARE_ARTICLE_RE = re.compile(
    rf"(?P<number>\d{{1,4}})\s*条(?:\s*之\s*(?P<suffix>\d{{1,2}}|[{NUMERAL_CHARS}]+))?"
)
TITLE_RE = re.compile(r"《(?P<title>[^《》\n]{2,80})》")
# A date given with a title: 《公司法》（2018年修正）, 《公司法》(2018).
DATED_RE = re.compile(r"^\s*[（(]\s*(?P<year>(?:19|20)\d\d)\s*(?:年[^）)]{0,6})?[）)]")
# 本法, 该法, 上述条例, 前述法律, 该解释, 本规定 …: the law named last.
BACK_REFERENCE_RE = re.compile(r"(?:本|该|上述|前述|此)(?:法律|法|条例|规定|办法|解释|细则|决定)")
# What may join a list of 条: 、 和 及 以及 或者 , and ranges 至 / 到 / -.
LIST_GLUE_RE = re.compile(r"^\s*(?P<glue>、|，|,|和|及|以及|与|或者|或|至|到|—|-|~|～)\s*")
RANGE_GLUE = {"至", "到", "—", "-", "~", "～"}
MAX_RANGE = 30
# How far after a law name its 第N条 may follow (规定, 的, 中的 …).
LAW_TO_ARTICLE_GAP = re.compile(r"^\s*(?:（[^）]{0,20}）|\([^)]{0,20}\))?\s*(?:的|中的|里的|所称的)?\s*")


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


def parse_number(text: str | None) -> int:
    if not text:
        return 0
    return int(text) if text.isdigit() else chinese_to_int(text)


def _law_name_at(text: str, position: int, law_names: list[str]) -> str | None:
    """A known law name (longest first) starting at position, else None."""
    for name in law_names:
        if text.startswith(name, position):
            return name
    return None


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
    if law_names:
        first_chars = {name[0] for name in law_names}
        position = 0
        while position < len(text):
            if text[position] in first_chars and not any(a <= position < b for a, b in taken):
                name = _law_name_at(text, position, law_names)
                if name and len(name) >= 2:
                    spans.append((position, position + len(name), name, None))
                    position += len(name)
                    continue
            position += 1
    for match in BACK_REFERENCE_RE.finditer(text):
        if not any(a <= match.start() < b for a, b, *_ in spans):
            spans.append((match.start(), match.end(), "", None))
    spans.sort()
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
            gap = LAW_TO_ARTICLE_GAP.match(text[end:limit])
            if article is not None and gap and end + gap.end() == limit:
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
        for number_match, range_to in run["items"]:
            try:
                base = parse_number(number_match["number"])
                upper = parse_number(range_to["number"]) if range_to is not None else base
                suffix = parse_number(number_match["suffix"])
                paragraph = parse_number(number_match["paragraph"])
                item = parse_number(number_match["item"])
            except ValueError:  # not a number after all (第十十条)
                continue
            last = upper if base < upper <= base + MAX_RANGE else base
            for number in range(base, last + 1):
                first = number == base
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
        glue = LIST_GLUE_RE.match(text[end:])
        following = LISTED_ARTICLE_RE.match(text, end + glue.end()) if glue else None
        if glue and following and glue["glue"] in RANGE_GLUE:
            items.append((current, following))
            end = following.end()
            glue = LIST_GLUE_RE.match(text[end:])
            current = LISTED_ARTICLE_RE.match(text, end + glue.end()) if glue else None
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
    for name in law_names:
        start = text.find(name)
        while start != -1:
            after = start + len(name)
            match = BARE_ARTICLE_RE.match(text, after + (1 if text[after : after + 1] == "》" else 0))
            suffix = None
            if match and not any(a <= start < b for a, b in covered):
                try:
                    suffix = parse_number(match["suffix"])
                except ValueError:  # 之 followed by something that is not a number
                    suffix = None
            if suffix is not None:
                extra.append(
                    Reference(
                        start=start,
                        end=match.end(),
                        text=text[start : match.end()],
                        law_name=name,
                        number=int(match["number"]),
                        suffix=suffix,
                    )
                )
                covered.append((start, match.end()))
            start = text.find(name, start + 1)
    return extra


def resolve_references(references: list[Reference]) -> list[Reference]:
    """Look up each reference's law (current version unless dated) and provision, or say what is wrong."""
    from .models import Provision

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
    from .citations import resolve_law
    from .models import Law

    law = resolve_law(name)
    if law is None or year is None:
        return law
    versions = Law.objects.filter(title=law.title).order_by("-promulgated_on")
    for version in versions:
        when = version.effective_on or version.promulgated_on
        if when is not None and when.year <= year:
            return version
    return law
