"""The editors' workflow in chromium: write with the toolbar and the live preview, fix a misquote in one
click, publish, edit, compare and restore revisions, schedule, read what readers search for; and a
reader who can reach neither a draft nor a scheduled article by any way in."""

import datetime
import re
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from articles.revisions import revisions_of
from articles.services import ensure_editor_group
from tests.helpers import make_article

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Edit0r-passw0rd!"
QUOTE = "规定：“电信用户依法使用电信的自由和通信秘密受法律保护。”"


@pytest.fixture
def demo(live_server, settings):
    settings.SITE_URL = live_server.url  # the site's configured address: links in pages name it
    call_command("load_demo", verbosity=0)
    call_command("rebuild_index", interactive=False, verbosity=0)
    return live_server.url


def log_in_as_editor(page, site):
    editor = User.objects.create_user("editor", password=PASSWORD, is_staff=True)
    editor.groups.add(ensure_editor_group())
    page.goto(site + "/admin/login/?next=/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def save(page, button="_save"):
    page.click(f"input[name={button}]")
    page.wait_for_load_state()
    errors = page.locator(".errornote, .errorlist")
    assert errors.count() == 0, errors.all_inner_texts()


def test_editor_writes_fixes_publishes_revises_restores_schedules_and_reads_insight(page, demo, screenshot):
    log_in_as_editor(page, demo)

    # 1. Write with the toolbar; the preview follows, and marks the misquote.
    page.goto(demo + "/admin/articles/article/add/")
    page.fill("#id_title", "网贷平台把逾期的事群发给通讯录，侵犯通信自由吗？")
    page.select_option("#id_category", label="金融债务")
    page.select_option("#id_author", label="林清远")
    page.fill("#id_body", "平台把借款人逾期的事群发给通讯录里的联系人。\n\n相关法条")
    page.get_by_role("button", name="标题", exact=True).click()
    page.keyboard.type("\n\n")
    page.get_by_placeholder("引用法条，如 民法典 1032").fill("电信条例 34")
    page.get_by_role("button", name="《电信条例》第三十四条").click()
    page.locator("#id_body").press("End")
    page.keyboard.type(QUOTE)
    assert "## 相关法条\n\n《电信条例》第三十四条" + QUOTE in page.input_value("#id_body")

    misquoted = page.locator(".kb-ref--misquoted")
    misquoted.wait_for()
    assert "第六十五条" in misquoted.inner_text()
    assert page.locator(".kb-preview h2").inner_text() == "相关法条"
    page.locator(".kb-preview a.statute-ref--misquoted").wait_for()
    screenshot(page, "editor-1-live-preview-misquote")

    # 2. One click rewrites the reference; the preview confirms it.
    page.get_by_role("button", name="改为 第六十五条").click()
    page.locator(".kb-ref--resolved").wait_for()
    assert page.locator(".kb-ref--misquoted").count() == 0
    assert "《电信条例》第六十五条" + QUOTE in page.input_value("#id_body")
    screenshot(page, "editor-2-fixed-in-one-click")

    # 3. Publish.
    page.select_option("#id_status", "published")
    save(page)
    page.wait_for_url("**/admin/articles/article/")
    article = Article.objects.get(title="网贷平台把逾期的事群发给通讯录，侵犯通信自由吗？")
    assert article.is_published and "第六十五条" in article.body
    assert page.locator("tr", has_text=article.title).locator(".kb-state--published").inner_text() == "已发布"

    # 4. Edit again.
    page.goto(demo + f"/admin/articles/article/{article.pk}/change/")
    page.fill("#id_body", page.input_value("#id_body") + "\n\n## 小编总结\n\n催收不得骚扰借款人的联系人。")
    save(page)

    # 5. Compare the two revisions.
    page.goto(demo + f"/admin/articles/article/{article.pk}/change/")
    page.get_by_role("link", name="修订历史").click()
    page.wait_for_url("**/revisions/")
    boxes = page.locator("input[name=compare]")
    assert boxes.count() == 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="比较").click()
    page.locator(".kb-compare").wait_for()
    assert "催收不得骚扰借款人的联系人。" in "".join(page.locator(".kb-compare ins").all_inner_texts())
    assert page.locator(".kb-compare del").count() == 0  # the body kept, word for word
    screenshot(page, "editor-3-compare-revisions")

    # 6. Restore the first: a new revision, checked again.
    page.locator(".kb-revision-list tbody tr").nth(1).get_by_role("button", name="恢复").click()
    page.wait_for_url(f"**/admin/articles/article/{article.pk}/change/")
    assert "已恢复该版本" in page.locator(".messagelist").inner_text()
    article.refresh_from_db()
    assert "小编总结" not in article.body and article.reference_report[0]["quote_matches"] is True
    assert revisions_of(article).count() == 3

    # 7. Schedule an article a few seconds ahead: 定时 in the list, hidden from readers, then shown.
    when = timezone.localtime() + datetime.timedelta(seconds=12)
    page.goto(demo + "/admin/articles/article/add/")
    page.fill("#id_title", "定时发布：试用期被辞退能拿补偿吗？")
    page.select_option("#id_category", label="劳动用工")
    page.select_option("#id_author", label="林清远")
    page.fill("#id_body", "试用期内被辞退，用人单位须说明理由。")
    page.select_option("#id_status", "published")
    page.fill("#id_published_at_0", when.strftime("%Y-%m-%d"))
    page.fill("#id_published_at_1", when.strftime("%H:%M:%S"))
    save(page)
    scheduled = Article.objects.get(title="定时发布：试用期被辞退能拿补偿吗？")
    state = page.locator("tr", has_text=scheduled.title).locator(".kb-state--scheduled").inner_text()
    assert state == f"定时（{when:%Y-%m-%d %H:%M}）"
    screenshot(page, "editor-4-scheduled-in-the-list")

    reader = page.context.browser.new_context(locale="zh-CN").new_page()
    assert reader.goto(demo + scheduled.get_absolute_url()).status == 404
    time.sleep(max(0.0, (when - timezone.localtime()).total_seconds()) + 1)
    assert reader.goto(demo + scheduled.get_absolute_url()).status == 200
    assert scheduled.title in reader.locator("h1").inner_text()
    reader.goto(demo + "/search/?q=" + "试用期被辞退")
    assert scheduled.title in reader.locator(".result__title").all_inner_texts()

    # 8. What readers search for, and do not find.
    reader.goto(demo + "/search/?q=" + "邻居家的狗半夜一直叫")
    reader.goto(demo + "/search/?q=" + "火星旅游签证")
    reader.context.close()
    page.goto(demo + "/admin/search/searchrecord/?period=1")
    assert "火星旅游签证" in page.locator("#unanswered").inner_text()
    assert "邻居家的狗半夜一直叫" in page.locator("#few").inner_text()
    assert "试用期被辞退" in page.locator("#frequent").inner_text()
    screenshot(page, "editor-5-search-insight")


