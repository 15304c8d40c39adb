"""One door for every change to an article (articles.services.save_article): whoever knocks, the
body is rendered, its citations and the editor's own follow, the revision records them as they end
up, and publishing passes the one rule (the reference check)."""

import json

import pytest
from django.core.management import call_command

from articles import services
from articles.models import Article, Citation
from articles.qa_import import import_qa
from articles.revisions import cited_in, revisions_of
from statutes.models import Provision
from tests.articles.test_editor import MISQUOTE, RIGHT_QUOTE
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def statutes(db):
    call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)


def provision(short_title: str, key: str) -> Provision:
    return Provision.objects.get(law__short_title=short_title, key=key)


def citations_of(article: Article) -> list[tuple[int, str]]:
    return list(article.citations.order_by("order").values_list("provision_id", "added_by"))


def imported_answer(tmp_path, qid: int, question: str, answer: str) -> Article:
    """One LeCoQA row citing 民法典 1032, imported as import_qa does it."""
    row = {
        "qid": qid,
        "question": question,
        "answer": answer,
        "statutes": ["中华人民共和国民法典第一千零三十二条"],
    }
    path = tmp_path / "qa.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    import_qa(path)
    return Article.objects.get(import_key=f"lecoqa:{qid}")


class TestEveryDoorRecordsTheFinalCitations:
    def test_an_imported_answers_revision_holds_its_citations(self, statutes, tmp_path):
        article = imported_answer(
            tmp_path, 7, "网贷平台把欠款告诉通讯录里的人，合法吗？", "不合法，侵害隐私权。"
        )
        privacy = provision("民法典", "1032")
        assert citations_of(article) == [(privacy.pk, Citation.AddedBy.EDITOR)]
        imported = revisions_of(article).first()
        assert [row[0] for row in cited_in(imported)] == [privacy.pk]

    def test_restoring_the_import_revision_keeps_the_answers_citations(self, statutes, tmp_path):
        article = imported_answer(tmp_path, 8, "问题", "回答。")
        imported = revisions_of(article).first()
        article.body = "编辑改写了回答。"
        services.save_article(article=article)
        services.restore_article(article=article, version=imported)
        assert citations_of(article) == [(provision("民法典", "1032").pk, Citation.AddedBy.EDITOR)]
        assert article.body == "回答。\n"

    def test_the_demo_loader_and_the_test_helper_record_the_editors_citations(self, statutes):
        privacy = provision("民法典", "1032")
        article = make_article("标题", body=RIGHT_QUOTE, cites=[privacy])
        first = revisions_of(article).first()
        assert [tuple(row) for row in cited_in(first)] == [
            (provision("电信条例", "65").pk, 1, Citation.AddedBy.FINDER),
            (privacy.pk, 2, Citation.AddedBy.EDITOR),
        ]
        assert len(revisions_of(article)) == 1


class TestRestore:
    def test_restore_never_unpublishes_a_live_article(self, statutes):
        article = make_article("标题", status=Article.Status.DRAFT, body="草稿时的正文。")
        draft_revision = revisions_of(article).first()
        services.publish_article(article=article)
        services.restore_article(article=article, version=draft_revision)
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED and article.body == "草稿时的正文。"

    def test_restore_never_republishes_a_withdrawn_article(self, statutes):
        article = make_article("标题", body=RIGHT_QUOTE)
        live_revision = revisions_of(article).first()
        services.unpublish_article(article=article)
        services.restore_article(article=article, version=live_revision)
        article.refresh_from_db()
        assert article.status == Article.Status.DRAFT

    def test_a_misquote_restored_into_a_live_article_is_refused_without_a_reason(self, statutes):
        article = make_article("标题", status=Article.Status.DRAFT, body=MISQUOTE)
        services.publish_article(article=article, override_reason="先发布，稍后核对")
        misquoting = revisions_of(article).first()
        article.body = RIGHT_QUOTE
        services.save_article(article=article)
        with pytest.raises(services.PublishRefused) as refused:
            services.restore_article(article=article, version=misquoting)
        assert "第三十四条" in refused.value.problems[0]
        article.refresh_from_db()
        assert article.body == RIGHT_QUOTE and len(revisions_of(article)) == 3
        services.restore_article(article=article, version=misquoting, override_reason="律师确认")
        article.refresh_from_db()
        assert article.body == MISQUOTE
        assert revisions_of(article).first().revision.comment.startswith("恢复到")
        assert "仍然发布（律师确认）" in revisions_of(article).first().revision.comment


class TestThePublishRule:
    def test_saving_a_published_misquote_is_refused_whoever_saves(self, statutes):
        with pytest.raises(services.PublishRefused):
            make_article("引错了", body=MISQUOTE)
        assert not Article.objects.filter(title="引错了").exists()

    def test_editing_the_text_of_a_live_article_passes_the_rule_too(self, statutes):
        article = make_article("标题", body=RIGHT_QUOTE)
        article.body = MISQUOTE
        with pytest.raises(services.PublishRefused):
            services.save_article(article=article)
        article.refresh_from_db()
        assert article.body == RIGHT_QUOTE

    def test_a_draft_may_hold_a_misquote(self, statutes):
        article = make_article("草稿", status=Article.Status.DRAFT, body=MISQUOTE)
        assert article.reference_report[0]["quote_matches"] is False
