"""Import a statute corpus (../shared/data/laws or a part of it) into the library.

import_statutes(path) reads every Markdown file under path, joins the files of a law
that is split by 编 (民法典), takes level, dates and superseded versions from the
corpus index (db.sqlite3) when there is one, and writes each law, with all its
versions, in its own transaction. It compares before it writes, so a second run over
the same files changes nothing. A file that cannot be parsed, or holds a title or heading
longer than the library stores, is reported and skipped; nothing of it is written. A file
that no longer holds provisions the library has (a file cut short, say) leaves its law
untouched and is reported, unless pruning is asked for. The rest is imported all the same:
import_statutes is the one importer that imports part of what it is given (exit status 2).
"""

import datetime
import logging
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from .changes import ADDED, CHANGED, REMOVED, RENUMBERED, Change, ProvisionText, compare, provision_texts
from .models import Law, LawChange, Level, LibraryImport, Provision, ProvisionChange, Status, date_rank
from .numerals import format_key, format_label, int_to_chinese
from .parser import ParsedProvision, ParsedStatute, StatuteFormatError, parse_file, split_file_name
from .signals import library_updated

logger = logging.getLogger(__name__)

INDEX_FILE_NAME = "db.sqlite3"
# SOURCE.md and README.md describe the corpus; _index.md is a site generator's section page (laws-2024-07).
IGNORED_FILE_NAMES = {"SOURCE.md", "README.md", "_index.md"}
NATIONAL_PREFIX = "中华人民共和国"
# Folders of the corpus that name a branch of law (法律部门) rather than a level.
BRANCH_FOLDERS = {
    "宪法",
    "宪法相关法",
    "民法商法",
    "行政法",
    "经济法",
    "社会法",
    "刑法",
    "诉讼与非诉讼程序法",
}
FOLDER_BRANCH = {"民法典": "民法商法"}
FOLDER_LEVEL = {
    "宪法": Level.CONSTITUTION,
    "行政法规": Level.ADMINISTRATIVE_REGULATION,
    "司法解释": Level.JUDICIAL_INTERPRETATION,
    "部门规章": Level.DEPARTMENTAL_RULE,
    "其他": Level.OTHER,
}
FINAL_PART = "附则"
# What an import compares and updates on an existing provision.
PROVISION_FIELDS = ["text", "part", "subpart", "chapter", "section", "order", "is_repealed"]


@dataclass
class ImportReport:
    """What an import did, for the command's summary and for tests."""

    files: int = 0
    laws_created: int = 0
    laws_updated: int = 0
    laws_unchanged: int = 0
    provisions_created: int = 0
    provisions_updated: int = 0
    provisions_deleted: int = 0
    provisions_unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    # Laws left untouched because their files lack provisions the library has: (law, labels, files).
    prune_refused: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file skipped, file kept)
    warnings: list[str] = field(default_factory=list)
    # What changed in the library's current texts, law by law (saved as LawChange rows).
    law_changes: list["PendingLawChange"] = field(default_factory=list)
    library_import: LibraryImport | None = None  # the saved record of this run

    def summary(self) -> dict[str, int]:
        """The counts a LibraryImport keeps: what the update did to the library."""
        by_kind = defaultdict(int)
        provisions = defaultdict(int)
        for change in self.law_changes:
            by_kind[change.kind] += 1
            for provision_change in change.provisions:
                provisions[provision_change.kind] += 1
        return {
            "files": self.files,
            "laws_added": by_kind[LawChange.Kind.ADDED],
            "versions_added": by_kind[LawChange.Kind.NEW_VERSION],
            "laws_amended": by_kind[LawChange.Kind.AMENDED],
            "laws_repealed": by_kind[LawChange.Kind.REPEALED],
            "provisions_added": provisions[ADDED],
            "provisions_changed": provisions[CHANGED],
            "provisions_removed": provisions[REMOVED],
            "provisions_renumbered": provisions[RENUMBERED],
            "laws_unchanged": self.laws_unchanged,
            "files_skipped": len(self.skipped) + len(self.prune_refused),
        }

    @property
    def laws(self) -> int:
        return self.laws_created + self.laws_updated + self.laws_unchanged

    @property
    def provisions(self) -> int:
        return self.provisions_created + self.provisions_updated + self.provisions_unchanged

    @property
    def changed(self) -> bool:
        return bool(
            self.laws_created
            or self.laws_updated
            or self.provisions_created
            or self.provisions_updated
            or self.provisions_deleted
        )


