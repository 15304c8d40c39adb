"""The importer on small corpora written for each case: merging, versions, idempotence, broken files."""

import datetime
import subprocess
import sys

import pytest

from statutes.importer import import_statutes
from statutes.models import Law, Provision, Status
from tests.helpers import run_command as run
from tests.helpers import write_index, write_statute
from tests.processes import ROOT

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "laws"
    root.mkdir()
    return root


def write_civil_code(root):
    history = "2020年5月28日 第十三届全国人民代表大会第三次会议通过\n\n2021年1月1日 施行"
    write_statute(
        root,
        "民法典/总则.md",
        "中华人民共和国民法典",
        "## 第一章 基本规定\n\n第一条 甲。\n\n第二条 乙。",
        part="总则",
        history=history,
    )
    write_statute(
        root,
        "民法典/人格权编.md",
        "中华人民共和国民法典",
        "## 第六章  隐私权和个人信息保护\n\n第一千零三十二条 自然人享有隐私权。\n\n第一千零三十三条 除外。",
        part="人格权编",
        history=history,
    )
    write_statute(
        root,
        "民法典/附则.md",
        "中华人民共和国民法典",
        "##\n\n第一千二百六十条 本法自2021年1月1日起施行。",
        part="附则",
        history=history,
    )


class TestMerging:
    def test_the_parts_of_a_split_law_become_one_law(self, corpus):
        write_civil_code(corpus)
        report = import_statutes(corpus, today=TODAY)
        assert report.laws == 1 and report.provisions == 5
        law = Law.objects.get()
        assert law.title == "中华人民共和国民法典" and law.short_title == "民法典"
        assert law.is_current and law.status == Status.IN_FORCE
        assert law.promulgated_on == datetime.date(2020, 5, 28)
        assert law.effective_on == datetime.date(2021, 1, 1)
        provisions = list(law.provisions.order_by("order"))
        assert [p.key for p in provisions] == ["1", "2", "1032", "1033", "1260"]
        privacy = provisions[2]
        assert privacy.headings == ["第二编 人格权", "第六章 隐私权和个人信息保护"]
        assert privacy.label == "第一千零三十二条"
        assert provisions[0].part == "第一编 总则"
        assert provisions[-1].part == "附则"

    def test_importing_one_part_brings_its_sibling_parts(self, corpus):
        write_civil_code(corpus)
        import_statutes(corpus / "民法典" / "人格权编.md", today=TODAY)
        assert Law.objects.get().provisions.count() == 5


