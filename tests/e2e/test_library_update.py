"""A library update in chromium: a reader compares two versions of a provision word by word; an
editor meets the alert on the admin's front page and cites the new text, or acknowledges with a reason."""

import datetime

import pytest
from django.urls import reverse

from articles.models import CitationAlert
from statutes.importer import import_statutes
from statutes.models import Law
from tests.e2e.test_editor_workflow import log_in_as_editor
from tests.helpers import make_article
from tests.statutes.test_update import REVIEW, first_snapshot, second_snapshot

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = datetime.date(2026, 11, 28)
OLD_PURPOSE = "为了规范电信市场秩序，制定本条例。"
OLD_APPLICATION = "公民认为具体行政行为侵犯其合法权益，向行政机关提出行政复议申请。"


@pytest.fixture
def updated(tmp_path, live_server, settings):
    settings.SITE_URL = live_server.url
    root = tmp_path / "laws"
    root.mkdir()
    first_snapshot(root)
    import_statutes(root, today=TODAY)
    articles = {
        "amended": make_article("电信条例的立法目的", body=f"《电信条例》第一条：“{OLD_PURPOSE}”"),
        "renumbered": make_article(
            "行政复议怎么申请", body=f"《中华人民共和国行政复议法》第二条规定：“{OLD_APPLICATION}”"
        ),
    }
    second_snapshot(root)
    import_statutes(root, today=TODAY)
    return live_server.url, articles


def test_a_reader_compares_two_versions_of_a_provision_word_by_word(page, updated, screenshot):
    site, articles = updated
    old, new = Law.objects.filter(title=REVIEW).order_by("promulgated_on")
    page.goto(site + reverse("statutes:provision_detail", args=[new.pk, "1"]))
    versions = page.locator(".provision-versions")
    assert "2017年9月1日" in versions.inner_text()
    versions.get_by_text("与本页对照").click()
    page.wait_for_url("**/compare/**")
    diff = page.locator("section .diff-text").first
    assert diff.locator("del.diff-out").all_inner_texts() == ["具体"]
    assert "保护公民的合法权益" in "".join(diff.locator("ins.diff-in").all_inner_texts())
    screenshot(page, "library-1-provision-compare")
    page.get_by_text("查看全法修订对照").click()
    page.wait_for_url(f"**/{old.pk}/compare/{new.pk}/")
    assert "4 条有变动" in page.inner_text("main")
    # The article quoting the old text tells its readers.
    page.goto(site + articles["renumbered"].get_absolute_url())
    assert "此条已于 2023-09-01 条号变动" in page.inner_text(".cited-provisions")


def test_an_editor_cites_the_new_text_and_acknowledges_another(page, updated, screenshot):
    site, articles = updated
    log_in_as_editor(page, site)
    page.get_by_text("篇文章所引法条已修改").click()
    assert articles["amended"].title in page.inner_text("#result_list")
    page.goto(site + reverse("admin:articles_article_change", args=[articles["renumbered"].pk]))
    panel = page.locator(".kb-alert")
    assert OLD_APPLICATION in panel.inner_text()
    screenshot(page, "library-2-alert-on-the-change-form")
    panel.get_by_role("button", name="引用新条文").click()
    assert "已引用新条文" in page.inner_text(".messagelist")
    assert "第三条规定" in page.input_value("#id_body")

    page.goto(site + reverse("admin:articles_article_change", args=[articles["amended"].pk]))
    panel = page.locator(".kb-alert")
    panel.get_by_role("button", name="确认无需修改").click()
    assert "请写明为什么无需修改" in page.inner_text(".messagelist")
    page.locator(".kb-alert input[type=text]").fill("本文讨论的是修改前的规定")
    page.locator(".kb-alert").get_by_role("button", name="确认无需修改").click()
    assert "已确认无需修改" in page.inner_text(".messagelist")
    assert not CitationAlert.objects.filter(resolved_at__isnull=True).exists()