@dataclass
class PendingLawChange:
    """A change to one law's current text, found while writing it; saved once the law is written."""

    kind: str  # LawChange.Kind
    law: Law
    previous: Law | None = None
    provisions: list[Change] = field(default_factory=list)


class WouldDeleteProvisions(Exception):
    """A law's files lack provisions the library has; deleting them takes prune=True."""

    def __init__(self, law: Law, labels: list[str]):
        super().__init__(f"{law.title}: {', '.join(labels)}")
        self.law = law
        self.labels = labels


@dataclass
class IndexEntry:
    """One row of the corpus index (db.sqlite3, table law)."""

    name: str
    level: str
    folder: str
    file_name: str
    publish: datetime.date | None
    valid_from: datetime.date | None
    expired: bool


@dataclass
class LawDraft:
    """A law version as the files say it should be, before it meets the database."""

    title: str
    promulgated_on: datetime.date | None
    effective_on: datetime.date | None
    level: str
    category: str
    expired: bool
    history: list[str]
    preamble: list[str]
    annex: list[str]
    notes: list[str]
    provisions: list[ParsedProvision]
    sources: list[str]
    status: str = Status.IN_FORCE
    is_current: bool = True

    @property
    def natural_key(self) -> tuple[str, datetime.date | None]:
        return self.title, self.promulgated_on

    def law_values(self) -> dict:
        return {
            "short_title": short_title(self.title),
            "level": self.level,
            "category": self.category,
            "status": self.status,
            "is_current": self.is_current,
            "effective_on": self.effective_on,
            "history": "\n".join(self.history),
            "preamble": "\n".join(self.preamble),
            "annex": "\n".join(self.annex),
            "notes": "\n".join(self.notes),
            "source": ", ".join(self.sources),
        }


def short_title(title: str) -> str:
    """中华人民共和国民法典 → 民法典; 关于适用《中华人民共和国民法典》… → 关于适用《民法典》…"""
    shortened = title.replace(f"《{NATIONAL_PREFIX}", "《")
    if shortened.startswith(NATIONAL_PREFIX) and len(shortened) > len(NATIONAL_PREFIX):
        shortened = shortened[len(NATIONAL_PREFIX) :]
    return shortened


# --- reading the corpus -------------------------------------------------------------