def test_a_reader_reaches_neither_drafts_nor_scheduled_articles_by_any_way_in(page, demo):
    draft = make_article("草稿：只给编辑看的网贷问题", status=Article.Status.DRAFT, body="网贷草稿正文。")
    scheduled = make_article(
        "定时：明天才发布的网贷问题",
        published_at=timezone.now() + datetime.timedelta(days=1),
        body="网贷定时正文。",
    )
    call_command("rebuild_index", interactive=False, verbosity=0)
    titles = [draft.title, scheduled.title]

    for article in (draft, scheduled):
        assert page.goto(demo + article.get_absolute_url()).status == 404
    for path in (
        "/",
        "/category/finance-debt/",
        "/feed/",
        "/search/?q=网贷问题",
        "/search/?q=网贷&type=articles",
    ):
        content = page.request.get(demo + path).text()
        assert not any(title in content for title in titles), path
    suggestions = page.request.get(demo + "/search/suggest?q=网贷问题").text()
    assert not any(title in suggestions for title in titles)

    sitemap_index = page.request.get(demo + "/sitemap.xml").text()
    sitemaps = re.findall(r"<loc>([^<]+)</loc>", sitemap_index)
    assert sitemaps
    for url in sitemaps:
        listed = page.request.get(url).text()
        for article in (draft, scheduled):
            assert article.get_absolute_url() not in listed, url

    # The editor's preview link opens both.
    log_in_as_editor(page, demo)
    for article in (draft, scheduled):
        assert page.goto(demo + article.get_absolute_url()).status == 200
        assert article.title in page.locator("h1").inner_text()
