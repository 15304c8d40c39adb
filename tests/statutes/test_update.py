"""Re-importing a newer snapshot is an update: new laws and versions, amendments in place, repeals,
and per provision what was added, changed, removed or renumbered, saved as the import's report."""

import datetime

import pytest
from django.urls import reverse

from statutes.importer import import_statutes
from statutes.models import Law, LawChange, LibraryImport, Provision, ProvisionChange, Status
from tests.helpers import make_article, run_command, write_index, write_statute

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)
TELECOM = "中华人民共和国电信条例"
REVIEW = "中华人民共和国行政复议法"


def first_snapshot(root):
    write_statute(
        root,
        "行政法规/电信条例(2016-02-06).md",
        TELECOM,
        "第一条 为了规范电信市场秩序，制定本条例。\n\n"
        "第二条 电信用户依法使用电信的自由和通信秘密受法律保护。\n\n"
        "第三条 电信业务经营者应当为电信用户提供迅速、准确、安全、方便和价廉的电信服务。",
    )
    write_statute(
        root,
        "行政法/行政复议法(2017-09-01).md",
        REVIEW,
        "第一条 为了防止和纠正违法的或者不当的具体行政行为，制定本法。\n\n"
        "第二条 公民认为具体行政行为侵犯其合法权益，向行政机关提出行政复议申请。\n\n"
        "第三条 依照本法履行行政复议职责的行政机关是行政复议机关。",
    )
    write_statute(
        root, "行政法规/旧条例(2001-01-01).md", "旧条例", "第一条 旧的规定。\n\n第二条 另一条旧的规定。"
    )
    write_index(root, rows(expired_old=False))


def rows(*, expired_old):
    return [
        {"name": "电信条例", "level": "行政法规", "folder": "行政法规", "publish": "2016-02-06"},
        {"name": "行政复议法", "level": "法律", "folder": "行政法", "publish": "2017-09-01"},
        {
            "name": "旧条例",
            "level": "行政法规",
            "folder": "行政法规",
            "publish": "2001-01-01",
            "expired": expired_old,
        },
    ]


def second_snapshot(root):
    """The same corpus later: the 电信条例 amended in place, a new 行政复议法 beside the old one,
    the 旧条例 repealed and a new law, 能源法."""
    write_statute(
        root,
        "行政法规/电信条例(2016-02-06).md",
        TELECOM,
        "第一条 为了规范电信市场秩序，维护电信用户和电信业务经营者的合法权益，制定本条例。\n\n"
        "第二条 电信用户依法使用电信的自由和通信秘密受法律保护。\n\n"
        "第三条 电信业务经营者应当为电信用户提供迅速、准确、安全、方便和价廉的电信服务。\n\n"
        "第四条 新增的一条：电信业务经营者应当建立健全用户信息保护制度。",
    )
    write_statute(
        root,
        "行政法/行政复议法(2023-09-01).md",
        REVIEW,
        "第一条 为了防止和纠正违法的或者不当的行政行为，保护公民的合法权益，制定本法。\n\n"
        "第二条 行政复议坚持中国共产党的领导，这是新插入的一条，与旧文完全不同。\n\n"
        "第三条 公民认为具体行政行为侵犯其合法权益，向行政机关提出行政复议申请。\n\n"
        "第四条 依照本法履行行政复议职责的行政机关是行政复议机关。",
    )
    write_statute(
        root,
        "经济法/能源法(2024-11-08).md",
        "中华人民共和国能源法",
        "第一条 为了推动能源高质量发展，制定本法。",
    )
    (root / "db.sqlite3").unlink()
    write_index(
        root,
        rows(expired_old=True)
        + [
            {"name": "行政复议法", "level": "法律", "folder": "行政法", "publish": "2023-09-01"},
            {"name": "能源法", "level": "法律", "folder": "经济法", "publish": "2024-11-08"},
        ],
    )


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "laws"
    root.mkdir()
    first_snapshot(root)
    return root


def changes_of(record, title):
    (change,) = [
        c for c in record.law_changes.all() if c.law.title == title and c.kind != LawChange.Kind.REPEALED
    ]
    return [(p.kind, p.old_label, p.new_label) for p in change.provision_changes.order_by("pk")], change


