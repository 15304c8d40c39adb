"""A library update flags the published articles citing what it changed (articles.alerts)."""

import datetime

import pytest
from django.utils import timezone

from articles.alerts import articles_with_open_alerts, flag_citing_articles
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