class TestIndex:
    def test_level_dates_and_versions_come_from_the_index(self, corpus):
        write_statute(
            corpus,
            "行政法规/电信条例(2016-02-06).md",
            "中华人民共和国电信条例",
            "第六十五条 通信秘密受法律保护。",
            history="2000年9月25日 国务院令第291号公布",
        )
        write_statute(corpus, "经济法/公司法(2018-10-26).md", "中华人民共和国公司法", "第一条 旧。")
        write_statute(
            corpus, "经济法/公司法(2023-12-29).md", "中华人民共和国公司法", "第一条 新。\n\n第二条 新增。"
        )
        write_statute(corpus, "司法解释/旧解释(2001-04-16).md", "旧解释", "第一条 废。")
        write_index(
            corpus,
            [
                {"name": "电信条例", "level": "行政法规", "folder": "行政法规", "publish": "2016-02-06"},
                {
                    "name": "公司法",
                    "level": "法律",
                    "folder": "经济法",
                    "publish": "2018-10-26",
                    "valid_from": "2018-10-26",
                },
                {
                    "name": "公司法",
                    "level": "法律",
                    "folder": "经济法",
                    "publish": "2023-12-29",
                    "valid_from": "2024-07-01",
                },
                {
                    "name": "旧解释",
                    "level": "司法解释",
                    "folder": "司法解释",
                    "publish": "2001-04-16",
                    "expired": True,
                },
            ],
        )
        import_statutes(corpus, today=TODAY)
        telecom = Law.objects.get(short_title="电信条例")
        # The header lacks the 2016 revision: the index's date wins over the header's.
        assert telecom.promulgated_on == datetime.date(2016, 2, 6)
        assert telecom.level == "行政法规"
        old, new = Law.objects.filter(short_title="公司法").order_by("promulgated_on")
        assert (old.is_current, old.status) == (False, Status.AMENDED)
        assert (new.is_current, new.status) == (True, Status.IN_FORCE)
        assert new.effective_on == datetime.date(2024, 7, 1)
        assert new.category == "经济法"
        assert Law.objects.current().filter(title="中华人民共和国公司法").count() == 1
        repealed = Law.objects.get(title="旧解释")
        assert (repealed.is_current, repealed.status, repealed.level) == (True, Status.REPEALED, "司法解释")

    def test_a_version_not_yet_in_force(self, corpus):
        write_statute(
            corpus,
            "社会法/新法(2026-06-01).md",
            "中华人民共和国新法",
            "第一条 甲。",
            history="2026年6月1日 通过\n\n2027年1月1日 施行",
        )
        import_statutes(corpus, today=TODAY)
        law = Law.objects.get()
        assert law.effective_on == datetime.date(2027, 1, 1)
        assert law.status == Status.NOT_YET_IN_FORCE

    def test_without_an_index_dates_come_from_file_name_and_header(self, corpus):
        write_statute(
            corpus,
            "宪法/宪法.md",
            "中华人民共和国宪法",
            "第一条 甲。",
            history="1982年12月4日 通过\n\n1982年12月4日 公告公布施行",
        )
        import_statutes(corpus, today=TODAY)
        law = Law.objects.get()
        assert law.level == "宪法"
        assert law.promulgated_on == datetime.date(1982, 12, 4)

    def test_a_newer_version_imported_later_takes_over_as_current(self, corpus):
        write_statute(corpus, "经济法/公司法(2018-10-26).md", "中华人民共和国公司法", "第一条 旧。")
        import_statutes(corpus, today=TODAY)
        newer = write_statute(
            corpus.parent / "later", "公司法(2023-12-29).md", "中华人民共和国公司法", "第一条 新。"
        )
        import_statutes(newer, today=TODAY)
        versions = Law.objects.filter(title="中华人民共和国公司法").order_by("promulgated_on")
        assert [(v.is_current, v.status) for v in versions] == [
            (False, Status.AMENDED),
            (True, Status.IN_FORCE),
        ]

    def test_the_same_version_in_two_folders_is_imported_once(self, corpus):
        body = "第一条 甲。\n\n第二条 乙。"
        write_statute(
            corpus, "社会法/反电信网络诈骗法(2022-09-02).md", "中华人民共和国反电信网络诈骗法", body
        )
        write_statute(
            corpus, "行政法/反电信网络诈骗法(2022-09-02).md", "中华人民共和国反电信网络诈骗法", body
        )
        write_index(
            corpus,
            [{"name": "反电信网络诈骗法", "level": "法律", "folder": "社会法", "publish": "2022-09-02"}],
        )
        report = import_statutes(corpus, today=TODAY)
        assert Law.objects.count() == 1 and Provision.objects.count() == 2
        assert Law.objects.get().source == "社会法/反电信网络诈骗法(2022-09-02).md"
        assert report.duplicates == [
            ("行政法/反电信网络诈骗法(2022-09-02).md", "社会法/反电信网络诈骗法(2022-09-02).md")
        ]

    def test_an_unreadable_index_is_reported_and_the_files_still_import(self, corpus):
        write_statute(corpus, "社会法/某法(2020-01-01).md", "中华人民共和国某法", "第一条 甲。")
        (corpus / "db.sqlite3").write_bytes(b"not a database at all" * 100)
        report = import_statutes(corpus, today=TODAY)
        assert Law.objects.count() == 1
        assert any("index cannot be read" in warning for warning in report.warnings)


