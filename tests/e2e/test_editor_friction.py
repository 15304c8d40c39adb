"""The rough edges of the editor's admin (issue 22), each in chromium as an editor meets it: the title field,
one history, comparing revisions, the word-level diff, buttons that keep their words whole, the preview
after a refused publication, and half-width punctuation in Chinese."""

import pytest
from django.core.management import call_command

from articles import services
from articles.models import Article
from tests.e2e.test_editor_workflow import log_in_as_editor
from tests.helpers import make_article

pytestmark = pytest.mark.django_db(transaction=True)

MISQUOTE = "《电信条例》第三十四条规定：“电信用户依法使用电信的自由和通信秘密受法律保护。”"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Each visible button whose label takes more than one line: (label, lines).
WRAPPED_BUTTONS = """() => [...document.querySelectorAll('button:not(.theme-toggle), a.button, .object-tools a, .submit-row a')]
  .filter(element => element.offsetParent !== null && element.textContent.trim())
  .map(element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const lines = new Set([...range.getClientRects()].filter(rect => rect.width > 0)
      .map(rect => Math.round(rect.top)));
    return [element.textContent.trim(), lines.size];
  })
  .filter(([, lines]) => lines > 1)"""


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    call_command("load_demo", verbosity=0)
    return live_server.url


@pytest.fixture
def revised(site):
    """A published article saved three times, its body reworded each time (one with a long comment, as
    publishing despite the reference check writes, which leaves the table's last column narrow)."""
    article = make_article(
        "网贷逾期群发短信给通讯录违法吗？", body="网贷平台在发送此类短信时，需要遵守相关法律法规。"
    )
    article.body = "网贷平台在群发此类短信时，必须遵守相关法律法规。"
    services.save_article(article=article)
    article.body += "\n\n借款人可以向监管部门投诉。"
    services.save_article(
        article=article,
        comment="仍然发布（主任已核对原文，引文出自旧版本）：《中华人民共和国电信条例》第三十四条：引文与该条不符；"
        "引文出自 中华人民共和国电信条例 第六十五条",
    )
    return article


def change_page(page, site, article):
    page.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    page.locator(".kb-preview p").first.wait_for()


def test_the_title_field_is_as_wide_as_the_form(page, site, revised):
    log_in_as_editor(page, site)
    change_page(page, site, revised)
    title = page.locator("#id_title").bounding_box()
    body = page.locator("#id_body").bounding_box()
    assert title["width"] >= 640, title  # the admin's default is 20em (about 260 px)
    assert title["width"] >= body["width"]  # at least the Markdown column
    page.set_viewport_size(PHONE)
    title = page.locator("#id_title").bounding_box()
    assert title["x"] + title["width"] <= PHONE["width"]  # and never wider than a phone


def test_one_history_entry_point_leads_to_the_revisions(page, site, revised):
    log_in_as_editor(page, site)
    change_page(page, site, revised)
    tools = page.locator(".object-tools a").all_inner_texts()
    assert [tool for tool in tools if "历史" in tool] == ["修订历史"], tools
    page.get_by_role("link", name="修订历史").click()
    page.wait_for_url(f"**/admin/articles/article/{revised.pk}/revisions/")
    # Django's history page, by its address, is the same page.
    page.goto(f"{site}/admin/articles/article/{revised.pk}/history/")
    page.wait_for_url(f"**/admin/articles/article/{revised.pk}/revisions/")


