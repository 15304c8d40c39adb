"""The search page on any haystack backend: our Whoosh backend, and haystack's SimpleEngine (the ORM).

Nothing Whoosh-only sits on the common path: the views and selectors ask kb.search.engine, which
ranks on our index where it is one and goes through haystack's public API otherwise. The
SimpleEngine ranks crudely (words found in the database), so what is checked here is what must
hold on every backend: the page answers, finds an obvious match, jumps to a cited provision,
filters, pages, suggests, and keeps drafts and scheduled articles out.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from haystack import connections

from articles.models import Article
from kb.search.engine import HaystackEngine, WhooshEngine, search_engine
from tests.helpers import make_article

SIMPLE = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}


@pytest.fixture(params=["whoosh", "simple"])
def backend(request, db):
    """The demo content, searched through one backend or the other."""
    if request.param == "whoosh":
        request.getfixturevalue("demo_index")
        yield WhooshEngine
        return
    call_command("load_demo", verbosity=0)
    configured = connections.connections_info
    connections.connections_info = SIMPLE
    connections.reload("default")
    try:
        yield HaystackEngine
    finally:
        connections.connections_info = configured
        connections.reload("default")


def hits(client, **params):
    response = client.get(reverse("search:search"), params)
    assert response.status_code == 200
    outcome = response.context["outcome"]
    return outcome, response.content.decode()


def test_the_engine_is_the_backends_own(backend):
    assert isinstance(search_engine(), backend)


def test_an_obvious_match_is_found_and_marked(client, backend):
    outcome, content = hits(client, q="通讯录", type="articles")
    titles = [hit.object.title for hit in outcome.articles.hits]
    assert any("通讯录" in title for title in titles)
    assert "<mark>通讯录</mark>" in content


def test_a_citation_jumps_to_its_provision(client, backend):
    outcome, _ = hits(client, q="民法典第1032条")
    first = outcome.provisions.hits[0].object
    assert (first.law.short_title, first.key) == ("民法典", "1032")


def test_filters_and_pages_answer_on_every_backend(client, backend):
    url = reverse("search:search")
    for params in (
        {"q": "民法典", "type": "provisions", "level": "行政法规"},
        {"q": "民法典", "type": "provisions", "versions": "all"},
        {"q": "借款", "type": "articles", "category": "1"},
        {"q": "合同", "type": "articles", "page": "1"},
    ):
        assert client.get(url, params).status_code == 200, params
    assert client.get(url, {"q": "民法典", "type": "provisions", "page": "51"}).status_code == 404
    assert (
        client.get(reverse("search:suggest"), {"q": "民法典1032"}).json()["suggestions"][0]["kind"]
        == "provision"
    )


def test_drafts_and_scheduled_articles_stay_out(client, backend):
    draft = make_article("草稿里的通讯录问题", status=Article.Status.DRAFT, body="通讯录")
    scheduled = make_article(
        "定时发布的通讯录问题", published_at=timezone.now() + datetime.timedelta(days=1), body="通讯录"
    )
    outcome, _ = hits(client, q="通讯录", type="articles")
    shown = {hit.object.pk for hit in outcome.articles.hits}
    assert shown and not shown & {draft.pk, scheduled.pk}