def find_corpus_root(path: Path) -> Path:
    """The folder that holds the corpus index, or the folder given (or the file's folder)."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents[:2]):
        if (folder / INDEX_FILE_NAME).is_file():
            return folder
    return start


def collect_files(folder: Path) -> list[Path]:
    return sorted(
        file
        for file in folder.rglob("*.md")
        if file.name not in IGNORED_FILE_NAMES
        and not file.is_dir()  # a folder named like a file: rglob reads what it holds
        and not any(part.startswith(".") for part in file.relative_to(folder).parts)
    )


def read_index(root: Path, report: ImportReport) -> dict[str, list[IndexEntry]]:
    """Rows of the corpus index by law name; empty when there is none or it cannot be read."""
    index_path = root / INDEX_FILE_NAME
    if not index_path.is_file():
        return {}
    try:
        connection = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT law.name, law.level, category.folder, law.filename, law.publish, law.valid_from, "
                "law.expired FROM law JOIN category ON category.id = law.category_id"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        report.warnings.append(f"{index_path}: the index cannot be read ({error}); dates come from the files")
        return {}
    by_name: dict[str, list[IndexEntry]] = defaultdict(list)
    for name, level, folder, file_name, publish, valid_from, expired in rows:
        entry = IndexEntry(
            name=name or "",
            level=level or "",
            folder=folder or "",
            file_name=file_name or "",
            publish=parse_date(publish),
            valid_from=parse_date(valid_from),
            expired=bool(expired),
        )
        by_name[entry.name].append(entry)
        if entry.file_name:
            by_name[f"{entry.folder}/{entry.file_name}"].append(entry)
    return by_name


def parse_date(value) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def match_index(index: dict[str, list[IndexEntry]], relative: Path) -> IndexEntry | None:
    """The index row of a file: by name and the date in its file name, then by folder."""
    name, file_date = split_file_name(relative)
    folder = relative.parent.as_posix()
    candidates = index.get(name) or index.get(f"{folder}/{name}") or []
    if file_date:
        candidates = [entry for entry in candidates if entry.publish == file_date] or candidates
    if len(candidates) > 1:
        candidates = [entry for entry in candidates if entry.folder == folder] or candidates
    if len(candidates) > 1:
        # Prefer the row that knows more: a dated one over an undated twin.
        candidates = sorted(candidates, key=lambda entry: (entry.publish is None, entry.valid_from is None))
    return candidates[0] if candidates else None


# --- from files to law versions -------------------------------------------------------


def promulgation_date(statute: ParsedStatute, entry: IndexEntry | None) -> datetime.date | None:
    """The date of this version: the index, then the file name, then the header's last event."""
    if entry and entry.publish:
        return entry.publish
    if statute.file_date:
        return statute.file_date
    events = [day for day, event in statute.history_dates if not is_entry_into_force(event)]
    return events[-1] if events else None


def effective_date(
    statute: ParsedStatute, entry: IndexEntry | None, promulgated_on: datetime.date | None
) -> datetime.date | None:
    """When this version took effect: the index, else a 施行 line of the header that is not older."""
    if entry and entry.valid_from:
        return entry.valid_from
    for day, event in reversed(statute.history_dates):
        if is_entry_into_force(event) and (promulgated_on is None or day >= promulgated_on):
            return day
    return None


def is_entry_into_force(event: str) -> bool:
    return event == "施行" or (event.endswith("施行") and "公布" not in event)


def level_of(folder: str, entry: IndexEntry | None) -> str:
    if entry and entry.level in Level.values:
        return entry.level
    return FOLDER_LEVEL.get(folder.split("/")[0], Level.LAW)


def branch_of(folder: str) -> str:
    top = folder.split("/")[0]
    top = FOLDER_BRANCH.get(top, top)
    return top if top in BRANCH_FOLDERS else ""


def draft_from_file(statute: ParsedStatute, relative: Path, entry: IndexEntry | None) -> LawDraft:
    folder = relative.parent.as_posix()
    promulgated_on = promulgation_date(statute, entry)
    return LawDraft(
        title=statute.title,
        promulgated_on=promulgated_on,
        effective_on=effective_date(statute, entry, promulgated_on),
        level=level_of(folder, entry),
        category=branch_of(folder),
        expired=bool(entry and entry.expired),
        history=statute.history,
        preamble=statute.preamble,
        annex=statute.annex,
        notes=statute.notes,
        provisions=statute.provisions,
        sources=[relative.as_posix()],
    )


