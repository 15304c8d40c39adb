"""Related articles and topics: computed by the search layer after each change, kept as rows, read by pages."""

import pytest
from django.core.management import call_command

from articles import services
from articles.models import Article, ArticleTopic, RelatedArticle
from articles.selectors import related_articles
from kb.search.related import topic_neighbours
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


def listed(article) -> list[int]:
    return list(RelatedArticle.objects.filter(article=article).values_list("related_id", flat=True))


@pytest.fixture
def related_demo(demo_index):
    call_command("refresh_topics", verbosity=0)


def test_related_articles_exclude_itself_and_drafts_and_follow_changes(
    related_demo, django_capture_on_commit_callbacks
):
    article = Article.objects.published().get(title__contains="通讯录")
    related = related_articles(article=article)
    assert related and article not in related and len(related) <= 5
    assert [item.pk for item in related] == listed(article)[: len(related)]
    first = related[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish_article(article=first)
    # The list that showed it was computed again, without it.
    assert first.pk not in listed(article) and listed(article)
    assert first not in related_articles(article=article)


def test_a_new_answer_joins_its_neighbours_lists_and_a_deleted_one_leaves_them(
    related_demo, django_capture_on_commit_callbacks
):
    neighbour = Article.objects.published().get(title__contains="通讯录")
    with django_capture_on_commit_callbacks(execute=True):
        twin = make_article(
            "网贷逾期后平台把欠款的事群发给我通讯录里的亲友，合法吗？",
            body="网贷逾期，平台群发短信给通讯录联系人，侵害隐私权和个人信息。见《民法典》第一千零三十二条。",
        )
    assert neighbour.pk in listed(twin)
    assert twin.pk in listed(neighbour)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_article(article=twin)
    assert twin.pk not in listed(neighbour) and len(listed(neighbour)) == 5


def test_topics_are_the_provisions_search_finds_and_follow_the_text(
    demo_index, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(
            title="催收爆通讯录侵犯隐私吗", body="催收人员把欠款的事告诉通讯录里的亲友，侵害隐私权。"
        )
    topics = list(article.topics.values_list("rank", "provision__law__short_title", "provision__key"))
    assert topics, "the demo index holds the privacy provisions"
    assert [rank for rank, *_ in topics] == list(range(len(topics)))
    assert ("民法典", "1032") in [(law, key) for _, law, key in topics]

    article.title = "劳动合同解除的经济补偿"
    article.body = "公司解除劳动合同，应当支付经济补偿。"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_article(article=article)
    assert ("民法典", "1032") not in set(
        article.topics.values_list("provision__law__short_title", "provision__key")
    )

    ArticleTopic.objects.all().delete()
    call_command("refresh_topics", verbosity=0)
    assert ArticleTopic.objects.filter(article=article).exists()


def test_topic_neighbours_weigh_shared_provisions_by_rank_and_skip_drafts(db):
    call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)
    from statutes.models import Provision

    provisions = list(Provision.objects.order_by("pk")[:3])
    first, twin, partial, draft = (make_article(title=f"文章{n}", body="正文") for n in range(4))
    ArticleTopic.objects.all().delete()
    for article, chosen in (
        (first, provisions),
        (twin, provisions),
        (partial, provisions[2:]),
        (draft, provisions),
    ):
        ArticleTopic.objects.bulk_create(
            ArticleTopic(article=article, provision=provision, rank=rank)
            for rank, provision in enumerate(chosen)
        )
    draft.status = Article.Status.DRAFT
    draft.save(update_fields=["status"])
    scores = topic_neighbours(first)
    assert set(scores) == {twin.pk, partial.pk}
    assert scores[twin.pk] > scores[partial.pk] > 0
