"""The main journeys, in chromium: a reader from home to a cited provision; an editor publishing."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from articles.models import Article
from articles.services import ensure_editor_group

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server, settings):
    settings.SITE_URL = live_server.url  # the site's configured address: links in pages name it
    call_command("load_demo", verbosity=0)
    return live_server.url


def test_reader_goes_from_home_to_category_to_article_to_cited_provision(page, demo, screenshot):
    page.goto(demo + "/")
    assert page.locator("h1").inner_text() == "遇到法律问题？先查一查"
    screenshot(page, "e2e-1-home")

    page.locator(".category-list").get_by_role("link", name="金融债务").click()
    page.wait_for_url("**/category/finance-debt/")
    assert page.locator("h1").inner_text() == "金融债务"
    screenshot(page, "e2e-2-category")

    page.get_by_role("link", name="网贷逾期后平台群发短信给通讯录联系人，违法吗？").first.click()
    page.wait_for_url("**/articles/*/")
    assert "通讯录" in page.locator("h1").inner_text()
    cited = page.locator(".cited-provisions")
    assert "《中华人民共和国电信条例》第六十五条" in cited.inner_text()
    assert "通信秘密受法律保护" in cited.inner_text()
    assert page.locator(".qr svg").count() == 1
    assert "本文链接" in page.locator(".permalink").inner_text()
    screenshot(page, "e2e-3-article")

    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "e2e-3-article-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    cited.get_by_role("link", name="第六十五条").click()
    page.wait_for_url("**/statutes/*/65/")
    assert page.locator("h1").inner_text() == "第六十五条"
    assert "通信秘密" in page.locator(".provision-text").inner_text()
    assert "网贷逾期后平台群发短信给通讯录联系人，违法吗？" in page.locator(".citing").inner_text()
    screenshot(page, "e2e-4-provision")


def test_editor_adds_an_article_with_a_citation_publishes_it_and_sees_it_on_the_site(page, demo, screenshot):
    editor = User.objects.create_user("editor", password="Edit0r-passw0rd!", is_staff=True)
    editor.groups.add(ensure_editor_group())

    page.goto(demo + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "Edit0r-passw0rd!")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    screenshot(page, "e2e-5-admin-home")

    page.goto(demo + "/admin/articles/article/add/")
    page.fill("#id_title", "催收电话打到单位，可以投诉吗？")
    page.select_option("#id_category", label="金融债务")
    page.select_option("#id_author", label="林清远")
    page.fill(
        "#id_body",
        "催收人员把电话打到单位，影响工作。\n\n## 建议参考\n\n1. 录音留证。\n\n## 小编总结\n\n催收不得骚扰第三人。",
    )
    # The citation: the provision autocomplete (select2), searched the way editors write citations.
    page.locator("#citations-group .select2-selection").first.click()
    page.locator(".select2-search__field").fill("民法典 1033")
    page.locator(".select2-results__option", has_text="民法典 第一千零三十三条").click()
    page.select_option("#id_status", "published")
    screenshot(page, "e2e-6-admin-add")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    errors = page.locator(".errornote, .errorlist")
    assert errors.count() == 0, errors.all_inner_texts()
    page.wait_for_url("**/admin/articles/article/")
    assert "成功" in page.locator(".messagelist").inner_text()

    article = Article.objects.get(title="催收电话打到单位，可以投诉吗？")
    assert article.is_published
    assert [p.key for p in article.provisions.all()] == ["1033"]

    page.goto(demo + "/")
    page.get_by_role("link", name="催收电话打到单位，可以投诉吗？").first.click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert "《中华人民共和国民法典》第一千零三十三条" in page.locator(".cited-provisions").inner_text()
    screenshot(page, "e2e-7-published-article")


def test_reader_searches_in_their_own_words_and_finds_the_article(page, demo, screenshot):
    call_command("rebuild_index", interactive=False, verbosity=0)
    page.goto(demo + "/")
    page.fill("#home-q", "网贷逾期群发短信给通讯录违法吗")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    first = page.locator(".result__title").first
    assert "通讯录" in first.inner_text()
    assert page.locator(".result mark").count() > 0
    screenshot(page, "e2e-8-search")

    page.fill("#search-q", "民法典第1032条")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert "第一千零三十二条" in page.locator(".direct-hit").inner_text()

    # As-you-type suggestions in the header box of any page.
    page.goto(demo + "/statutes/")
    page.fill("#header-q", "加班费")
    page.locator(".suggestions li").first.wait_for()
    assert "加班费" in page.locator(".suggestions").inner_text()
    screenshot(page, "e2e-9-suggestions")