def test_compare_with_one_box_says_what_it_needs_then_shows_the_words_that_changed(
    page, site, revised, screenshot
):
    log_in_as_editor(page, site)
    page.goto(f"{site}/admin/articles/article/{revised.pk}/revisions/")
    boxes = page.locator("input[name=compare]")
    assert boxes.count() == 3
    boxes.nth(1).check()
    page.get_by_role("button", name="比较").click()
    needs = page.get_by_role("alert")
    assert "比较需要勾选两个版本" in needs.inner_text() and "请再勾选一个" in needs.inner_text()
    assert page.locator(".kb-compare").count() == 0
    assert page.locator("input[name=compare]").nth(1).is_checked()  # what was ticked stays ticked

    page.locator("input[name=compare]").nth(2).check()
    page.get_by_role("button", name="比较").click()
    page.locator(".kb-compare").wait_for()
    assert page.get_by_role("alert").count() == 0
    # Word by word: the two words reworded, not the whole line.
    assert page.locator(".kb-compare del").all_inner_texts() == ["发送", "需要"]
    assert page.locator(".kb-compare ins").all_inner_texts() == ["群发", "必须"]
    assert "此类短信时" in page.locator(".kb-diff").inner_text()
    screenshot(page, "editor-7-compare-word-by-word")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_buttons_never_break_inside_a_word(page, site, revised, viewport):
    log_in_as_editor(page, site)
    page.set_viewport_size(viewport)
    # The revisions of a published article (each 恢复 beside its reason box), then of a draft (恢复
    # alone in the last column, which the long comment squeezes to one character's width).
    for status in (Article.Status.PUBLISHED, Article.Status.DRAFT):
        Article.objects.filter(pk=revised.pk).update(status=status)
        page.goto(f"{site}/admin/articles/article/{revised.pk}/revisions/")
        assert page.get_by_role("button", name="恢复").count() == 2
        assert page.evaluate(WRAPPED_BUTTONS) == [], status
    page.goto(f"{site}/admin/articles/article/{revised.pk}/change/")
    page.locator(".kb-toolbar").wait_for()
    page.fill("#id_body", MISQUOTE + "\n\n违法吗?")  # the fix buttons too
    page.get_by_role("button", name="改为 第六十五条").wait_for()
    page.get_by_role("button", name="改为全角标点").first.wait_for()
    assert page.evaluate(WRAPPED_BUTTONS) == []


def test_the_preview_stays_after_a_refused_publication(page, site):
    draft = make_article("通信秘密受法律保护吗？", status=Article.Status.DRAFT, body=MISQUOTE)
    log_in_as_editor(page, site)
    change_page(page, site, draft)
    assert page.get_by_role("link", name="预览（读者看不到）").count() == 1
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert "没有发布" in page.locator(".errorlist").first.inner_text()
    # The article is still a draft: its preview for editors is still offered, and opens.
    preview = page.get_by_role("link", name="预览（读者看不到）")
    assert preview.count() == 1 and page.get_by_role("link", name="在站点上查看").count() == 0
    with page.expect_popup() as opened:
        preview.click()
    reader_view = opened.value
    reader_view.wait_for_load_state()
    assert draft.title in reader_view.locator("h1").inner_text()
    reader_view.close()
    # And the live preview beside the Markdown still shows the body, with the misquote marked.
    page.locator(".kb-preview a.statute-ref--misquoted").wait_for()
    assert page.locator(".kb-ref--misquoted").count() == 1


def test_half_width_punctuation_in_chinese_is_pointed_out_and_fixed_in_one_click(page, site, screenshot):
    log_in_as_editor(page, site)
    page.goto(site + "/admin/articles/article/add/")
    page.fill("#id_title", "网贷逾期违法吗?")
    body = (
        "网贷逾期群发短信给通讯录违法吗?需要看情况:\n\n"
        "1. **核实短信内容**:确认是否是平台发送的(而非诈骗)。\n"
        "2. 金额1,000元以上,可以投诉。\n\n"
        "代码 `a,b:c` 和网址 https://example.com/a?b=1,2 不变。"
    )
    page.fill("#id_body", body)
    hint = page.locator(".kb-punctuation--body")
    hint.wait_for()
    assert "正文中有 6 处半角标点" in hint.inner_text()
    title_hint = page.locator(".kb-punctuation--title")
    assert "标题中有 1 处半角标点" in title_hint.inner_text()
    screenshot(page, "editor-6-half-width-punctuation")

    hint.get_by_role("button", name="改为全角标点").click()
    assert page.input_value("#id_body") == (
        "网贷逾期群发短信给通讯录违法吗？需要看情况：\n\n"
        "1. **核实短信内容**：确认是否是平台发送的（而非诈骗）。\n"
        "2. 金额1,000元以上，可以投诉。\n\n"
        "代码 `a,b:c` 和网址 https://example.com/a?b=1,2 不变。"
    )
    hint.wait_for(state="hidden")  # the preview, refreshed, finds nothing left
    title_hint.get_by_role("button", name="改为全角标点").click()
    assert page.input_value("#id_title") == "网贷逾期违法吗？"
    title_hint.wait_for(state="hidden")