def test_a_newer_snapshot_is_reported_law_by_law_and_provision_by_provision(corpus):
    import_statutes(corpus, today=TODAY)
    old_review = Law.objects.get(title=REVIEW)
    second_snapshot(corpus)
    report = import_statutes(corpus, today=TODAY)
    record = report.library_import
    assert record.finished_at is not None
    assert record.summary | {} == record.summary  # a plain dict, saved
    assert {
        name: record.summary[name]
        for name in ("laws_added", "versions_added", "laws_amended", "laws_repealed")
    } == {
        "laws_added": 1,
        "versions_added": 1,
        "laws_amended": 1,
        "laws_repealed": 1,
    }

    # A new version beside the old one, compared with it: 第二条 inserted, the rest renumbered.
    review, change = changes_of(record, REVIEW)
    assert change.kind == LawChange.Kind.NEW_VERSION and change.previous == old_review
    assert review == [
        ("changed", "第一条", "第一条"),
        ("added", "", "第二条"),
        ("renumbered", "第二条", "第三条"),
        ("renumbered", "第三条", "第四条"),
    ]
    old_review.refresh_from_db()
    assert not old_review.is_current and old_review.status == Status.AMENDED
    assert old_review.provisions.count() == 3  # the earlier version is kept whole

    # Amended in place: one provision reworded, one added.
    telecom, change = changes_of(record, TELECOM)
    assert change.kind == LawChange.Kind.AMENDED
    assert telecom == [("changed", "第一条", "第一条"), ("added", "", "第四条")]
    reworded = change.provision_changes.get(kind="changed")
    assert "维护电信用户" in reworded.new_text and "维护电信用户" not in reworded.old_text

    repealed = Law.objects.get(title="旧条例")
    assert repealed.status == Status.REPEALED
    assert record.law_changes.filter(law=repealed, kind=LawChange.Kind.REPEALED).exists()
    assert record.law_changes.filter(law__title="中华人民共和国能源法", kind=LawChange.Kind.ADDED).exists()
    assert record.summary["provisions_renumbered"] == 2 and record.summary["provisions_added"] == 2


def test_the_same_snapshot_again_changes_nothing_and_says_so(corpus):
    import_statutes(corpus, today=TODAY)
    second_snapshot(corpus)
    import_statutes(corpus, today=TODAY)
    before = (Law.objects.count(), Provision.objects.count(), ProvisionChange.objects.count())
    code, out, _err = run_command("import_statutes", str(corpus))
    assert code == 0 and "Nothing changed" in out and "Library update" not in out
    assert (Law.objects.count(), Provision.objects.count(), ProvisionChange.objects.count()) == before
    latest = LibraryImport.objects.first()
    assert not latest.changed and not latest.law_changes.exists()


def test_the_command_prints_the_update_and_where_its_report_is_kept(corpus):
    run_command("import_statutes", str(corpus))
    second_snapshot(corpus)
    code, out, _err = run_command("import_statutes", str(corpus))
    record = LibraryImport.objects.first()
    assert code == 0
    assert "Library update: 1 new laws, 1 new versions, 1 amended in place, 1 repealed" in out
    assert f"新版本 {REVIEW}（2023-09-01）" in out and f"法库更新 #{record.pk}" in out


def test_a_cited_provision_gone_from_its_file_is_kept_with_its_old_text_when_pruning(corpus):
    import_statutes(corpus, today=TODAY)
    cited = Provision.objects.get(law__title=TELECOM, key="3")
    make_article(cites=[cited])
    write_statute(
        corpus,
        "行政法规/电信条例(2016-02-06).md",
        TELECOM,
        "第一条 为了规范电信市场秩序，制定本条例。\n\n第二条 电信用户依法使用电信的自由和通信秘密受法律保护。",
    )
    report = import_statutes(corpus, today=TODAY, prune=True)
    cited.refresh_from_db()
    assert cited.is_repealed and "价廉" in cited.text
    telecom, _change = changes_of(report.library_import, TELECOM)
    assert telecom == [("removed", "第三条", "")]


def test_editors_read_each_import_with_its_report_in_the_admin(corpus, editor_client):
    import_statutes(corpus, today=TODAY)
    second_snapshot(corpus)
    record = import_statutes(corpus, today=TODAY).library_import
    listing = editor_client.get(reverse("admin:statutes_libraryimport_changelist")).content.decode()
    assert "有更新" in listing and "新法 1，新版本 1，修改 1，废止 1" in listing
    page = editor_client.get(reverse("admin:statutes_libraryimport_change", args=[record.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "新版本：" in html and REVIEW in html and "条号变动" in html
    assert "维护电信用户和电信业务经营者的合法权益" in html  # the new text beside the old
    assert editor_client.get(reverse("admin:statutes_libraryimport_add")).status_code == 403


def test_a_first_import_lists_its_laws_as_new_and_none_as_repealed(tmp_path):
    root = tmp_path / "laws"
    root.mkdir()
    first_snapshot(root)
    (root / "db.sqlite3").unlink()
    write_index(root, rows(expired_old=True))  # already expired when it first arrives
    summary = import_statutes(root, today=TODAY).library_import.summary
    assert summary["laws_added"] == 3 and summary["laws_repealed"] == 0


def test_a_first_import_counts_its_new_laws_instead_of_listing_each(corpus, monkeypatch):
    from statutes.management.commands import import_statutes as command

    monkeypatch.setattr(command, "MAX_LISTED_NEW_LAWS", 2)
    _code, out, _err = run_command("import_statutes", str(corpus))
    assert "3 new laws (listed in the report)." in out and "新法 " not in out