class TestIdempotence:
    def test_a_second_run_creates_and_changes_nothing(self, corpus):
        write_civil_code(corpus)
        write_statute(
            corpus,
            "刑法/刑法.md",
            "中华人民共和国刑法",
            "第二百五十三条 甲。\n\n第二百五十三条之一 乙。\n\n附件一\n\n附件内容。",
        )
        first = import_statutes(corpus, today=TODAY)
        assert first.changed and first.laws_created == 2 and first.provisions_created == 7
        snapshot = list(Provision.objects.order_by("pk").values())
        second = import_statutes(corpus, today=TODAY)
        assert not second.changed
        assert (second.laws_unchanged, second.provisions_unchanged) == (2, 7)
        assert list(Provision.objects.order_by("pk").values()) == snapshot

    def test_a_changed_file_updates_only_what_changed(self, corpus):
        path = write_statute(
            corpus,
            "社会法/某法(2020-01-01).md",
            "中华人民共和国某法",
            "第一条 甲。\n\n第二条 乙。\n\n第三条 丙。",
        )
        import_statutes(corpus, today=TODAY)
        untouched_pk = Provision.objects.get(key="1").pk
        path.write_text(
            path.read_text(encoding="utf-8")
            .replace("第二条 乙。", "第二条 乙（修改）。")
            .replace("\n第三条 丙。", ""),
            encoding="utf-8",
        )
        report = import_statutes(corpus, today=TODAY, prune=True)
        assert (report.provisions_unchanged, report.provisions_updated, report.provisions_deleted) == (
            1,
            1,
            1,
        )
        assert Provision.objects.get(key="2").text == "乙（修改）。"
        assert Provision.objects.get(key="1").pk == untouched_pk

    def test_a_file_cut_short_leaves_its_law_as_it_was_unless_pruning(self, corpus):
        path = write_statute(
            corpus,
            "社会法/某法(2020-01-01).md",
            "中华人民共和国某法",
            "第一条 甲。\n\n第二条 乙。\n\n第三条 丙。\n\n第四条 丁。",
        )
        import_statutes(corpus, today=TODAY)
        whole = path.read_text(encoding="utf-8")
        path.write_text(whole[: whole.index("第三条")].replace("乙。", "乙（改）。"), encoding="utf-8")
        report = import_statutes(corpus, today=TODAY)
        assert report.prune_refused == [
            ("中华人民共和国某法 (2020-01-01)", ["第三条", "第四条"], ["社会法/某法(2020-01-01).md"])
        ]
        assert not report.changed  # not even the change to 第二条: the law is written whole or not at all
        assert list(Provision.objects.order_by("order").values_list("text", flat=True)) == [
            "甲。",
            "乙。",
            "丙。",
            "丁。",
        ]
        pruned = import_statutes(corpus, today=TODAY, prune=True)
        assert (pruned.provisions_deleted, pruned.provisions_updated, pruned.prune_refused) == (2, 1, [])
        assert list(Provision.objects.order_by("order").values_list("text", flat=True)) == [
            "甲。",
            "乙（改）。",
        ]


class TestBrokenFiles:
    def test_a_broken_file_is_skipped_by_name_and_the_rest_imports(self, corpus):
        write_statute(corpus, "社会法/好法(2020-01-01).md", "中华人民共和国好法", "第一条 甲。")
        write_statute(
            corpus,
            "社会法/坏法(2020-01-01).md",
            "中华人民共和国坏法",
            "第一条 甲。\n\n第二条 乙。\n\n第一条 重复。",
        )
        (corpus / "社会法" / "乱码(2020-01-01).md").write_bytes(b"\xff\xfe\x00garbage")
        (corpus / "社会法" / "截断(2020-01-01).md").write_text(
            "# 中华人民共和国截断法\n\n2020年1月1日 通过\n\n第一条", encoding="utf-8"
        )
        report = import_statutes(corpus, today=TODAY)
        assert list(Law.objects.values_list("short_title", flat=True)) == ["好法"]
        skipped = dict(report.skipped)
        assert set(skipped) == {
            "社会法/坏法(2020-01-01).md",
            "社会法/乱码(2020-01-01).md",
            "社会法/截断(2020-01-01).md",
        }
        assert "appears twice" in skipped["社会法/坏法(2020-01-01).md"]
        assert "UTF-8" in skipped["社会法/乱码(2020-01-01).md"]
        assert "INFO END" in skipped["社会法/截断(2020-01-01).md"]
        assert not Provision.objects.filter(law__title="中华人民共和国坏法").exists()

    def test_a_file_broken_after_a_good_import_leaves_the_stored_law_untouched(self, corpus):
        path = write_statute(
            corpus, "社会法/某法(2020-01-01).md", "中华人民共和国某法", "第一条 甲。\n\n第二条 乙。"
        )
        import_statutes(corpus, today=TODAY)
        path.write_text(path.read_text(encoding="utf-8") + "\n第一条 又一个第一条。\n", encoding="utf-8")
        report = import_statutes(corpus, today=TODAY)
        assert report.skipped and not report.changed
        assert list(Provision.objects.values_list("text", flat=True).order_by("order")) == ["甲。", "乙。"]


