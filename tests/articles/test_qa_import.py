"""import_qa: Q&A rows as published articles, checked whole, written once, credited."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Citation
from articles.qa_import import SOURCE_NAME, QAFileError, import_qa

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


def test_the_command_reports_and_fails_cleanly(library, tmp_path):
    out = io.StringIO()
    call_command("import_qa", str(write(tmp_path, ROWS)), stdout=out)
    text = out.getvalue()
    assert "created 2" in text and "skipped 1" in text and "不存在的法第一条" in text
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{oops\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Nothing imported.*line 1: not JSON"):
        call_command("import_qa", str(broken), stdout=io.StringIO())
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_qa", str(tmp_path / "missing.jsonl"), stdout=io.StringIO())
