"""manage.py bring_up (make run): the library, the demo and the Q&A, and the index; each only when its input changed."""

import io
import json

import pytest
from django.core.management import call_command

from articles.models import Article, RelatedArticle
from kb.search.selectors import search
from statutes.models import Provision
from tests.helpers import write_statute

pytestmark = pytest.mark.django_db(transaction=True)


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
    qa.write_text(
        json.dumps(
            {
                "qid": 1,
                "question": "催收爆通讯录侵犯隐私吗？",
                "answer": "侵犯隐私权。",
                "statutes": ["民法典第一千零三十二条"],
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    return corpus, qa


def bring_up(corpus, qa) -> str:
    out = io.StringIO()
    call_command("bring_up", corpus=str(corpus), qa=str(qa), stdout=out)
    return out.getvalue()


def test_the_first_run_brings_everything_and_the_next_ones_only_what_changed(shared):
    corpus, qa = shared
    first = bring_up(corpus, qa)
    assert "[1/4]" in first and "[3/4]" in first and "[4/4]" in first
    assert Provision.objects.filter(law__short_title="民法典", key="1032").exists()
    imported = Article.objects.get(title="催收爆通讯录侵犯隐私吗？")
    assert Article.objects.count() == 14  # 13 demo articles and the answer
    assert [hit.object for hit in search("催收 通讯录 隐私").articles.hits][0] == imported
    assert RelatedArticle.objects.filter(article=imported).exists()

    second = bring_up(corpus, qa)
    assert "[1/4]" not in second and "[3/4]" not in second and "[4/4]" not in second
    assert "up to date" in second

    qa.write_text(
        qa.read_text(encoding="utf-8").replace("侵犯隐私权。", "侵犯隐私权，可以起诉。"), encoding="utf-8"
    )
    third = bring_up(corpus, qa)
    assert "[1/4]" not in third and "[3/4]" in third and "its input changed (qa)" in third
    assert "可以起诉" in Article.objects.get(pk=imported.pk).body


def test_without_the_shared_folder_the_demo_alone_and_says_so(shared, tmp_path):
    out = bring_up(tmp_path / "nowhere" / "laws", tmp_path / "nowhere" / "qa.jsonl")
    assert "No statute corpus" in out and "No Q&A file" in out
    assert Article.objects.count() == 13 and Provision.objects.exists()
    assert search("网贷逾期").articles.total > 0