def merge_parts(parts: list[tuple[ParsedStatute, LawDraft]]) -> LawDraft:
    """Join the files of a law split by 编 into one law, the 编 in the order of their 条.

    The files name their 编 plainly (总则, 物权编); the merged law numbers them as the
    official text does (第一编 总则, 第二编 物权 …, 附则).
    """
    parts = sorted(parts, key=lambda pair: pair[0].provisions[0].number if pair[0].provisions else 0)
    merged = parts[0][1]
    numbered = 0
    provisions: list[ParsedProvision] = []
    seen: dict[tuple[int, int], str] = {}
    for statute, draft in parts:
        part_name = statute.part_title
        if part_name != FINAL_PART:
            numbered += 1
            part_name = f"第{int_to_chinese(numbered)}编 {part_name.removesuffix('编')}"
        for provision in statute.provisions:
            key = (provision.number, provision.suffix)
            if key in seen:
                raise StatuteFormatError(
                    f"{provision.label} is in both {seen[key]} and {draft.sources[0]}", line=provision.line
                )
            seen[key] = draft.sources[0]
            if provision.part == statute.part_title:
                provision.part = part_name
            provisions.append(provision)
    return LawDraft(
        title=merged.title,
        promulgated_on=merged.promulgated_on,
        effective_on=merged.effective_on,
        level=merged.level,
        category=merged.category,
        expired=merged.expired,
        history=merged.history,
        preamble=[line for _, draft in parts for line in draft.preamble],
        annex=[line for _, draft in parts for line in draft.annex],
        notes=[line for _, draft in parts for line in draft.notes],
        provisions=provisions,
        sources=[source for _, draft in parts for source in draft.sources],
    )


def build_drafts(
    files: Iterable[Path], root: Path, index: dict[str, list[IndexEntry]], report: ImportReport
) -> list[LawDraft]:
    """Parse the files and turn them into one draft per law version."""
    groups: dict[tuple, list[tuple[ParsedStatute, LawDraft, IndexEntry | None]]] = defaultdict(list)
    for path in files:
        relative = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
        report.files += 1
        try:
            statute = parse_file(path)
        except StatuteFormatError as error:
            report.skipped.append((relative.as_posix(), str(error)))
            continue
        except OSError as error:
            reason = (
                "is a folder, not a file" if path.is_dir() else f"cannot be read: {error.strerror or error}"
            )
            report.skipped.append((relative.as_posix(), reason))
            continue
        too_long = length_problem(statute)
        if too_long:
            report.skipped.append((relative.as_posix(), too_long))
            continue
        entry = match_index(index, relative)
        draft = draft_from_file(statute, relative, entry)
        groups[draft.natural_key].append((statute, draft, entry))

    drafts = []
    for members in groups.values():
        split_in_parts = len(members) > 1 and all(statute.part_title for statute, _, _ in members)
        if split_in_parts:
            try:
                drafts.append(merge_parts([(statute, draft) for statute, draft, _ in members]))
            except StatuteFormatError as error:
                for _, draft, _ in members:
                    report.skipped.append((draft.sources[0], str(error)))
            continue
        kept = preferred_copy(members)
        drafts.append(kept[1])
        for _, draft, _ in members:
            if draft is not kept[1]:
                report.duplicates.append((draft.sources[0], kept[1].sources[0]))
    return drafts


def length_problem(statute: ParsedStatute) -> str | None:
    """Why the file does not fit the library's columns (a title or heading too long), or None.

    SQLite would store it all the same and PostgreSQL refuse it: said the same on both, by line.
    """
    limit = Law._meta.get_field("title").max_length
    if len(statute.title) > limit:
        return f"the title is longer than {limit} characters ({len(statute.title)})"
    for provision in statute.provisions:
        for name in ("part", "subpart", "chapter", "section"):
            limit = Provision._meta.get_field(name).max_length
            value = getattr(provision, name)
            if len(value) > limit:
                return (
                    f"line {provision.line}: the {name} heading of {provision.label} is longer than "
                    f"{limit} characters ({len(value)})"
                )
        for name, value in (
            ("label", provision.label),
            ("key", format_key(provision.number, provision.suffix)),
        ):
            if len(value) > Provision._meta.get_field(name).max_length:
                return f"line {provision.line}: {provision.label} is numbered past what the library stores"
    return None


