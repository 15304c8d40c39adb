"""What a reader meets around the pages, in chromium: a wrong address, the icons, the law list."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

ACCENT = "rgb(155, 28, 28)"  # --accent, the site's header


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    call_command("load_demo", verbosity=0)
    return live_server.url


def test_a_wrong_address_gets_the_sites_404_page_and_a_way_on(page, site, screenshot):
    response = page.goto(site + "/statutes/no-such-law/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    # The site's own look: its stylesheet applied, its header and search box there.
    header = page.locator(".site-header")
    assert header.evaluate("element => getComputedStyle(element).backgroundColor") == ACCENT
    assert page.locator(".site-header input[type=search]").is_visible()
    screenshot(page, "e2e-404")

    page.locator("main").get_by_role("link", name="浏览法规库").click()
    page.wait_for_url("**/statutes/")
    # In pinyin order, 中华人民共和国 shown lighter and not counted: 民法典 before 刑法 and 电信条例 after.
    titles = page.locator(".law-group").first.locator(".law-list a").all_inner_texts()
    assert titles.index("中华人民共和国民法典") < titles.index("中华人民共和国刑法")
    prefix = page.locator(".law-title__prefix").first
    assert float(prefix.evaluate("element => getComputedStyle(element).opacity")) < 1


def test_the_icons_are_linked_and_answered(page, site):
    page.goto(site + "/")
    for selector, content_type in (
        ("link[rel=icon][sizes]", "image/vnd.microsoft.icon"),
        ("link[rel=icon][type='image/svg+xml']", "image/svg+xml"),
        ("link[rel=apple-touch-icon]", "image/png"),
    ):
        href = page.locator(selector).get_attribute("href")
        response = page.request.get(site + href)
        assert response.status == 200 and response.headers["content-type"] == content_type, selector
    assert page.request.get(site + "/favicon.ico").status == 200
