"""The quality benchmarks run end to end on the demo content (their figures need the corpus: see README)."""

import json

import pytest
from django.core.management import call_command

from articles.models import Article, Category
from statutes.models import Provision

pytestmark = pytest.mark.django_db(transaction=True)


def write_rows(path, rows) -> str:
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    return str(path)


def test_bench_search_scores_the_system_beside_its_references(search_index, tmp_path):
    call_command("load_demo", verbosity=0)
    search_index()
    # 刺探 is in one provision of the demo library, 民法典 第一千零三十二条: every method finds it
    # first. The second question's answer is not in the library: no method finds it.
    assert list(Provision.objects.filter(text__contains="刺探").values_list("law__short_title", "key")) == [
        ("民法典", "1032")
    ]
    assert not Provision.objects.filter(law__short_title="劳动合同法", key="98").exists()
    queries = write_rows(
        tmp_path / "queries.jsonl",
        [
            {"qid": 1, "question": "刺探", "gold": ["中华人民共和国民法典第一千零三十二条"]},
            {"qid": 2, "question": "刺探", "gold": ["中华人民共和国劳动合同法第九十八条"]},
        ],
    )
    stopwords = tmp_path / "stopwords.txt"
    stopwords.write_text("的\n吗\n", encoding="utf-8")
    figures_file = tmp_path / "figures.json"
    call_command("bench_search", queries=queries, stopwords=str(stopwords), json_out=str(figures_file))
    figures = json.loads(figures_file.read_text())
    half = {f"hit@{cutoff}": 0.5 for cutoff in (1, 3, 5, 10)} | {
        "mrr@10": 0.5,
        "recall@100": 0.5,
        "queries": 2,
    }
    for method in ("system", "system_no_articles", "bm25", "fts5"):
        measured = {name: value for name, value in figures[method].items() if not name.endswith("_ms")}
        assert measured == half, method
        assert figures[method]["p50_ms"] > 0 and figures[method]["p95_ms"] >= figures[method]["p50_ms"]
    assert figures["with_articles_against_without"] == {"better": 0, "same": 2, "worse": 0}


def test_bench_search_runs_a_variant_beside_the_system_and_judges_the_answered(search_index, tmp_path):
    from django.test import override_settings

    call_command("load_demo", verbosity=0)
    search_index()
    queries = write_rows(
        tmp_path / "queries.jsonl",
        [{"qid": 1, "question": "刺探他人隐私", "gold": ["中华人民共和国民法典第一千零三十二条"]}],
    )
    stopwords = tmp_path / "stopwords.txt"
    stopwords.write_text("的\n", encoding="utf-8")
    off_topic = tmp_path / "off_topic.txt"
    off_topic.write_text("红烧肉怎么做\n", encoding="utf-8")
    figures_file = tmp_path / "figures.json"
    library = "tests.search.test_models_by_kind.LibraryModel"
    answers = "tests.search.test_models_by_kind.AnswerModel"
    with override_settings(KB_EMBEDDER=library, VECTORS_PATH=tmp_path / "vectors"):
        call_command("build_vectors", verbosity=0)
        with override_settings(KB_ARTICLE_EMBEDDER=answers, VECTORS_PATH=tmp_path / "other"):
            call_command("build_vectors", verbosity=0)
        call_command(
            "bench_search",
            queries=queries,
            stopwords=str(stopwords),
            off_topic=str(off_topic),
            json_out=str(figures_file),
            variant=[f"answers:KB_ARTICLE_EMBEDDER={answers},VECTORS_PATH={tmp_path / 'other'}"],
        )
    figures = json.loads(figures_file.read_text())
    assert figures["meaning_ready"] and figures["system[answers]"]["queries"] == 1
    assert figures["system[answers]"]["hit@10"] == figures["system"]["hit@10"] == 1.0
    judged = figures["answered_judgement"]
    assert judged["system"]["article_model"] == "fake-library"
    assert judged["system[answers]"]["article_model"] == "fake-answers"
    assert figures["off_topic_unanswered"] is not None
    assert set(figures["question_embedding"]) == {"fake-answers", "fake-library"}