def preferred_copy(members):
    """Of several files of the same version, the one in the folder the index names, else the first."""
    for member in members:
        _, draft, entry = member
        if entry and Path(draft.sources[0]).parent.as_posix() == entry.folder:
            return member
    return members[0]


def assign_versions(drafts: list[LawDraft], existing: list[Law], today: datetime.date) -> None:
    """Mark the latest version of each title current, with its status; older ones 已修改."""
    latest = {}
    for version in (*drafts, *existing):
        key = version.title
        if key not in latest or date_rank(version.promulgated_on) > date_rank(latest[key]):
            latest[key] = version.promulgated_on
    for draft in drafts:
        draft.is_current = draft.promulgated_on == latest[draft.title]
        if not draft.is_current:
            draft.status = Status.AMENDED
        elif draft.expired:
            draft.status = Status.REPEALED
        elif draft.effective_on and draft.effective_on > today:
            draft.status = Status.NOT_YET_IN_FORCE
        else:
            draft.status = Status.IN_FORCE


# --- writing ------------------------------------------------------------------------


def import_statutes(
    path: Path | str,
    *,
    today: datetime.date | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    prune: bool = False,
) -> ImportReport:
    """Import a corpus folder or a single file. Returns what was done.

    prune: delete the provisions of a law that its files no longer hold; without it such a law
    is left as it is and reported (report.prune_refused).
    """
    path = Path(path)
    report = ImportReport()
    if not path.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    today = today or timezone.localdate()
    root = find_corpus_root(path)
    files = with_sibling_parts(path) if path.is_file() else collect_files(path)
    index = read_index(root, report)
    drafts = build_drafts(files, root, index, report)

    by_title: dict[str, list[LawDraft]] = defaultdict(list)
    for draft in drafts:
        by_title[draft.title].append(draft)
    existing_by_title: dict[str, list[Law]] = defaultdict(list)
    for law in Law.objects.all():
        if law.title in by_title:
            existing_by_title[law.title].append(law)

    # The run's record first: a run stopped midway leaves it unfinished, with what it wrote explained.
    record = LibraryImport.objects.create(source=str(path)[:500], started_at=timezone.now())
    titles = sorted(by_title)
    for done, title in enumerate(titles, start=1):
        versions = sorted(by_title[title], key=lambda draft: date_rank(draft.promulgated_on))
        existing = existing_by_title[title]
        assign_versions(versions, existing, today)
        try:
            with transaction.atomic():
                counts, changes = write_law_versions(versions, existing, prune=prune)
                save_law_changes(record, changes)
        except WouldDeleteProvisions as refused:
            version = refused.law.promulgated_on.isoformat() if refused.law.promulgated_on else "?"
            sources = [source for draft in versions for source in draft.sources]
            report.prune_refused.append((f"{refused.law.title} ({version})", refused.labels, sources))
        except (IntegrityError, ProtectedError, DatabaseError) as error:
            reason = describe_write_error(error)
            for draft in versions:
                for source in draft.sources:
                    report.skipped.append((source, reason))
        else:
            for name, value in counts.items():
                setattr(report, name, getattr(report, name) + value)
            report.law_changes.extend(changes)
        if progress:
            progress(done, len(titles), title)
    report.library_import = finish_import(record, report)
    return report


def finish_import(record: LibraryImport, report: ImportReport) -> LibraryImport:
    """The run's record completed with its counts and problems (its changes were saved law by law)."""
    problems = [f"{source}: {why}" for source, why in report.skipped]
    problems += [
        f"{law}: its files lack {', '.join(labels[:5])} (not written; --prune deletes them)"
        for law, labels, _sources in report.prune_refused
    ]
    problems += report.warnings
    record.summary = report.summary()
    record.problems = problems
    record.finished_at = timezone.now()
    record.save(update_fields=["summary", "problems", "finished_at"])
    library_updated.send(sender=LibraryImport, record=record)
    return record


