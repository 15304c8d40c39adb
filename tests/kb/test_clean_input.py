"""Hostile bytes and values from anonymous visitors, importers and editors: cleaned or refused with a
message, never a 500, nothing half-stored."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles import services
from articles.models import Article
from articles.qa_import import import_qa
from tests.helpers import make_article

pytestmark = pytest.mark.django_db


class TestControlCharacters:
    def test_a_title_with_control_characters_is_stored_on_one_line_without_them(self):
        article = make_article("网贷\x0b逾期\n会爆\x00通讯录吗\x1f", body="正文\x07。\r\n第二行\x00。")
        article.refresh_from_db()
        assert article.title == "网贷逾期会爆通讯录吗"
        assert article.body == "正文。\n第二行。"

    def test_the_feed_survives_control_characters_stored_before(self, client):
        article = make_article("标题")
        Article.objects.filter(pk=article.pk).update(title="旧标题\x0b带控制字符", excerpt="摘要\x1b。")
        response = client.get(reverse("feed"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "旧标题带控制字符" in content and "\x0b" not in content and "\x1b" not in content

    def test_an_imported_answer_loses_its_nul_bytes(self, tmp_path):
        call_command("loaddata", "fixtures/demo_statutes.json", verbosity=0)
        row = {"qid": 1, "question": "问题\x00？", "answer": "回答\x00一。", "statutes": []}
        path = tmp_path / "qa.jsonl"
        path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
        import_qa(path)
        article = Article.objects.get(import_key="lecoqa:1")
        assert (article.title, article.body) == ("问题？", "回答一。\n")

    def test_an_editors_save_through_the_service_is_cleaned_too(self):
        article = make_article("标题", body="第一版。")
        article.summary = "摘要\x0c。"
        services.save_article(article=article)
        article.refresh_from_db()
        assert article.summary == "摘要。"


class TestAnonymousRequests:
    def test_an_out_of_range_category_is_no_filter_not_a_500(self, client):
        make_article("网贷逾期的文章")
        response = client.get(reverse("search:search"), {"q": "网贷", "category": "99999999999999999999"})
        assert response.status_code == 200
        assert 'name="category"' in response.content.decode()

    def test_a_login_post_that_is_not_utf8_gets_the_form_again(self, client):
        response = client.post(
            reverse("admin:login"),
            b"username=\xff\xfe&password=\xc3\x28",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert "errornote" in response.content.decode()  # the form again, with its message

    def test_a_codec_named_as_charset_cannot_smuggle_a_nul_into_a_query(self):
        """unicode_escape would read %5Cx00 as a NUL, which PostgreSQL cannot compare (a 500)."""
        from django.test import RequestFactory

        from kb.security import StripNullCharactersMiddleware, TextCharsetMiddleware

        seen = {}

        def view(request):
            seen["q"] = request.GET["q"]
            return None

        request = RequestFactory().get(
            "/statutes/", {"q": "\\x00民法"}, CONTENT_TYPE="text/plain; charset=unicode_escape"
        )
        TextCharsetMiddleware(StripNullCharactersMiddleware(view))(request)
        assert seen["q"] == "\\x00民法"

    def test_a_query_string_in_a_codec_that_is_no_charset_is_read_as_utf8(self, client):
        from tests.helpers import make_law

        make_law("中华人民共和国民法典")
        for q in ("民法", "\\x1", "\\"):
            response = client.get(
                reverse("statutes:law_list"), {"q": q}, CONTENT_TYPE="text/plain; charset=unicode_escape"
            )
            assert response.status_code == 200, q
        assert (
            "中华人民共和国民法典"
            in client.get(
                reverse("statutes:law_list"), {"q": "民法"}, CONTENT_TYPE="text/plain; charset=unicode_escape"
            ).content.decode()
        )


class TestImportersPastTheirLimits:
    def test_an_answer_longer_than_an_article_may_be_is_one_line_and_nothing_written(self, tmp_path):
        from django.core.management import CommandError

        from articles.markdown import MAX_BODY_CHARS

        rows = [
            {"qid": 1, "question": "短问题", "answer": "短回答。", "statutes": []},
            {"qid": 2, "question": "长问题", "answer": "长" * (MAX_BODY_CHARS + 1), "statutes": []},
        ]
        path = tmp_path / "qa.jsonl"
        path.write_text(
            "\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8"
        )
        with pytest.raises(CommandError) as refused:
            call_command("import_qa", str(path), verbosity=0)
        message = str(refused.value)
        assert "Nothing imported" in message and "line 2" in message and f"{MAX_BODY_CHARS:,}" in message
        assert "\n" not in message and not Article.objects.exists()

    def test_a_post_longer_than_an_article_may_be_is_refused_before_anything_is_written(self, tmp_path):
        from django.core.management import CommandError

        from articles.markdown import MAX_BODY_CHARS

        (tmp_path / "good.txt").write_text("网贷逾期怎么办？\n\n律师解答：协商还款。\n", encoding="utf-8")
        (tmp_path / "long.txt").write_text(
            "很长的文章？\n\n" + "长" * (MAX_BODY_CHARS + 10) + "\n", encoding="utf-8"
        )
        with pytest.raises(CommandError) as refused:
            call_command("import_posts", str(tmp_path), verbosity=0)
        assert "long.txt" in str(refused.value) and f"{MAX_BODY_CHARS:,}" in str(refused.value)
        assert not Article.objects.exists()
