"""Reads of the statute library that the pages need, each in a fixed number of queries."""

from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db.models import Q

from .changes import Change, compare, provision_texts
from .models import Law, Level, LibraryImport, Provision, date_rank

HEADING_LEVELS = ("part", "subpart", "chapter", "section")


@dataclass
class InitialGroup:
    """The laws of a level whose titles start with one letter of pinyin (M: 民法典, 民事诉讼法 …)."""

    letter: str
    laws: list[Law]

    @property
    def anchor(self) -> str:
        return self.letter if self.letter.isalpha() else "0"


@dataclass
class LevelGroup:
    level: str
    laws: list[Law]
    # A group this long shows its laws under their initials, with an index of the letters, where the
    # letters tell something: not where most titles share one (司法解释: 最高人民法院… under Z).
    BY_INITIAL_FROM = 20

    @cached_property
    def shows_initials(self) -> bool:
        if len(self.laws) < self.BY_INITIAL_FROM:
            return False
        return max(len(initial.laws) for initial in self.by_initial) * 2 <= len(self.laws)

    @cached_property
    def by_initial(self) -> list[InitialGroup]:
        """The group's laws under their initials, in the order they come (the list's pinyin order)."""
        initials: list[InitialGroup] = []
        for law in self.laws:
            if not initials or initials[-1].letter != law.title_initial:
                initials.append(InitialGroup(law.title_initial, []))
            initials[-1].laws.append(law)
        return initials


@dataclass
class Heading:
    level: str  # part, subpart, chapter or section
    title: str
    anchor: str
    depth: int


@dataclass
class OutlineEntry:
    """One provision of a law page, with the headings that open just before it."""

    provision: Provision
    headings: list[Heading] = field(default_factory=list)


@dataclass
class LawOutline:
    toc: list[Heading]
    entries: list[OutlineEntry]


def law_list(*, query: str = "", level: str = "", include_superseded: bool = False) -> list[LevelGroup]:
    """Laws grouped by level (宪法 first), each with its provision count, in one query.

    Within a level, in pinyin order of the short title (statutes.collation: 民法典 under M), stored
    with each law so that the database sorts; versions of one title newest first.
    """
    laws = Law.objects.with_provision_count().matching_title(query)
    if not include_superseded:
        laws = laws.current()
    if level:
        laws = laws.filter(level=level)
    laws = laws.defer("history", "preamble", "annex", "notes").order_by(
        "title_pinyin", "title", "-promulgated_on"
    )
    groups: dict[str, list[Law]] = {}
    for law in laws:
        groups.setdefault(law.level, []).append(law)
    return [LevelGroup(level, groups[level]) for level in sorted(groups, key=Level.rank)]


def law_outline(law: Law) -> LawOutline:
    """The law's provisions in order, with its table of contents of 编/分编/章/节."""
    provisions = list(law.provisions.order_by("order"))
    toc: list[Heading] = []
    entries: list[OutlineEntry] = []
    previous = dict.fromkeys(HEADING_LEVELS, "")
    for provision in provisions:
        opening: list[Heading] = []
        changed = False
        depth = 0
        for level in HEADING_LEVELS:
            title = getattr(provision, level)
            # A heading opens when it, or any heading above it, changes.
            changed = changed or title != previous[level]
            if title and changed:
                opening.append(Heading(level, title, f"h{len(toc) + len(opening) + 1}", depth))
            if title:
                depth += 1
            previous[level] = title
        toc.extend(opening)
        entries.append(OutlineEntry(provision, opening))
    return LawOutline(toc=toc, entries=entries)


def law_versions(law: Law) -> list[Law]:
    """Every version of the law's title, newest first, the law itself included."""
    return list(
        Law.objects.filter(title=law.title)
        .only("id", "title", "promulgated_on", "effective_on", "status", "is_current")
        .order_by("-promulgated_on")
    )


def provision_with_neighbours(provision: Provision) -> tuple[Provision | None, Provision | None]:
    """The provisions before and after this one in its law."""
    siblings = Provision.objects.filter(law_id=provision.law_id).only("id", "law_id", "key", "label")
    previous = siblings.filter(order__lt=provision.order).order_by("-order").first()
    following = siblings.filter(order__gt=provision.order).order_by("order").first()
    return previous, following


# --- versions of a law and of a provision (修订对照) -------------------------------------------


def counterparts(older: Law, newer: Law) -> dict[str, str | None]:
    """Each provision of the older version (by key) → its key in the newer one, None where the newer
    version has it no more: matched by number and text (statutes.changes). Kept in the cache until
    the library next changes (its latest import)."""
    generation = LibraryImport.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    key = f"statutes:counterparts:{older.pk}:{newer.pk}:{generation}"

    def compute() -> dict[str, str | None]:
        old, new = provision_texts(older), provision_texts(newer)
        mapping: dict[str, str | None] = {provision.key: provision.key for provision in old}
        for change in compare(old, new):
            if change.old is not None:
                mapping[change.old.key] = change.new.key if change.new is not None else None
        return mapping

    return cache.get_or_set(key, compute, COUNTERPARTS_SECONDS)


COUNTERPARTS_SECONDS = 24 * 3600


@dataclass
class ProvisionVersion:
    """One version of a law, and what it holds in place of the provision a page shows."""

    law: Law
    provision: Provision | None  # None: that version has no such provision
    same_text: bool  # the same words as the page's provision
    is_this: bool  # the page's own version


def provision_versions(provision: Provision) -> list[ProvisionVersion]:
    """The provision across every version of its law, oldest first (one entry per version)."""
    versions = sorted(law_versions(provision.law), key=lambda law: date_rank(law.promulgated_on))
    if len(versions) < 2:
        return []
    here = next(n for n, law in enumerate(versions) if law.pk == provision.law_id)
    keys: dict[int, str | None] = {here: provision.key}
    for n in range(here, len(versions) - 1):
        keys[n + 1] = keys[n] and counterparts(versions[n], versions[n + 1]).get(keys[n])
    for n in range(here, 0, -1):
        backwards = {new: old for old, new in counterparts(versions[n - 1], versions[n]).items() if new}
        keys[n - 1] = keys[n] and backwards.get(keys[n])
    wanted = Q(pk__in=[])
    for n, key in keys.items():
        if key:
            wanted |= Q(law_id=versions[n].pk, key=key)
    found = {(row.law_id, row.key): row for row in Provision.objects.filter(wanted)}
    entries = []
    for n, law in enumerate(versions):
        counterpart = found.get((law.pk, keys[n])) if keys[n] else None
        entries.append(
            ProvisionVersion(
                law=law,
                provision=counterpart,
                same_text=counterpart is not None and counterpart.text == provision.text,
                is_this=n == here,
            )
        )
    return entries


@dataclass
class LawComparison:
    older: Law
    newer: Law
    changes: list[Change]
    unchanged: int


def compare_laws(older: Law, newer: Law) -> LawComparison:
    """Two versions of one law, provision by provision: what changed, and how many stayed the same."""
    old, new = provision_texts(older), provision_texts(newer)
    changes = compare(old, new)
    touched = {change.new.key for change in changes if change.new is not None}
    return LawComparison(older, newer, changes, sum(1 for p in new if p.key not in touched))