def save_law_changes(record: LibraryImport, changes: list[PendingLawChange]) -> None:
    """Each change to a law's current text, with its provisions' changes, in the law's transaction."""
    referenced = {
        side.pk
        for change in changes
        for provision in change.provisions
        for side in (provision.old, provision.new)
        if side
    }
    # A provision removed from an amended text was deleted (unless cited): its text stays in the report.
    alive = (
        set(Provision.objects.filter(pk__in=referenced).values_list("pk", flat=True)) if referenced else set()
    )

    def kept(side: ProvisionText | None) -> int | None:
        return side.pk if side is not None and side.pk in alive else None

    for change in changes:
        row = LawChange.objects.create(
            library_import=record, law=change.law, previous=change.previous, kind=change.kind
        )
        ProvisionChange.objects.bulk_create(
            [
                ProvisionChange(
                    law_change=row,
                    kind=provision.kind,
                    old_provision_id=kept(provision.old),
                    new_provision_id=kept(provision.new),
                    old_label=provision.old.label if provision.old else "",
                    new_label=provision.new.label if provision.new else "",
                    old_text=provision.old.text if provision.old else "",
                    new_text=provision.new.text if provision.new else "",
                    similarity=round(provision.similarity, 3),
                )
                for provision in change.provisions
            ],
            batch_size=500,
        )


def with_sibling_parts(path: Path) -> list[Path]:
    """A single file of a law split by 编 comes with its sibling parts, so none is lost."""
    try:
        statute = parse_file(path)
    except StatuteFormatError:
        return [path]
    if not statute.part_title:
        return [path]
    siblings = []
    for candidate in sorted(path.parent.glob("*.md")):
        try:
            with candidate.open(encoding="utf-8-sig") as handle:
                first_line = handle.readline().strip()
        except (OSError, UnicodeDecodeError):
            continue
        if first_line == f"# {statute.title}":
            siblings.append(candidate)
    return siblings or [path]


def describe_write_error(error: Exception) -> str:
    if isinstance(error, ProtectedError):
        cited = ", ".join(sorted({str(obj) for obj in error.protected_objects})[:5])
        return f"not written: it would delete provisions that articles cite ({cited})"
    return f"not written: the database refused it ({error})"


