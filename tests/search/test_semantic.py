"""Search by meaning (kb.search.embedding, vectors, meaning): the real model, in a folder of the test's own.

A reader's question rarely says what the provision says; the answers near it in meaning bring the
provisions they cite. A question nothing here answers says so. The vectors follow every save.
"""

import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings

from articles import services
from articles.models import Article
from kb.search import embedding, meaning, vectors
from kb.search.models import SearchRecord
from kb.search.selectors import search
from statutes.models import Provision
from statutes.numerals import format_key, format_label
from tests.helpers import make_article, make_law

MODEL = "kb.search.embedding.UniversalSentenceEncoder"

PERSONAL_DATA = (
    "任何组织、个人不得非法收集、使用、加工、传输他人个人信息，不得非法买卖、提供或者公开他人个人信息。"
)
DRUNK_DRIVING = "饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。"
WRITTEN_CONTRACT = (
    "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。"
)


def provision(law, number: int, text: str) -> Provision:
    return Provision.objects.create(
        law=law, number=number, key=format_key(number), label=format_label(number), text=text, order=number
    )


@pytest.fixture
def meaning_on(tmp_path, search_index, monkeypatch):
    """Search by meaning with the real model, its vectors under the test's own folder."""
    from statutes import citations

    # The law names are read again when the library's count or latest id changes; a rolled-back
    # test can leave both as this one makes them (SQLite reuses the ids), with other names.
    monkeypatch.setattr(citations, "_law_names", ((), []))
    with override_settings(KB_EMBEDDER=MODEL, VECTORS_PATH=tmp_path / "vectors"):
        yield search_index


@pytest.fixture
def library(meaning_on):
    """Three provisions and an answer citing each; the index and the vectors built."""
    personal = provision(make_law("中华人民共和国个人信息保护法"), 10, PERSONAL_DATA)
    drunk = provision(make_law("中华人民共和国道路交通安全法"), 91, DRUNK_DRIVING)
    contract = provision(make_law("中华人民共和国劳动合同法"), 82, WRITTEN_CONTRACT)
    answers = {
        "collection": make_article(
            "催收公司打电话给我的亲戚朋友说我欠钱，这样合法吗？",
            body="借款逾期后，催收人员翻出借款人手机通讯录，挨个给联系人打电话、发短信催债，属于违法使用个人信息。",
            cites=[personal],
        ),
        "drunk": make_article(
            "喝了两瓶啤酒开车被交警查到会怎么处罚？",
            body="酒后驾车会被暂扣驾驶证并罚款，醉酒驾驶还要追究刑事责任。",
            cites=[drunk],
        ),
        "contract": make_article(
            "公司一直不跟我签劳动合同，我能要求赔偿吗？",
            body="入职超过一个月公司仍未签订书面劳动合同的，可以要求公司支付双倍工资。",
            cites=[contract],
        ),
    }
    meaning_on()
    call_command("build_vectors", verbosity=0)
    return {"personal": personal, "drunk_driving": drunk, "contract_law": contract, **answers}


class CountingEmbedder:
    """The real model, counting the texts it is asked to embed."""

    name = "counting-use"
    dimensions = 512
    texts: list[str] = []

    def __init__(self):
        self.model = embedding.UniversalSentenceEncoder()

    def encode(self, texts):
        CountingEmbedder.texts.extend(texts)
        return self.model.encode(texts)


def test_the_model_puts_a_paraphrase_nearer_than_another_subject():
    model = embedding.UniversalSentenceEncoder()
    question, paraphrase, other = model.encode(
        ["网贷逾期会爆通讯录吗", "借钱不还，催收会不会打电话给我的联系人", "红烧肉怎么做才不腻"]
    )
    assert np.allclose([np.linalg.norm(question), np.linalg.norm(other)], 1.0, atol=1e-5)
    assert question @ paraphrase > question @ other + 0.1