# Six questions on one provision (a dog bite), with one answer, in words no demo article has and
# each in several of the six; one question on a provision no other row cites. What related
# articles can get right is known: for each dog-bite answer, the five others.
DOG_BITE = "中华人民共和国民法典第一千二百四十五条"
DOG_ANSWER = "狗咬伤了人，狗主人要出狂犬疫苗的钱。"
DOG_ROWS = [
    (question, DOG_ANSWER)
    for question in (
        "狗咬伤了人，狗主人要管吗",
        "狗咬伤了人，狂犬疫苗谁出钱",
        "狗主人要出狂犬疫苗的钱吗",
        "被狗咬伤，狗主人要管吗",
        "被狗咬伤，狂犬疫苗谁出钱",
        "被狗咬伤了人，狗主人要出钱吗",
    )
]
NOISE_ROW = (
    "楼上装修噪音太大，晚上也不停怎么办",
    "可以找物业，要求楼上停止噪音。",
    "中华人民共和国民法典第二百九十四条",
)


def best_precision_at_5(rows) -> float:
    """The precision@5 a perfect list gets: for each row, the other rows citing its provision, up to 5."""
    golds = [set(row["statutes"]) for row in rows]
    shares = [min(5, sum(1 for other in golds if other & gold) - 1) / 5 for gold in golds]
    return round(sum(shares) / len(shares), 4)


def test_bench_related_compares_with_more_like_this_and_cleans_up(search_index, tmp_path):
    call_command("load_demo", verbosity=0)
    search_index()
    before = Article.objects.count()
    rows = [
        {"qid": number, "question": question, "answer": answer, "statutes": [gold]}
        for number, (question, answer, gold) in enumerate(
            [*((q, a, DOG_BITE) for q, a in DOG_ROWS), NOISE_ROW]
        )
    ]
    assert best_precision_at_5(rows) == round(6 / 7, 4)
    figures_file = tmp_path / "related.json"
    call_command("bench_related", qa=write_rows(tmp_path / "qa.jsonl", rows), json=str(figures_file))
    figures = json.loads(figures_file.read_text())
    assert figures["articles"] == 7
    # Each dog-bite answer's five suggestions are the five others; the noise row has none to find.
    assert figures["system"]["precision@5"] == best_precision_at_5(rows)
    assert figures["baseline"]["precision@5"] == best_precision_at_5(rows)
    assert Article.objects.count() == before  # its articles are gone again
    assert not Category.objects.get(slug="bench-related").articles.exists()


def test_bench_related_measures_the_imported_answers_as_they_are(search_index, tmp_path):
    call_command("load_demo", verbosity=0)
    search_index()
    rows = [
        {"qid": number, "question": question, "answer": answer, "statutes": [DOG_BITE]}
        for number, (question, answer) in enumerate(DOG_ROWS[:2], start=1)
    ]
    qa = write_rows(tmp_path / "qa.jsonl", rows)
    call_command("import_qa", qa, verbosity=0)
    before = set(Article.objects.values_list("pk", flat=True))
    figures_file = tmp_path / "related.json"
    call_command("bench_related", qa=qa, json=str(figures_file))
    figures = json.loads(figures_file.read_text())
    assert figures["articles"] == 2
    # Each of the two imported answers finds the other: one relevant suggestion of five.
    assert best_precision_at_5(rows) == 0.2
    assert figures["system"]["precision@5"] == figures["baseline"]["precision@5"] == 0.2
    assert set(Article.objects.values_list("pk", flat=True)) == before  # nothing loaded, nothing removed


def test_the_more_like_this_baseline_suggests_the_articles_most_like_each_once(search_index):
    """bench_related's baseline, asked as it asks: the five articles most like the article, by Whoosh's
    more_like among all documents, in that order, each once (not the articles among the five
    documents most like it, one of them repeated to fill the five)."""
    from haystack import connections
    from haystack.query import SearchQuerySet

    call_command("load_demo", verbosity=0)
    search_index()
    backend = connections["default"].get_backend()
    searcher = backend.searcher()
    for article in Article.objects.all():
        (document,) = searcher.document_numbers(id=f"articles.article.{article.pk}")
        most_like = searcher.more_like(document, backend.content_field_name, top=None, normalize=True)
        expected = [int(hit["django_id"]) for hit in most_like if hit["django_ct"] == "articles.article"][:5]
        suggested = [
            int(result.pk) for result in SearchQuerySet().models(Article).more_like_this(article)[:5]
        ]
        assert suggested == expected, article.title
