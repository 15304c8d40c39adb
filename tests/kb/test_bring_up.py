"""manage.py bring_up (make run): the library, the demo and the Q&A, and the index; each only when its input changed."""

import io
import json
import re

import pytest
from django.core.management import call_command

from articles import revisions, services
from articles.models import Article, Category, RelatedArticle
from kb.search.selectors import search
from statutes.models import Provision
from tests.helpers import write_statute

pytestmark = pytest.mark.django_db(transaction=True)


ANSWERS = ["催收爆通讯录侵犯隐私吗？", "网贷催收打电话给家人，侵犯隐私吗？"]


@pytest.fixture
def shared(tmp_path, settings, search_index):
    """A small corpus and Q&A file in a shared folder of their own; var/ in a temporary folder."""
    settings.VAR_DIR = tmp_path / "var"
    corpus = tmp_path / "shared" / "laws"
    write_statute(
        corpus,
        "民法典/民法典(2020-05-28).md",  # the demo's version of it
        "中华人民共和国民法典",
        "第一千零三十二条 自然人享有隐私权。任何组织不得泄露。",
    )
    qa = tmp_path / "shared" / "qa.jsonl"
    rows = [
        {"qid": 1, "question": ANSWERS[0], "answer": "侵犯隐私权。", "statutes": ["民法典第一千零三十二条"]},
        {
            "qid": 2,
            "question": ANSWERS[1],
            "answer": "可能侵犯隐私权。",
            "statutes": ["民法典第一千零三十二条"],
        },
    ]
    qa.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return corpus, qa


def bring_up(corpus, qa) -> str:
    out = io.StringIO()
    call_command("bring_up", corpus=str(corpus), qa=str(qa), stdout=out)
    return out.getvalue()


def test_the_first_run_brings_everything_and_the_next_ones_only_what_changed(shared):
    corpus, qa = shared
    first = bring_up(corpus, qa)
    assert "[1/5]" in first and "[3/5]" in first and "[4/5]" in first
    assert Provision.objects.filter(law__short_title="民法典", key="1032").exists()
    imported = Article.objects.get(title=ANSWERS[0])
    assert set(Article.objects.values_list("title", flat=True)) == set(ANSWERS)  # no demo articles
    assert [hit.object for hit in search("催收 通讯录 隐私").articles.hits][0] == imported
    assert RelatedArticle.objects.filter(article=imported).exists()

    second = bring_up(corpus, qa)
    assert "[1/5]" not in second and "[3/5]" not in second and "[4/5]" not in second
    assert "up to date" in second

    qa.write_text(
        qa.read_text(encoding="utf-8").replace("侵犯隐私权。", "侵犯隐私权，可以起诉。"), encoding="utf-8"
    )
    third = bring_up(corpus, qa)
    assert "[1/5]" not in third and "[3/5]" in third and "its input changed (qa)" in third
    assert "可以起诉" in Article.objects.get(pk=imported.pk).body


def test_without_the_shared_folder_the_demo_alone_and_says_so(shared, tmp_path):
    out = bring_up(tmp_path / "nowhere" / "laws", tmp_path / "nowhere" / "qa.jsonl")
    assert "No statute corpus" in out and "No Q&A file" in out
    assert Article.objects.count() == 13 and Provision.objects.exists()
    assert search("网贷逾期").articles.total > 0


class TestDemoArticlesOnlyWithoutTheRealAnswers:
    """The demo's 13 articles stand in for the real answers; where those are, readers meet them alone."""

    def test_a_site_with_the_real_answers_gets_no_demo_articles_but_the_demo_library(self, shared, client):
        corpus, qa = shared
        out = bring_up(corpus, qa)
        assert "not its articles" in out
        assert not Article.objects.filter(author__name="林清远").exists()
        # The demo's categories and the provisions it cites are there; the counts are the real answers'.
        assert Category.objects.filter(slug="finance-debt").exists()
        assert Provision.objects.filter(law__short_title="电信条例", key="65").exists()
        content = client.get("/").content.decode()
        assert "网贷逾期后平台群发短信给通讯录联系人" not in content
        counts = re.findall(r'class="muted">(\d+) 篇</span>', content)
        assert sum(map(int, counts)) == 2

    def test_a_site_that_has_both_withdraws_the_demo_articles_and_keeps_what_editors_made(
        self, shared, tmp_path
    ):
        _, qa = shared
        bring_up(tmp_path / "nowhere" / "laws", tmp_path / "nowhere" / "qa.jsonl")  # the demo alone
        assert Article.objects.published().count() == 13
        edited = Article.objects.get(title__contains="通讯录")
        edited.body += "\n编辑补充的一段。\n"
        services.save_article(article=edited)

        nowhere = tmp_path / "nowhere" / "laws"
        out = bring_up(nowhere, qa)  # then the real answers arrive (the demo's library is enough for them)
        assert "12 demo articles withdrawn to drafts" in out
        published = Article.objects.published()
        assert set(published.values_list("title", flat=True)) == {*ANSWERS, edited.title}
        assert Article.objects.filter(status=Article.Status.DRAFT).count() == 12  # kept, for editors
        withdrawn = Article.objects.get(title__contains="加班费")
        assert "撤回为草稿" in revisions.revisions_of(withdrawn).first().revision.comment

        again = bring_up(nowhere, qa)  # re-runnable: nothing more to do
        assert "withdrawn" not in again and Article.objects.published().count() == 3

    def test_answers_imported_before_stay_without_their_file_and_keep_the_demo_away(self, shared, tmp_path):
        corpus, qa = shared
        bring_up(corpus, qa)
        qa.unlink()
        out = bring_up(corpus, qa)
        assert "the answers imported before stay" in out
        assert set(Article.objects.values_list("title", flat=True)) == set(ANSWERS)
