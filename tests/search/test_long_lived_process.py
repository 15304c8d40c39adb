"""One long-lived process (a web worker) searching while articles are saved, deleted and published.

Every save commits a new index generation; the worker's kept searcher is refreshed and its old
segment readers are closed. Searches, related lists and topics must go on exactly as before: no
error, the right results, and no silent fallback.
"""

import logging

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from articles import services
from articles.models import Article, ArticleTopic
from articles.selectors import related_articles
from kb.search.related import compute_related
from statutes.models import Provision
from tests.helpers import make_article, make_category

pytestmark = pytest.mark.django_db(transaction=True)


def titles(response):
    return [hit.object.title for hit in response.context["outcome"].articles.hits]


@pytest.fixture
def site(search_index):
    """The demo statutes and three articles, indexed; two of them on the same question."""
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "demo_statutes.json"), verbosity=0)
    labour = make_category("劳动用工", "labour", 2)
    articles = {
        "contacts": make_article(
            "网贷平台催收时群发短信给我的通讯录联系人合法吗", body="催收短信发给通讯录联系人。\n"
        ),
        "same_question": make_article(
            "网贷逾期后催收爆通讯录怎么办", category=labour, body="网贷逾期，催收爆通讯录，群发短信。\n"
        ),
        "wages": make_article("公司拖欠工资怎么办", body="劳动者可以申请劳动仲裁。\n"),
    }
    search_index()
    return articles


def test_searches_related_lists_and_topics_survive_every_index_change(site, caplog):
    client = Client()
    caplog.set_level(logging.WARNING)

    def get(query):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, query
        return response

    # A warm worker: a one-word query reads only the word field's statistics.
    assert titles(get("债"))

    # An editor saves: a new index generation, the worker's readers are reopened.
    contacts = site["contacts"]
    contacts.body += "\n补充：保留催收短信截图作为证据。\n"
    contacts.save()
    found = titles(get("网贷逾期 催收 通讯录"))
    assert contacts.title in found and site["same_question"].title in found

    # Related lists come from the index, not from the fallback (the latest of the same category).
    assert site["same_question"].pk in compute_related(contacts)
    assert site["same_question"] in related_articles(article=contacts)
    # Topics were found by the statute search when the article was saved.
    assert ArticleTopic.objects.filter(article=contacts).exists()

    # A deletion, then a publication, each searched right after.
    wages_title = site["wages"].title
    services.delete_article(article=site["wages"])
    assert wages_title not in titles(get("拖欠工资"))
    draft = make_article(
        "快递公司泄露我的个人信息怎么办", status=Article.Status.DRAFT, body="个人信息被泄露。\n"
    )
    assert draft.title not in titles(get("快递 泄露 个人信息"))
    services.publish_article(article=draft)
    assert draft.title in titles(get("快递 泄露 个人信息"))
    assert ArticleTopic.objects.filter(article=draft).exists()

    # Provisions are still found, with their statistics read from the reopened segments.
    provisions = get("通讯录 个人信息").context["outcome"].provisions.hits
    assert {hit.object.pk for hit in provisions} <= set(Provision.objects.values_list("pk", flat=True))
    assert provisions
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING], caplog.text
