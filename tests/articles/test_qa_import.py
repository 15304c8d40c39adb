"""import_qa: Q&A rows as published articles, checked whole, written once, credited."""

import json

import pytest
from django.core.management import call_command

from articles.models import Article, Citation
from articles.qa_import import SOURCE_NAME, QAFileError, import_qa
from tests.helpers import run_command as run
from tests.helpers import save_fails_at

pytestmark = pytest.mark.django_db

ROWS = [
    {
        "qid": 1,
        "question": "网贷平台把我欠款的事告诉通讯录里的人，合法吗？",
        "answer": "不合法。\n平台侵害了您的隐私权，可以要求停止侵害。",
        "keywords": "隐私",
        "statutes": ["中华人民共和国民法典第一千零三十二条", "个人信息保护法第十条"],
    },
    {
        "qid": 2,
        "question": "公司不给加班费怎么办？",
        "answer": "可以申请劳动仲裁。",
        "keywords": None,
        "statutes": ["劳动法第四十四条", "劳动法第九百九十九条", "不存在的法第一条"],
    },
    {"qid": 3, "question": "没有回答的问题", "answer": None, "keywords": None, "statutes": None},
]


@pytest.fixture
def library():
    call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)


def write(tmp_path, rows, name="qa.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


def test_answered_rows_become_published_articles_citing_the_library(library, tmp_path):
    report = import_qa(write(tmp_path, ROWS))
    assert (report.rows, report.created, report.without_answer) == (3, 2, 1)
    assert report.unresolved == {"劳动法第九百九十九条": 1, "不存在的法第一条": 1}

    privacy = Article.objects.get(title=ROWS[0]["question"])
    assert privacy.is_published and privacy.is_reprint and privacy.source_name == SOURCE_NAME
    assert privacy.author.name == "LeCoQA 法律团队"
    assert privacy.body_html.count("<p>") == 2  # a paragraph per line of the answer
    cited = list(privacy.citations.values_list("provision__law__short_title", "provision__key", "added_by"))
    assert cited == [
        ("民法典", "1032", Citation.AddedBy.EDITOR),
        ("个人信息保护法", "10", Citation.AddedBy.EDITOR),
    ]
    assert privacy.category.name == "个人信息"  # both provisions vote for it
    wages = Article.objects.get(title=ROWS[1]["question"])
    assert wages.category.name == "劳动用工"
    assert list(wages.citations.values_list("provision__key", flat=True)) == ["44"]


def test_a_second_import_writes_nothing_and_a_changed_row_is_imported_again(library, tmp_path):
    path = write(tmp_path, ROWS)
    import_qa(path)
    before = {article.pk: article.updated_at for article in Article.objects.all()}
    again = import_qa(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2) and not again.changed
    assert {article.pk: article.updated_at for article in Article.objects.all()} == before

    changed = [dict(ROWS[0], answer="合法与否要看情况。"), *ROWS[1:]]
    report = import_qa(write(tmp_path, changed, "qa2.jsonl"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert "要看情况" in Article.objects.get(title=ROWS[0]["question"]).body


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not JSON"),
        ('["a list"]', "not a JSON object"),
        ('{"question": "没有编号", "answer": "答"}', "no qid"),
        ('{"qid": 1, "question": "编号重复", "answer": "答"}', "qid 1 again"),
        ('{"qid": 9, "question": "", "answer": "答"}', "no question"),
        ('{"qid": 9, "question": "问", "answer": 5}', "the answer is not text"),
        (
            '{"qid": 9, "question": "问", "answer": "答", "statutes": "民法典第一条"}',
            "statutes is not a list",
        ),
    ],
)
def test_a_malformed_row_is_reported_by_line_and_nothing_is_written(library, tmp_path, line, problem):
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(QAFileError, match=f"line 2: {problem}"):
        import_qa(path)
    assert not Article.objects.exists()


def test_the_command_reports_and_exits_0(library, tmp_path):
    status, out, stderr = run("import_qa", str(write(tmp_path, ROWS)))
    assert status == 0 and stderr == []
    assert "created 2" in out and "skipped 1" in out and "不存在的法第一条" in out
    assert run("import_qa", str(write(tmp_path, ROWS)))[::2] == (0, [])  # nothing to do is a success too


def test_a_refused_file_exits_1_with_a_line_per_problem_and_nothing_written(library, tmp_path):
    path = write(tmp_path, ROWS)
    import_qa(path)
    before = list(Article.objects.order_by("pk").values_list("pk", "body"))
    changed = json.dumps(dict(ROWS[0], answer="改过的回答。"), ensure_ascii=False)
    path.write_text(changed + "\n{oops\n" + '{"qid": 8, "question": ""}\n', encoding="utf-8")
    status, _, stderr = run("import_qa", str(path))
    assert status == 1
    assert stderr == [
        "CommandError: Nothing imported (2 problems):",
        f"{path}: line 2: not JSON (Expecting property name enclosed in double quotes)",
        f"{path}: line 3: no question",
    ]
    assert list(Article.objects.order_by("pk").values_list("pk", "body")) == before  # not even line 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot be read: No such file or directory"),
        ("folder", "is a folder, not a file"),
        (b"", "holds no rows (the file is empty)"),
        (b"\n  \n", "holds no rows (the file is empty)"),
        (
            b'{"qid": 2, "question": "\xff\xfe", "answer": "x"}\n',
            "line 2: not UTF-8 text (byte 25 of the line)",
        ),
        (b"[" * 100_000 + b"\n", "line 2: not JSON (nested too deeply)"),
        (
            b'{"qid": 2, "question": "\\ud800", "answer": "x"}\n',
            "line 2: not Unicode text (a lone surrogate escape such as \\ud800)",
        ),
        (
            ('{"qid": "' + "9" * 200 + '", "question": "q", "answer": "a"}\n').encode(),
            "line 2: qid longer than 93 characters",
        ),
    ],
    ids=["missing", "folder", "empty", "blank", "not-utf8", "nested", "surrogate", "long-qid"],
)
def test_every_problem_is_one_line_naming_the_file_and_exit_1(library, tmp_path, content, problem):
    path = tmp_path / "qa.jsonl"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        first = b"" if content.strip() == b"" else json.dumps(ROWS[0]).encode() + b"\n"
        path.write_bytes(first + content)
    status, _, stderr = run("import_qa", str(path))
    assert status == 1
    assert stderr == [f"CommandError: Nothing imported (1 problem): {path}: {problem}"]
    assert not Article.objects.exists()


def test_a_line_separator_inside_an_answer_is_text_not_a_new_row(library, tmp_path):
    row = dict(ROWS[1], answer="第一段\u2028第二段。")
    assert run("import_qa", str(write(tmp_path, [row])))[::2] == (0, [])
    assert (
        Article.objects.get().body == "第一段\n\n第二段。\n"
    )  # within the answer, a line break as any other


def test_a_database_error_midway_is_one_line_exit_1_and_rolls_back_the_rows_before(
    library, tmp_path, monkeypatch
):
    from django.db import OperationalError

    calls = save_fails_at(monkeypatch, 2, OperationalError("database is locked"))
    path = write(tmp_path, ROWS)
    status, _, stderr = run("import_qa", str(path))
    assert status == 1
    assert stderr == [
        f"CommandError: Nothing imported (1 problem): {path}: the database refused the import (database is locked)"
    ]
    assert len(calls) == 2 and not Article.objects.exists()