class TestCommand:
    def test_prints_a_summary_and_says_when_nothing_changed(self, corpus):
        write_civil_code(corpus)
        status, out, stderr = run("import_statutes", str(corpus))
        assert (status, stderr) == (0, [])
        assert "Laws: 1 (created 1" in out and "Provisions: 5 (created 5" in out and "1/1（100%）" in out
        status, again, stderr = run("import_statutes", str(corpus))
        assert (status, stderr) == (0, []) and "Nothing changed" in again  # nothing to do: a success

    def test_a_broken_file_among_good_ones_is_a_partial_import_exit_2_a_line_each(self, corpus):
        write_civil_code(corpus)
        write_statute(
            corpus, "社会法/坏法(2020-01-01).md", "中华人民共和国坏法", "第一条 甲。\n\n第一条 乙。"
        )
        (corpus / "社会法" / "乱码(2020-01-01).md").write_bytes(b"# \xff\xfe\n")
        status, out, stderr = run("import_statutes", str(corpus))
        assert status == 2
        assert stderr == [
            "CommandError: Partly imported (2 refused):",
            "社会法/乱码(2020-01-01).md: not UTF-8 text (byte 2)",
            "社会法/坏法(2020-01-01).md: line 8: 第一条 appears twice (lines 6 and 8)",
        ]
        assert "Laws: 1 (created 1" in out
        assert list(Law.objects.values_list("short_title", flat=True)) == ["民法典"]

    def test_when_every_file_is_refused_it_exits_1_and_the_stored_law_is_untouched(self, corpus):
        path = write_statute(
            corpus, "社会法/某法(2020-01-01).md", "中华人民共和国某法", "第一条 甲。\n\n第二条 乙。"
        )
        assert run("import_statutes", str(corpus))[::2] == (0, [])
        snapshot = list(Provision.objects.order_by("pk").values())
        path.write_text(
            path.read_text(encoding="utf-8").replace("第二条 乙。", "第一条 丙。"), encoding="utf-8"
        )
        status, _, stderr = run("import_statutes", str(corpus))
        assert status == 1
        assert stderr == [
            "CommandError: Nothing imported (1 problem): "
            "社会法/某法(2020-01-01).md: line 8: 第一条 appears twice (lines 6 and 8)"
        ]
        assert list(Provision.objects.order_by("pk").values()) == snapshot

    def test_a_law_that_would_lose_provisions_is_named_with_its_file_and_the_exit_status_says_so(
        self, corpus
    ):
        path = write_statute(
            corpus, "社会法/某法(2020-01-01).md", "中华人民共和国某法", "第一条 甲。\n\n第二条 乙。"
        )
        write_statute(corpus, "社会法/好法(2020-01-01).md", "中华人民共和国好法", "第一条 甲。")
        assert run("import_statutes", str(corpus))[0] == 0
        path.write_text(path.read_text(encoding="utf-8").replace("第二条 乙。", ""), encoding="utf-8")
        status, _, stderr = run("import_statutes", str(corpus))
        assert status == 2
        assert stderr == [
            "CommandError: Partly imported (1 refused): 社会法/某法(2020-01-01).md: 中华人民共和国某法 "
            "(2020-01-01) left as it was: the file lacks 第二条, which the library has (--prune deletes it)"
        ]
        assert run("import_statutes", str(corpus), prune=True)[::2] == (0, [])
        assert list(Provision.objects.filter(law__short_title="某法").values_list("key", flat=True)) == ["1"]

    @pytest.mark.parametrize(
        ("case", "problem"),
        [
            ("missing", "{given}: no such file or folder"),
            ("empty folder", "{given}: no statute files (.md) in this folder"),
            ("only a folder named .md", "{given}: no statute files (.md) in this folder"),
            ("empty file", "社会法/空(2020-01-01).md: the file is empty"),
            ("long title", "社会法/长(2020-01-01).md: the title is longer than 200 characters (301)"),
            (
                "long chapter",
                "社会法/长(2020-01-01).md: line 8: the chapter heading of 第一条 is longer than 200 "
                "characters (202)",
            ),
        ],
    )
    def test_every_problem_is_one_line_naming_the_file_exit_1_nothing_written(self, corpus, case, problem):
        given = corpus / "nowhere" if case == "missing" else corpus
        if case == "empty folder":
            given = corpus / "empty"
            given.mkdir()
        elif case == "only a folder named .md":
            (corpus / "社会法" / "目录.md").mkdir(parents=True)
        elif case == "empty file":
            (corpus / "社会法").mkdir()
            (corpus / "社会法" / "空(2020-01-01).md").write_bytes(b"")
        elif case == "long title":
            write_statute(corpus, "社会法/长(2020-01-01).md", "中华人民共和国" + "长" * 294, "第一条 甲。")
        elif case == "long chapter":
            body = "## 第一章 " + "长" * 198 + "\n\n第一条 甲。"
            write_statute(corpus, "社会法/长(2020-01-01).md", "中华人民共和国长法", body)
        status, _, stderr = run("import_statutes", str(given))
        assert status == 1
        assert stderr == [f"CommandError: Nothing imported (1 problem): {problem.format(given=given)}"]
        assert not Law.objects.exists() and not Provision.objects.exists()


