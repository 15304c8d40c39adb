"""The whole national corpus (../shared/data/laws), imported twice. Slow: about half a minute."""

import re
from collections import defaultdict
from pathlib import Path

import pytest

from statutes.importer import import_statutes
from statutes.models import Law, Provision

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "laws"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.django_db,
    pytest.mark.skipif(
        not (CORPUS / "db.sqlite3").is_file(),
        reason=f"the statute corpus is not beside the checkout ({CORPUS}); CI has it there",
    ),
]


def current(short_title):
    return Law.objects.current().get(short_title=short_title)


def test_the_whole_corpus_imports_with_the_known_counts_twice():
    first = import_statutes(CORPUS)
    assert not first.skipped, first.skipped

    civil_code = Law.objects.filter(short_title="民法典")
    assert civil_code.count() == 1
    assert civil_code.get().is_current
    assert civil_code.get().provisions.count() == 1260
    assert sorted(civil_code.get().provisions.values_list("number", flat=True)) == list(range(1, 1261))

    criminal_law = current("刑法")
    labels = set(criminal_law.provisions.values_list("label", flat=True))
    assert {"第二百五十三条之一", "第二百九十三条之一", "第一百二十条之六"} <= labels
    assert criminal_law.provisions.get(key="199").is_repealed

    telecom = current("电信条例")
    assert telecom.provisions.count() == 80
    assert "通信秘密" in telecom.provisions.get(key="65").text
    assert "交纳电信费用" in telecom.provisions.get(key="34").text
    assert telecom.provisions.get(key="80").text == "本条例自公布之日起施行。"
    # The annex (电信业务分类目录 and its lists) is kept beside the provisions, not in 第八十条.
    assert not telecom.provisions.filter(text__contains="固定网络国内长途及本地电话业务").exists()
    assert telecom.annex.startswith("附：\n电信业务分类目录")

    assert current("互联网信息服务管理办法").provisions.count() == 27
    assert current("个人信息保护法").provisions.count() == 74
    assert Provision.objects.count() >= 64_000

    titles = Law.objects.values("title").distinct().count()
    assert Law.objects.current().count() == titles

    second = import_statutes(CORPUS)
    assert not second.changed
    assert (second.laws, second.provisions) == (first.laws, first.provisions)


EARLIER = CORPUS.parent / "laws-2024-07"
FILE_DATE_RE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)(?:\.md)?$")


def versions_in(snapshot: Path) -> dict[str, set[str]]:
    """Each title of a snapshot and the dates of its versions, read from the files themselves."""
    versions = defaultdict(set)
    for path in snapshot.rglob("*.md"):
        if path.name in ("SOURCE.md", "README.md", "_index.md"):
            continue
        first_line = path.read_text(encoding="utf-8-sig").split("\n", 1)[0]
        title = first_line.removeprefix("# ").strip()
        dated = FILE_DATE_RE.search(path.stem + ".md")
        versions[title].add(dated.group(1) if dated else "")
    return versions


@pytest.mark.skipif(
    not EARLIER.is_dir(), reason=f"the earlier snapshot is not beside the checkout ({EARLIER})"
)
def test_the_earlier_snapshot_then_the_current_one_is_an_update_with_the_counts_of_the_files():
    import_statutes(EARLIER)
    report = import_statutes(CORPUS)
    summary = report.library_import.summary
    before, after = versions_in(EARLIER), versions_in(CORPUS)
    new_titles = set(after) - set(before)
    newer_versions = {title for title in set(after) & set(before) if max(after[title]) > max(before[title])}
    assert summary["laws_added"] == len(new_titles)
    assert summary["versions_added"] == len(newer_versions)
    assert "中华人民共和国能源法" in new_titles
    # Every earlier version is kept, not current; each new version was compared with it.
    relics = Law.objects.filter(title="中华人民共和国文物保护法")
    assert relics.count() >= 2 and relics.get(is_current=True).promulgated_on.isoformat() == "2024-11-08"
    changed = report.library_import.law_changes.get(law__title="中华人民共和国文物保护法", kind="new_version")
    assert changed.previous is not None and changed.provision_changes.exists()
    # The same snapshot again: nothing changes, and the report says so.
    again = import_statutes(CORPUS)
    assert not again.library_import.changed and not again.library_import.law_changes.exists()
