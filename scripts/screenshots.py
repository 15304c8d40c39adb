#!/usr/bin/env python
"""Screenshots of a running site for the docs (docs/screenshots), at desktop and phone sizes.

    .venv/bin/python scripts/screenshots.py --site http://127.0.0.1:8000 [--user admin --password …]
        [--only reader|admin] [--out docs/screenshots]

Drives Debian's chromium (/usr/bin/chromium) with Playwright. The reader's pages are taken from what
the site holds (the first article, a law with several versions, …); with --user and --password, the
admin's pages too, signed in as that editor. Nothing on the site is changed by it.
"""

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
QUESTION = "网贷逾期会爆通讯录吗"
OFF_TOPIC = "无人机航拍要注意什么"


def shoot(page, out: Path, name: str, *, full_page: bool = True) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def first_link(page, selector: str) -> str | None:
    link = page.locator(selector).first
    return link.get_attribute("href") if link.count() else None


def reader_pages(browser, site: str, out: Path) -> None:
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
        page = context.new_page()
        page.goto(site + "/")
        shoot(page, out, f"reader-home-{size}", full_page=size == "desktop")
        page.goto(site + "/search/?q=" + quote(QUESTION))
        shoot(page, out, f"reader-search-{size}")
        article = first_link(page, ".article-list a, .results a[href*='/articles/']")
        page.goto(site + "/search/?q=" + quote(OFF_TOPIC))
        shoot(page, out, f"reader-search-unanswered-{size}", full_page=False)
        if article:
            page.goto(site + article)
            shoot(page, out, f"reader-article-{size}")
        page.goto(site + "/statutes/")
        shoot(page, out, f"reader-law-list-{size}", full_page=False)
        page.goto(site + "/no-such-page/")
        shoot(page, out, f"reader-404-{size}", full_page=False)
        context.close()
    # A law with several versions: a provision's versions and its comparison (desktop only).
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(site + "/search/?q=" + quote("行政复议法 第一条") + "&type=provisions")
    provision = first_link(page, "a[href^='/statutes/'][href$='/1/']")
    if provision:
        page.goto(site + provision)
        compare = first_link(page, ".provision-versions a[href*='/compare/']")
        if compare:
            shoot(page, out, "reader-provision-versions")
            page.goto(site + compare)
            shoot(page, out, "reader-provision-compare")
            whole = first_link(page, "a[href*='/compare/']:has-text('全法')")
            if whole:
                page.goto(site + whole)
                shoot(page, out, "reader-law-compare", full_page=False)
    context.close()


def admin_pages(browser, site: str, out: Path, user: str, password: str) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(site + "/admin/login/?next=/admin/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))
    shoot(page, out, "editor-0-admin-home", full_page=False)
    page.goto(site + "/admin/search/searchrecord/?period=30")
    shoot(page, out, "editor-5-search-insight")
    page.goto(site + "/admin/statutes/libraryimport/")
    report = first_link(page, "#result_list a[href*='/change/']")
    if report:
        page.goto(site + report)
        shoot(page, out, "editor-6-library-update-report", full_page=False)
    page.goto(site + "/admin/articles/article/?cited_changed=open")
    flagged = first_link(page, "#result_list a[href*='/change/']")
    if flagged:
        page.goto(site + flagged)
        shoot(page, out, "editor-7-cited-provision-changed", full_page=False)
    context.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", default="http://127.0.0.1:8000")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--only", choices=["reader", "admin"])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    site = options.site.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=options.chromium, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        if options.only != "admin":
            reader_pages(browser, site, out)
        if options.only != "reader":
            if not (options.user and options.password):
                print("admin pages left out: pass --user and --password", file=sys.stderr)
            else:
                admin_pages(browser, site, out, options.user, options.password)
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
