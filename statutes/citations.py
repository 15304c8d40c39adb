"""Recognizing a citation typed by a person: 民法典第1032条, 民法典1032, 刑法第二百五十三条之一, 电信条例65条.

Used by the search box (a citation jumps to its provision) and by the admin's provision
autocomplete. Law names resolve by short title, full title or alias, to the current version.
"""

import re
from dataclasses import dataclass

from django.db.models import Q

from .models import Law, Provision
from .numerals import NUMERAL_CHARS, chinese_to_int

NUMBER = rf"\d{{1,4}}|[{NUMERAL_CHARS}]+"
# "…第1032条之一", "…1032条", "…第一千零三十二条", "…1032" (digits alone only at the end).
CITATION_TAIL_RE = re.compile(
    rf"^[》\s]*(?:第\s*(?P<number>{NUMBER})\s*条|(?P<bare>\d{{1,4}})\s*条?)"
    rf"(?:\s*之\s*(?P<suffix>\d{{1,2}}|[{NUMERAL_CHARS}]+))?"
)
WHOLE_CITATION_RE = re.compile(
    rf"^(?P<law>.*?)\s*第?\s*(?P<number>{NUMBER})\s*条?(?:\s*之\s*(?P<suffix>\d{{1,2}}|[{NUMERAL_CHARS}]+))?\s*$"
)


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
        number = chinese_to_int(match["number"])
        suffix = chinese_to_int(match["suffix"]) if match["suffix"] else 0
    except ValueError:
        return None
    law = match["law"].strip().strip("《》").strip()
    return law, number, suffix


def find_citation(text: str, law_names: list[str]) -> CitationQuery | None:
    """The first citation in a question: a known law name followed by a 条 number.

    law_names is longest first, so that 个人信息保护法 wins over 信息保护法.
    """
    for name in law_names:
        start = text.find(name)
        while start != -1:
            tail = CITATION_TAIL_RE.match(text[start + len(name) :])
            if tail:
                try:
                    number = chinese_to_int(tail["number"] or tail["bare"])
                    suffix = chinese_to_int(tail["suffix"]) if tail["suffix"] else 0
                except ValueError:
                    number = None
                if number:
                    return CitationQuery(name, number, suffix)
            start = text.find(name, start + 1)
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


def known_law_names() -> list[str]:
    """Short titles, titles and aliases (given or derived) of current laws, longest first."""
    names = set()
    for title, short_title, aliases in Law.objects.current().values_list("title", "short_title", "aliases"):
        names.update((title, short_title, *(aliases or []), *derived_aliases(title)))
    return sorted((name for name in names if name), key=len, reverse=True)


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