def test_manage_py_exits_2_on_a_partial_import_and_1_on_a_failure_without_a_traceback(
    site_processes, tmp_path
):
    corpus = tmp_path / "input" / "shared" / "laws"  # not beside the site's db.sqlite3, read as an index
    write_statute(corpus, "社会法/好法(2020-01-01).md", "中华人民共和国好法", "第一条 甲。")
    write_statute(corpus, "社会法/坏法(2020-01-01).md", "中华人民共和国坏法", "第一条 甲。\n\n第一条 乙。")

    def manage_py(*args):
        return subprocess.run(
            [sys.executable, "manage.py", "import_statutes", *args],
            cwd=ROOT, env=site_processes, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    partial = manage_py(str(corpus))
    assert partial.returncode == 2, partial.stderr
    assert partial.stderr.splitlines() == [
        "CommandError: Partly imported (1 refused): "
        "社会法/坏法(2020-01-01).md: line 8: 第一条 appears twice (lines 6 and 8)"
    ]
    assert "Laws: 1 (created 1" in partial.stdout
    failed = manage_py(str(corpus / "nowhere"))
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        f"CommandError: Nothing imported (1 problem): {corpus / 'nowhere'}: no such file or folder"
    ]
    assert manage_py(str(corpus / "社会法" / "好法(2020-01-01).md")).returncode == 0


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("中华人民共和国民法典", "民法典"),
        (
            "最高人民法院关于适用《中华人民共和国民事诉讼法》的解释",
            "最高人民法院关于适用《民事诉讼法》的解释",
        ),
        ("中华人民共和国", "中华人民共和国"),
        ("电信条例", "电信条例"),
    ],
)
def test_short_title(title, expected):
    from statutes.importer import short_title

    assert short_title(title) == expected
