"""An imported post's check report on its draft's change form, in chromium: the seed's 电信条例 34 → 65
made at import, and a fix left to the editor taken with one click."""

from pathlib import Path

import pytest
from django.core.management import call_command

from articles.legacy_posts import import_posts
from articles.models import Article
from articles.revisions import revisions_of
from tests.e2e.test_editor_workflow import log_in_as_editor

pytestmark = pytest.mark.django_db(transaction=True)

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "lawyer-qa-post.txt"
BODY_MISQUOTE = (
    "平台能群发短信给通讯录吗？\n张律师 2024-05-01\n问题解答：依照《中华人民共和国电信条例》第三十四条规定："
    "“电信用户依法使用电信的自由和通信秘密受法律保护。”平台不得随意泄露。\n"
)


def test_the_report_shows_34_to_65_and_a_fix_is_one_click(page, live_server, settings, tmp_path, screenshot):
    if not SEED.exists():
        pytest.skip("../shared/seed/lawyer-qa-post.txt is not beside the checkout")
    settings.SITE_URL = live_server.url
    call_command("load_demo", verbosity=0)
    (seed,) = import_posts([SEED])
    post = tmp_path / "body.txt"
    post.write_text(BODY_MISQUOTE, encoding="utf-8")
    (body,) = import_posts([post])
    log_in_as_editor(page, live_server.url)

    page.goto(f"{live_server.url}/admin/articles/article/{seed.article.pk}/change/")
    report = page.locator("table.kb-import-checks")
    telecom = report.locator("tr.kb-import-statutes").first
    assert "《中华人民共和国电信条例》第三十四条" in telecom.inner_text()
    assert "电信条例 第三十四条 → 电信条例 第六十五条（导入时已改正）" in telecom.inner_text()
    screenshot(page, "editor-8-import-report")

    page.goto(f"{live_server.url}/admin/articles/article/{body.article.pk}/change/")
    page.get_by_role("button", name="改为 电信条例 第六十五条").click()
    page.wait_for_load_state()
    assert "已改为 电信条例 第六十五条" in page.locator(".messagelist").inner_text()
    assert "（已改正）" in page.locator("tr.kb-import-body").inner_text()
    assert page.get_by_role("button", name="改为 电信条例 第六十五条").count() == 0
    article = Article.objects.get(pk=body.article.pk)
    assert "《中华人民共和国电信条例》第六十五条规定" in article.body
    assert "《中华人民共和国电信条例》第六十五条规定" in page.input_value("#id_body")
    assert revisions_of(article).first().revision.comment.startswith("采纳导入检查的建议")
