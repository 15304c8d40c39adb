"""The quality benchmarks run end to end on the demo content (their figures need the corpus: see README)."""

import json

import pytest
from django.core.management import call_command

from articles.models import Article, Category

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_search_scores_the_system_beside_its_references(search_index, tmp_path):
    call_command("load_demo", verbosity=0)
    search_index()
    queries = tmp_path / "queries.jsonl"
    queries.write_text(
        "\n".join(
            json.dumps(row, ensure_ascii=False)
            for row in [
                {
                    "qid": 1,
                    "question": "网贷逾期后平台群发短信给通讯录联系人",
                    "gold": ["中华人民共和国民法典第一千零三十二条"],
                },
                {"qid": 2, "question": "电信用户的通信秘密受保护吗", "gold": ["电信条例第六十五条"]},
            ]
        ),
        encoding="utf-8",
    )
    stopwords = tmp_path / "stopwords.txt"
    stopwords.write_text("的\n吗\n", encoding="utf-8")
    figures_file = tmp_path / "figures.json"
    call_command("bench_search", queries=str(queries), stopwords=str(stopwords), json_out=str(figures_file))
    figures = json.loads(figures_file.read_text())
    assert set(figures) == {"system", "system_no_articles", "bm25", "fts5", "with_articles_against_without"}
    assert figures["system"]["queries"] == 2 and 0 <= figures["system"]["hit@10"] <= 1
    assert figures["system"]["hit@10"] > 0, "the demo library answers the demo questions"


def test_bench_related_compares_with_more_like_this_and_cleans_up(search_index, tmp_path):
    call_command("load_demo", verbosity=0)
    search_index()
    before = Article.objects.count()
    qa = tmp_path / "qa.jsonl"
    rows = [
        {"qid": n, "question": question, "answer": answer, "statutes": [gold]}
        for n, (question, answer, gold) in enumerate([
            ("网贷催收爆通讯录合法吗", "催收人员向通讯录联系人群发短信，侵害隐私权。", "中华人民共和国民法典第一千零三十二条"),
            ("催收打电话给我家人怎么办", "骚扰亲友侵害私人生活安宁，可以要求停止侵害。", "中华人民共和国民法典第一千零三十二条"),
            ("公司不给加班费怎么办", "可以申请劳动仲裁，要求支付加班费。", "劳动法第四十四条"),
        ])
    ]  # fmt: skip
    qa.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    figures_file = tmp_path / "related.json"
    call_command("bench_related", qa=str(qa), json=str(figures_file))
    figures = json.loads(figures_file.read_text())
    assert figures["articles"] == 3 and set(figures) >= {"system", "baseline"}
    assert 0 <= figures["system"]["precision@5"] <= 1
    assert Article.objects.count() == before  # its articles are gone again
    assert not Category.objects.get(slug="bench-related").articles.exists()


def test_bench_related_measures_the_imported_answers_as_they_are(search_index, tmp_path):
    call_command("load_demo", verbosity=0)
    search_index()
    qa = tmp_path / "qa.jsonl"
    rows = [
        {
            "qid": 1,
            "question": "网贷催收爆通讯录合法吗",
            "answer": "侵害隐私权。",
            "statutes": ["中华人民共和国民法典第一千零三十二条"],
        },
        {
            "qid": 2,
            "question": "催收骚扰家人怎么办",
            "answer": "侵害私人生活安宁。",
            "statutes": ["中华人民共和国民法典第一千零三十二条"],
        },
    ]
    qa.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    call_command("import_qa", str(qa), verbosity=0)
    before = set(Article.objects.values_list("pk", flat=True))
    figures_file = tmp_path / "related.json"
    call_command("bench_related", qa=str(qa), json=str(figures_file))
    figures = json.loads(figures_file.read_text())
    assert figures["articles"] == 2
    assert set(Article.objects.values_list("pk", flat=True)) == before  # nothing loaded, nothing removed
