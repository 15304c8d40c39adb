"""A library update flags the published articles citing what it changed (articles.alerts)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.alerts import (
    AlertResolved,
    acknowledge,
    articles_with_open_alerts,
    cite_new_text,
    flag_citing_articles,
)
from articles.models import Article, CitationAlert
from kb import reader_cache
from statutes.importer import import_statutes
from statutes.models import Provision
from tests.helpers import make_article
from tests.statutes.test_update import REVIEW, TELECOM, first_snapshot, second_snapshot

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


def provision(title, key, **filters):
    return Provision.objects.get(law__title=title, key=key, **filters)


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "laws"
    root.mkdir()
    first_snapshot(root)
    import_statutes(root, today=TODAY)
    return root


def test_articles_citing_changed_renumbered_or_repealed_provisions_are_flagged(library):
    reworded = make_article("电信条例第一条的文章", cites=[provision(TELECOM, "1")])
    unchanged = make_article("电信条例第二条的文章", cites=[provision(TELECOM, "2")])
    moved = make_article("行政复议申请的文章", cites=[provision(REVIEW, "2")])
    repealed = make_article("旧条例的文章", cites=[provision("旧条例", "1")])
    draft = make_article("草稿", cites=[provision(TELECOM, "1")], status=Article.Status.DRAFT)

    second_snapshot(library)
    import_statutes(library, today=TODAY)  # the signal flags them

    flagged = {alert.article: alert for alert in CitationAlert.objects.select_related("provision_change")}
    assert set(flagged) == {reworded, moved, repealed}
    assert flagged[reworded].what_changed == "修改"
    assert flagged[moved].what_changed == "条号变动" and flagged[moved].provision_change.new_label == "第三条"
    assert flagged[repealed].what_changed == "废止" and flagged[repealed].provision_change is None
    assert unchanged not in flagged and draft not in flagged
    assert set(articles_with_open_alerts()) == {reworded, moved, repealed}


def test_flagging_again_makes_no_second_alert(library):
    make_article(cites=[provision(TELECOM, "1")])
    second_snapshot(library)
    record = import_statutes(library, today=TODAY).library_import
    assert CitationAlert.objects.count() == 1
    assert flag_citing_articles(record) == 0 and CitationAlert.objects.count() == 1
    import_statutes(library, today=TODAY)  # nothing changed: nothing flagged
    assert CitationAlert.objects.count() == 1


def test_readers_see_beside_the_quotation_that_it_changed_until_an_editor_acts(library, client):
    moved = make_article("行政复议申请的文章", cites=[provision(REVIEW, "2")])
    second_snapshot(library)
    import_statutes(library, today=TODAY)
    new_place = provision(REVIEW, "3", law__is_current=True)
    page = client.get(moved.get_absolute_url()).content.decode()
    assert "此条已于 2023-09-01 条号变动" in page and f'href="{new_place.get_absolute_url()}"' in page

    CitationAlert.objects.update(
        resolved_at=timezone.now(), resolution=CitationAlert.Resolution.ACKNOWLEDGED, reason="仍然适用"
    )
    reader_cache.content_changed()
    assert "此条已于" not in client.get(moved.get_absolute_url()).content.decode()


OLD_APPLICATION = "公民认为具体行政行为侵犯其合法权益，向行政机关提出行政复议申请。"
OLD_PURPOSE = "为了规范电信市场秩序，制定本条例。"


def flagged(article):
    return CitationAlert.objects.get(article=article)


def test_citing_the_new_text_renumbers_the_reference_and_moves_the_citation(library, editor_user):
    article = make_article(
        "行政复议怎么申请",
        body=f"《中华人民共和国行政复议法》第二条规定：“{OLD_APPLICATION}”所以可以申请。",
    )
    second_snapshot(library)
    import_statutes(library, today=TODAY)
    alert = flagged(article)
    done = cite_new_text(alert, user=editor_user)
    article.refresh_from_db()
    assert done.references_renumbered == 1 and "行政复议法》第三条规定" in article.body
    new_place = provision(REVIEW, "3", law__is_current=True)
    assert list(article.citations.values_list("provision_id", flat=True)) == [new_place.pk]
    alert.refresh_from_db()
    assert alert.resolution == CitationAlert.Resolution.CITED_NEW and alert.resolved_by == editor_user
    (latest, *_) = Version.objects.get_for_object(article)
    assert latest.revision.comment.startswith("引用新条文：")
    with pytest.raises(AlertResolved):
        cite_new_text(alert, user=editor_user)


def test_citing_the_new_text_replaces_a_quotation_amended_in_place(library, editor_user):
    article = make_article("电信条例的立法目的", body=f"《电信条例》第一条：“{OLD_PURPOSE}”")
    second_snapshot(library)
    import_statutes(library, today=TODAY)
    done = cite_new_text(flagged(article), user=editor_user)
    article.refresh_from_db()
    assert done.quotes_replaced == 1 and OLD_PURPOSE not in article.body
    assert "维护电信用户和电信业务经营者的合法权益" in article.body


def test_acknowledging_needs_a_reason_and_keeps_it_in_the_revision_history(library, editor_user):
    article = make_article("电信条例的立法目的", body=f"《电信条例》第一条：“{OLD_PURPOSE}”")
    second_snapshot(library)
    import_statutes(library, today=TODAY)
    alert = flagged(article)
    with pytest.raises(ValueError):
        acknowledge(alert, user=editor_user, reason="  ")
    acknowledge(alert, user=editor_user, reason="本文讨论的是修改前的案件")
    alert.refresh_from_db()
    assert not alert.is_open and alert.reason == "本文讨论的是修改前的案件"
    (latest, *_) = Version.objects.get_for_object(article)
    assert "确认无需修改" in latest.revision.comment and "修改前的案件" in latest.revision.comment
    article.refresh_from_db()
    assert OLD_PURPOSE in article.body  # the body as it was


def test_a_removed_or_repealed_provision_has_no_new_text_to_cite(library, editor_user):
    article = make_article("旧条例的文章", cites=[provision("旧条例", "1")])
    second_snapshot(library)
    import_statutes(library, today=TODAY)
    with pytest.raises(ValueError):
        cite_new_text(flagged(article), user=editor_user)


class TestAdmin:
    """The editor's side: the filter, the count on the admin's front page, the change form's panel
    with the old and new texts side by side, and its two actions."""

    @pytest.fixture
    def flagged_article(self, library):
        article = make_article("电信条例的立法目的", body=f"《电信条例》第一条：“{OLD_PURPOSE}”")
        second_snapshot(library)
        import_statutes(library, today=TODAY)
        return article

    def test_the_front_page_counts_and_the_list_filters_flagged_articles(
        self, editor_client, flagged_article
    ):
        make_article("没有变动的文章")
        front = editor_client.get(reverse("admin:index")).content.decode()
        assert "<strong>1</strong> 篇文章所引法条已修改" in front
        listing = editor_client.get(reverse("admin:articles_article_changelist"), {"cited_changed": "open"})
        assert flagged_article.title in listing.content.decode()
        assert "没有变动的文章" not in listing.content.decode()

    def test_the_change_form_shows_both_texts_and_acknowledging_resolves_it(
        self, editor_client, flagged_article
    ):
        url = reverse("admin:articles_article_change", args=[flagged_article.pk])
        page = editor_client.get(url).content.decode()
        alert = flagged(flagged_article)
        assert "所引法条已修改" in page and OLD_PURPOSE in page
        assert '<ins class="diff-in">' in page and "引用新条文" in page and "确认无需修改" in page
        acknowledge_url = reverse(
            "admin:articles_article_alert_acknowledge", args=[flagged_article.pk, alert.pk]
        )
        refused = editor_client.post(acknowledge_url, {f"alert_reason_{alert.pk}": ""}, follow=True)
        assert "请写明为什么无需修改" in refused.content.decode() and flagged(flagged_article).is_open
        done = editor_client.post(
            acknowledge_url, {f"alert_reason_{alert.pk}": "案件发生在修改之前"}, follow=True
        )
        assert "已确认无需修改" in done.content.decode() and not flagged(flagged_article).is_open
        assert editor_client.get(acknowledge_url).status_code == 405

    def test_citing_the_new_text_from_the_change_form(self, editor_client, flagged_article):
        alert = flagged(flagged_article)
        url = reverse("admin:articles_article_alert_cite_new", args=[flagged_article.pk, alert.pk])
        done = editor_client.post(url, follow=True).content.decode()
        assert "已引用新条文：正文中替换了 1 处引文" in done
        again = editor_client.post(url, follow=True).content.decode()
        assert "已经有人处理过了" in again