@pytest.mark.django_db
def test_a_question_in_other_words_finds_the_provision_its_nearest_answer_cites(library):
    question = "借钱没还上，对方会把这事告诉我家里人吗"
    by_words = search(question, kind="provisions", use_meaning=False)
    outcome = search(question, kind="provisions")
    assert outcome.meaning_ready and outcome.answered is True
    first = outcome.provisions.hits[0]
    assert first.object == library["personal"]
    assert library["collection"] in first.cited_by  # why it is there: the answer that cites it
    assert [hit.object for hit in by_words.provisions.hits][:1] != [library["personal"]]


@pytest.mark.django_db
def test_articles_rank_by_meaning_too(library):
    outcome = search("酒后开车会被怎么罚", kind="articles")
    assert outcome.articles.hits[0].object == library["drunk"]


@pytest.mark.django_db
def test_a_citation_query_keeps_its_exact_behaviour(library):
    fused = search("劳动合同法第八十二条", kind="provisions")
    words = search("劳动合同法第八十二条", kind="provisions", use_meaning=False)
    assert fused.cited == library["contract_law"] and fused.answered is True
    assert [hit.object for hit in fused.provisions.hits] == [hit.object for hit in words.provisions.hits]


@pytest.mark.django_db
def test_a_question_nothing_here_answers_says_so_and_lists_nothing(library, client):
    response = client.get("/search/", {"q": "红烧肉怎么做才不腻"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-answered="no"' in content
    assert "没有找到能回答“红烧肉怎么做才不腻”的内容" in content
    assert 'class="result-list"' not in content and "浏览法规库" in content
    # The search report counts it as unanswered.
    assert list(SearchRecord.objects.values_list("query", "articles_found")) == [("红烧肉怎么做才不腻", 0)]

    response = client.get("/search/", {"q": "网贷逾期会爆通讯录吗"})
    content = response.content.decode()
    assert 'data-answered="yes"' in content and 'class="result-list"' in content


@pytest.mark.django_db
def test_until_the_vectors_are_built_search_answers_by_words_and_says_so(meaning_on, client):
    provision(make_law("中华人民共和国劳动合同法"), 82, WRITTEN_CONTRACT)
    meaning_on()
    outcome = search("书面劳动合同 二倍的工资")
    assert not outcome.meaning_ready and outcome.answered is None
    assert outcome.provisions.hits
    content = client.get("/search/", {"q": "书面劳动合同 二倍的工资"}).content.decode()
    assert "按语义检索的准备工作正在进行" in content and 'data-answered="yes"' in content


@pytest.mark.django_db(transaction=True)
def test_the_vectors_follow_every_save_and_drafts_never_count(library):
    def in_vectors(article):
        return article.pk in set(vectors.current(vectors.ARTICLES).ids.tolist())

    article = make_article(
        "公司拖欠工资三个月不发怎么办？", body="可以向劳动监察大队投诉，或者申请劳动仲裁。"
    )
    assert in_vectors(article)
    assert meaning.understand("老板拖着工资不给").nearest_articles[0][0] == article.pk
    services.unpublish_article(article=Article.objects.get(pk=article.pk))
    assert not in_vectors(article)
    draft = make_article("这是一篇草稿：拖欠工资", status=Article.Status.DRAFT)
    assert not in_vectors(draft)
    services.delete_article(article=library["drunk"])
    assert not in_vectors(library["drunk"])
    assert in_vectors(library["contract"])


@pytest.mark.django_db
def test_an_unchanged_text_is_never_embedded_twice(meaning_on, tmp_path):
    provision(make_law("中华人民共和国劳动合同法"), 82, WRITTEN_CONTRACT)
    with override_settings(KB_EMBEDDER="tests.search.test_semantic.CountingEmbedder"):
        CountingEmbedder.texts = []
        assert vectors.build(vectors.PROVISIONS) == 1
        assert len(CountingEmbedder.texts) == 1
        assert vectors.build(vectors.PROVISIONS) == 1
        assert len(CountingEmbedder.texts) == 1  # the second build took it from the cache
        assert len(vectors.current(vectors.PROVISIONS)) == 1
    # Another model never reads this model's vectors.
    assert vectors.current(vectors.PROVISIONS) is None


@pytest.mark.django_db
def test_related_articles_weigh_nearness_in_meaning(library):
    from kb.search import related

    near = related.meaning_neighbours(library["collection"])
    assert set(near) == {library["drunk"].pk, library["contract"].pk}  # never itself
    assert all(-1.0 <= cosine <= 1.0 for cosine in near.values())
    paraphrase = make_article(
        "欠了网贷，催收打爆了我通讯录里的人，怎么办？",
        body="网贷逾期后催收人员联系借款人通讯录里的亲友，可以向监管部门投诉。",
    )
    vectors.update_articles([paraphrase.pk])
    call_command("update_index", verbosity=0)
    near = related.meaning_neighbours(library["collection"])
    assert max(near, key=near.get) == paraphrase.pk
    assert related.compute_related(library["collection"])[0] == paraphrase.pk


@pytest.mark.django_db
def test_a_model_that_cannot_be_loaded_leaves_search_by_words(library, client):
    with override_settings(KB_EMBEDDER="no.such.Model"):
        outcome = search("劳动合同 二倍的工资")
        assert not outcome.meaning_ready and outcome.answered is None
        assert outcome.provisions.hits
        assert client.get("/search/", {"q": "劳动合同 二倍的工资"}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_damaged_snapshot_is_no_snapshot_and_the_next_save_rebuilds_every_article(library, client):
    pointer = vectors.vectors_path() / "articles.json"
    for damage in ('["not", "a", "pointer"]', '{"folder": "articles.gone", "count": 3}'):
        pointer.write_text(damage)
        vectors.snapshots.forget()
        assert vectors.current(vectors.ARTICLES) is None and not vectors.ready()
        assert client.get("/search/", {"q": "网贷逾期会爆通讯录吗"}).status_code == 200
    article = make_article("拖欠工资怎么办？", body="可以申请劳动仲裁。")  # its task updates the vectors
    rebuilt = set(vectors.current(vectors.ARTICLES).ids.tolist())
    assert rebuilt == set(
        Article.objects.filter(status=Article.Status.PUBLISHED).values_list("pk", flat=True)
    )
    assert article.pk in rebuilt and library["drunk"].pk in rebuilt


@pytest.mark.django_db(transaction=True)
def test_the_worker_builds_the_vectors_in_steps(meaning_on, monkeypatch):
    from kb.search import tasks

    for number in (82, 83, 84):
        provision(make_law(f"中华人民共和国测试{number}法"), number, f"第{number}条规定的内容，各不相同。")
    make_article("测试文章", body="正文。")
    monkeypatch.setattr(tasks, "VECTOR_STEP", 1)
    steps = []
    real_warm = vectors.warm_cache
    monkeypatch.setattr(vectors, "warm_cache", lambda kind, **kw: steps.append(kind) or real_warm(kind, **kw))
    remade = []
    monkeypatch.setattr(tasks.related, "refresh_related", lambda ids: remade.extend(ids) or [])
    tasks.build_vectors.enqueue()  # the immediate backend runs each step as it is enqueued
    assert steps.count(vectors.PROVISIONS) == 4  # three steps of one, then none left
    assert len(vectors.current(vectors.PROVISIONS)) == 3 and vectors.ready()
    assert remade == []  # asked for by bring_up alone:
    tasks.build_vectors.enqueue(then_related=True)
    assert remade == list(Article.objects.order_by("pk").values_list("pk", flat=True))  # meaning joins them


@pytest.mark.django_db
def test_a_scheduled_answer_stays_out_of_meaning_until_its_time(library):
    import datetime

    from django.utils import timezone

    scheduled = make_article(
        "欠了网贷，催收打爆了我通讯录里的人，怎么办？",
        body="网贷逾期后催收人员联系借款人通讯录里的亲友。",
        published_at=timezone.now() + datetime.timedelta(days=1),
    )
    vectors.update_articles([scheduled.pk])
    assert scheduled.pk in set(vectors.current(vectors.ARTICLES).ids.tolist())  # kept, as in the index
    outcome = search("欠了网贷，催收打爆了我通讯录里的人", kind="articles")
    assert scheduled not in [hit.object for hit in outcome.articles.hits]
    near = meaning.understand("欠了网贷，催收打爆了我通讯录里的人", exclude_articles=frozenset())
    assert scheduled.pk in [pk for pk, _ in near.nearest_articles]  # what search() leaves out itself
