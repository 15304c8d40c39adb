"""What changed between two versions of a law's text, provision by provision (修订对照's counts).

Pure: lists of provisions in, a list of changes out. A provision is matched by its number and by
its text, so that a 条 moved from 第三十四条 to 第三十五条 by an insertion before it is
"renumbered", not "removed" and "added"; one whose words changed at the same number is "changed".
The importer (statutes.importer) calls it for every law whose current text an update touched.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher

ADDED, CHANGED, REMOVED, RENUMBERED = "added", "changed", "removed", "renumbered"
KIND_LABELS = {ADDED: "新增", CHANGED: "修改", REMOVED: "删除", RENUMBERED: "条号变动"}

# The same number with text at least this similar: the same provision, changed.
SAME_NUMBER_SIMILARITY = 0.6
# Another number with text at least this similar: the same provision, moved (and maybe changed).
MOVED_SIMILARITY = 0.8


@dataclass(frozen=True)
class ProvisionText:
    """One provision as compared: its key in the law's URLs (orders the numbers), its label and text."""

    key: str
    label: str
    text: str
    pk: int | None = None

    @classmethod
    def of(cls, row) -> "ProvisionText":
        """A provision row (statutes.models.Provision) as compared."""
        return cls(row.key, row.label, row.text, row.pk)


def provision_texts(law) -> list[ProvisionText]:
    """A law version's provisions as compared, in reading order (one query)."""
    return [ProvisionText.of(row) for row in law.provisions.order_by("order").only("key", "label", "text")]


@dataclass(frozen=True)
class Change:
    kind: str
    old: ProvisionText | None
    new: ProvisionText | None
    similarity: float = 0.0

    @property
    def text_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.text != self.new.text


def similarity(a: str, b: str) -> float:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if (
        matcher.real_quick_ratio() < MOVED_SIMILARITY * 0.5
        or matcher.quick_ratio() < SAME_NUMBER_SIMILARITY * 0.5
    ):
        return matcher.quick_ratio() * 0.5  # far apart: no need to be exact
    return matcher.ratio()


def compare(old: list[ProvisionText], new: list[ProvisionText]) -> list[Change]:
    """The changes from old to new, in the new text's order (removed ones last, in the old order).

    Matching, each pass over what the earlier ones left:
    1. the same number and the same text: unchanged (not listed);
    2. the same text at another number: renumbered;
    3. the same number, a similar text: changed;
    4. a similar text at another number: renumbered (its text changed too);
    5. the same number, whatever the text: changed (rewritten);
    then what is left of the new text was added, and of the old one removed.
    """
    old_left = {provision.key: provision for provision in old}
    new_left = {provision.key: provision for provision in new}
    matched: dict[str, Change] = {}  # by the new provision's key

    def pair(kind: str, before: ProvisionText, after: ProvisionText, score: float) -> None:
        del old_left[before.key], new_left[after.key]
        if kind:
            matched[after.key] = Change(kind, before, after, score)

    for key, after in list(new_left.items()):
        before = old_left.get(key)
        if before is not None and before.text == after.text:
            pair("", before, after, 1.0)
    by_text: dict[str, list[ProvisionText]] = {}
    for before in old_left.values():
        by_text.setdefault(before.text, []).append(before)
    for after in list(new_left.values()):
        candidates = by_text.get(after.text)
        if candidates:
            pair(RENUMBERED, candidates.pop(0), after, 1.0)
    for key, after in list(new_left.items()):
        before = old_left.get(key)
        if before is not None:
            score = similarity(before.text, after.text)
            if score >= SAME_NUMBER_SIMILARITY:
                pair(CHANGED, before, after, score)
    for after in list(new_left.values()):
        scored = [(similarity(before.text, after.text), before) for before in old_left.values()]
        scored = [(score, before) for score, before in scored if score >= MOVED_SIMILARITY]
        if scored:
            score, before = max(scored, key=lambda item: item[0])
            pair(RENUMBERED, before, after, score)
    for key, after in list(new_left.items()):
        before = old_left.get(key)
        if before is not None:
            pair(CHANGED, before, after, similarity(before.text, after.text))

    changes = []
    for after in new:
        if after.key in matched:
            changes.append(matched[after.key])
        elif after.key in new_left:
            changes.append(Change(ADDED, None, after))
    changes.extend(Change(REMOVED, before, None) for before in old if before.key in old_left)
    return changes