def write_law_versions(
    versions: list[LawDraft], existing: list[Law], *, prune: bool = False
) -> tuple[dict[str, int], list[PendingLawChange]]:
    """Write all versions of one title; the caller holds the transaction.

    Returns the counts, and what changed in the title's current text: a new law, a new version
    (compared with the version it replaces), the current text amended in place, or the law repealed.
    """
    counts = defaultdict(int)
    changes: list[PendingLawChange] = []
    existing_by_key = {(law.title, law.promulgated_on): law for law in existing}
    drafted_keys = {draft.natural_key for draft in versions}
    previous_current = next((law for law in existing if law.is_current), None)
    # Whether the title was in force before this import (a law new to the library and already
    # expired in the snapshot is added, not "repealed").
    was_in_force = previous_current is not None and previous_current.status != Status.REPEALED

    # A drafted current version is the latest of all, so any other row still marked
    # current (from an earlier import) steps down first: only one row per title may be
    # current at any moment, and the drafts losing "current" are written before the
    # one gaining it for the same reason.
    if any(draft.is_current for draft in versions):
        for law in existing:
            if law.is_current and (law.title, law.promulgated_on) not in drafted_keys:
                law.is_current = False
                law.status = Status.AMENDED
                law.save(update_fields=["is_current", "status"])
                counts["laws_updated"] += 1
    for draft in sorted(versions, key=lambda draft: draft.is_current):
        law = existing_by_key.get(draft.natural_key)
        values = draft.law_values()
        created = law is None
        if created:
            law = Law.objects.create(title=draft.title, promulgated_on=draft.promulgated_on, **values)
            counts["laws_created"] += 1
        elif any(getattr(law, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(law, name, value)
            law.save(update_fields=list(values))
            counts["laws_updated"] += 1
        else:
            counts["laws_unchanged"] += 1
        synced = sync_provisions(law, draft.provisions, is_new=created, prune=prune)
        for name, value in synced.counts.items():
            counts[name] += value
        if not draft.is_current:
            continue  # an older version arriving late: the current text is not touched
        if created and previous_current is None:
            changes.append(PendingLawChange(LawChange.Kind.ADDED, law))
        elif created:
            before = provision_texts(previous_current)
            changes.append(
                PendingLawChange(
                    LawChange.Kind.NEW_VERSION, law, previous_current, compare(before, synced.after)
                )
            )
        elif synced.before is not None:
            changes.append(
                PendingLawChange(LawChange.Kind.AMENDED, law, provisions=compare(synced.before, synced.after))
            )
        if law.status == Status.REPEALED and was_in_force:
            changes.append(PendingLawChange(LawChange.Kind.REPEALED, law, previous_current))
    return counts, changes


@dataclass
class SyncedProvisions:
    counts: dict[str, int]
    after: list[ProvisionText]  # the law's provisions as written, in order
    before: list[ProvisionText] | None = None  # as they were, when an existing law's changed


def sync_provisions(
    law: Law, parsed: list[ParsedProvision], *, is_new: bool, prune: bool = False
) -> "SyncedProvisions":
    """Make the law's provisions match the parsed ones: create, update and (with prune) delete.

    Raises WouldDeleteProvisions when provisions are gone from the file and prune is not set:
    a file cut short must not silently shrink the library.
    """
    existing = {} if is_new else {(row.number, row.suffix): row for row in law.provisions.all()}
    # As they were, for the change report (kept before the rows below are changed in memory).
    before = sorted(existing.values(), key=lambda row: row.order)
    before = [ProvisionText.of(row) for row in before]
    to_create, to_update, in_order = [], [], []
    unchanged = 0
    for order, provision in enumerate(parsed, start=1):
        values = {
            "text": provision.text,
            "part": provision.part,
            "subpart": provision.subpart,
            "chapter": provision.chapter,
            "section": provision.section,
            "order": order,
            "is_repealed": provision.is_repealed,
        }
        row = existing.pop((provision.number, provision.suffix), None)
        if row is None:
            row = Provision(
                law=law,
                number=provision.number,
                suffix=provision.suffix,
                label=format_label(provision.number, provision.suffix),
                key=format_key(provision.number, provision.suffix),
                **values,
            )
            to_create.append(row)
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            to_update.append(row)
        else:
            unchanged += 1
        in_order.append(row)
    if existing and not prune:
        gone = sorted(existing.values(), key=lambda row: row.order)
        raise WouldDeleteProvisions(law, [row.label or row.key for row in gone])
    kept = []
    if existing:
        # Provisions gone from the file. One that an article cites is never deleted: it keeps its
        # old text, marked 已删去, so the article's citation still lands (and is flagged).
        gone = Provision.objects.filter(pk__in=[row.pk for row in existing.values()])
        kept = list(gone.filter(citations__isnull=False).distinct())
        for row in kept:
            row.is_repealed = True
        Provision.objects.bulk_update(kept, ["is_repealed"])
        gone.exclude(pk__in=[row.pk for row in kept]).delete()
    if to_update:
        # Orders may swap between rows; no constraint covers order, so one pass suffices.
        Provision.objects.bulk_update(to_update, PROVISION_FIELDS, batch_size=500)
    if to_create:
        Provision.objects.bulk_create(to_create, batch_size=500)
    counts = {
        "provisions_created": len(to_create),
        "provisions_updated": len(to_update),
        "provisions_deleted": len(existing) - len(kept),
        "provisions_unchanged": unchanged,
    }
    after = [ProvisionText.of(row) for row in in_order]
    changed = not is_new and (to_create or to_update or existing)
    return SyncedProvisions(counts, after, before if changed else None)
