"""Hostile values in the editors' admin: each answer means something, on SQLite and PostgreSQL.

A tampered or careless form, filter or action gets the page again with a message that says what
is wrong, and nothing is stored or changed; text is stored without control characters. Never a
500: PostgreSQL refuses NUL, lone surrogates and NaN in JSON, and SQLite integers past 64 bits.
"""

import json

import pytest

from articles import revisions, services
from articles.models import Article
from kb.search.models import PinnedResult
from statutes.models import Law, Level, Provision, Status
from tests.helpers import make_article, make_law, make_provisions

pytestmark = pytest.mark.django_db

NOT_A_KEY = ["a\x00b", "民" * 300, "9" * 30, "9" * 19, "-1e5", "%_\\'"]
HUGE_YEAR = "9" * 30
INVALID_CHOICE = "选择一个有效的选项"  # Django's message for a choice that is not one
NO_NUL = "不允许是用空字符串"  # Django's (zh-hans) message for a NUL in a form field
FILTER_REFUSED = "筛选条件无效"
ACTION_REFUSED = "所选条目无效"


@pytest.fixture
def law(db):
    law = make_law("中华人民共和国民法典", aliases=["民法典"], history="2020年5月28日 通过")
    make_provisions(law, 3)
    return law


def law_form(law: Law, **overrides) -> dict:
    data = {
        "title": law.title, "short_title": law.short_title, "aliases": json.dumps(law.aliases),
        "level": Level.LAW, "category": law.category, "status": Status.IN_FORCE, "is_current": "on",
        "promulgated_on": law.promulgated_on.isoformat(), "effective_on": "", "history": law.history,
        "preamble": "", "annex": "", "notes": "", "source": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def provision_form(provision: Provision, **overrides) -> dict:
    data = {
        "law": str(provision.law_id), "number": str(provision.number), "suffix": str(provision.suffix),
        "text": provision.text, "part": "", "subpart": "", "chapter": "", "section": "",
        "order": str(provision.order),
    }  # fmt: skip
    data.update(overrides)
    return data


def stored_law(law: Law) -> dict:
    return Law.objects.filter(pk=law.pk).values().get()


def stored_provisions() -> list:
    return list(Provision.objects.order_by("pk").values())


class TestLawForm:
    def change(self, client, law, **overrides):
        return client.post(f"/admin/statutes/law/{law.pk}/change/", law_form(law, **overrides))

    def test_a_plain_edit_is_saved(self, admin_client, law):
        response = self.change(admin_client, law, aliases='["民法典", "民法"]')
        assert response.status_code == 302
        assert Law.objects.get(pk=law.pk).aliases == ["民法典", "民法"]

    @pytest.mark.parametrize(
        "aliases, message",
        [
            ('["民法\\ud800典"]', "别名含有无法保存的字符"),  # a lone surrogate: PostgreSQL refuses it
            ("[NaN]", "别名须是名称的列表"),  # PostgreSQL's json has no NaN
            ("[1e999]", "别名须是名称的列表"),  # Infinity, likewise
            ("[" * 5_000 + "]" * 5_000, "输入一个有效的JSON"),  # deeper than Python's json parses
            ('{"民法典": 1}', "别名须是名称的列表"),
            (json.dumps(["民" * 201]), "每个别名最多 200 个字"),
            (json.dumps([f"别名{number}" for number in range(51)]), "最多 50 个别名"),
        ],
        ids=["surrogate", "nan", "infinity", "deep", "object", "overlong-alias", "too-many"],
    )
    def test_aliases_that_are_no_list_of_names_are_refused_with_a_message(
        self, admin_client, law, aliases, message
    ):
        before = stored_law(law)
        response = self.change(admin_client, law, aliases=aliases)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert stored_law(law) == before

    def test_nul_and_control_characters_in_aliases_are_removed(self, admin_client, law):
        response = self.change(admin_client, law, aliases='["民法\\u0000典", "民\\u0001法", " 民法总则\\n"]')
        assert response.status_code == 302
        assert Law.objects.get(pk=law.pk).aliases == ["民法典", "民法", "民法总则"]

    def test_control_characters_in_its_text_are_removed_and_titles_are_one_line(self, admin_client, law):
        response = self.change(
            admin_client, law, title="中华人民共和国\x0b民法典\x1f", short_title="民法\n典",
            history="2020年5月28日\x07 通过\r\n2021年1月1日 施行", notes="注\x1b释",
        )  # fmt: skip
        assert response.status_code == 302
        law.refresh_from_db()
        assert (law.title, law.short_title, law.notes) == ("中华人民共和国民法典", "民法典", "注释")
        assert law.history == "2020年5月28日 通过\n2021年1月1日 施行"

    def test_a_title_of_control_characters_only_is_refused_as_empty(self, admin_client, law):
        before = stored_law(law)
        response = self.change(admin_client, law, title="\x01\x02")
        assert response.status_code == 200
        assert "此字段不能为空" in response.content.decode()
        assert stored_law(law) == before

    @pytest.mark.parametrize("field", ["title", "short_title", "category", "source", "history"])
    def test_a_nul_or_an_overlong_value_is_refused_with_a_message(self, admin_client, law, field):
        before = stored_law(law)
        response = self.change(admin_client, law, **{field: "民法\x00典"})
        assert response.status_code == 200 and NO_NUL in response.content.decode()
        limit = Law._meta.get_field(field).max_length
        if limit:
            response = self.change(admin_client, law, **{field: "民" * (limit + 1)})
            assert response.status_code == 200
            assert f"不超过 {limit} 字符" in response.content.decode()
        assert stored_law(law) == before


class TestProvisionForm:
    @pytest.mark.parametrize("value", NOT_A_KEY)
    def test_a_law_that_is_no_key_gets_the_form_again_with_a_message(self, admin_client, law, value):
        provision = law.provisions.first()
        before = stored_provisions()
        response = admin_client.post(
            f"/admin/statutes/provision/{provision.pk}/change/", provision_form(provision, law=value)
        )
        assert response.status_code == 200
        assert (NO_NUL if "\x00" in value else INVALID_CHOICE) in response.content.decode()
        assert stored_provisions() == before

    def test_control_characters_in_its_text_are_removed(self, admin_client, law):
        provision = law.provisions.first()
        response = admin_client.post(
            f"/admin/statutes/provision/{provision.pk}/change/",
            provision_form(provision, text="第一款\x0b。\r\n第二款\x7f。", chapter="第一章\n总则\x1f"),
        )
        assert response.status_code == 302
        provision.refresh_from_db()
        assert (provision.text, provision.chapter) == ("第一款。\n第二款。", "第一章 总则")


class TestLawChangelist:
    @pytest.mark.parametrize("year", [HUGE_YEAR, "9" * 19, "-" + "9" * 20, "abc"])
    def test_a_year_past_any_calendar_shows_the_whole_list_with_a_message(self, admin_client, law, year):
        response = admin_client.get("/admin/statutes/law/", {"promulgated_on__year": year}, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain == [("/admin/statutes/law/?e=1", 302)]
        content = response.content.decode()
        assert FILTER_REFUSED in content and law.title in content

    @pytest.mark.parametrize(
        "q", ["民法\x00典", "民" * 5_000, "民法典 " + "9" * 30, "第99999999999999999999条"]
    )
    def test_a_search_past_any_column_answers_the_list(self, admin_client, law, q):
        for path in ("/admin/statutes/law/", "/admin/statutes/provision/"):
            response = admin_client.get(path, {"q": q})
            assert response.status_code == 200, (path, q)

    @pytest.mark.parametrize("value", NOT_A_KEY)
    def test_an_action_on_rows_that_are_no_keys_does_nothing_and_says_so(self, admin_client, law, value):
        before = (Law.objects.count(), Provision.objects.count())
        response = admin_client.post(
            "/admin/statutes/law/",
            {"action": "delete_selected", "_selected_action": [str(law.pk), value], "post": "yes"},
            follow=True,
        )
        assert response.status_code == 200
        assert ACTION_REFUSED in response.content.decode()
        assert (Law.objects.count(), Provision.objects.count()) == before


# The same defects in the article admins: articles/admin.py and kb/search/admin.py are to take
# statutes.admin.CheckedInputMixin (see its docstring); until then these fail as marked.


@pytest.fixture
def article(law):
    return make_article(body="依据《中华人民共和国民法典》第一条。")


class TestArticleAdmins:
    def test_a_huge_year_in_the_date_filter(self, admin_client, article):
        response = admin_client.get(
            "/admin/articles/article/", {"published_at__year": HUGE_YEAR}, follow=True
        )
        assert response.status_code == 200 and FILTER_REFUSED in response.content.decode()

    def test_an_action_on_rows_that_are_no_keys(self, admin_client, article):
        response = admin_client.post(
            "/admin/articles/article/", {"action": "unpublish", "_selected_action": [str(article.pk), "a\x00b"]},
            follow=True,
        )  # fmt: skip
        assert response.status_code == 200 and ACTION_REFUSED in response.content.decode()
        assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED

    def test_a_cited_provision_that_is_no_key(self, admin_client, article):
        from tests.articles.test_admin import article_form

        data = article_form(
            title=article.title, body=article.body, category=article.category.pk, author=article.author.pk,
            loaded_version=article.updated_at.isoformat(), **{"citations-0-provision": "abc"},
        )  # fmt: skip
        response = admin_client.post(f"/admin/articles/article/{article.pk}/change/", data)
        assert response.status_code == 200 and INVALID_CHOICE in response.content.decode()

    def test_a_pinned_article_that_is_no_key(self, admin_client, article):
        data = {"query": "网贷", "article": "abc", "order": "0"}
        response = admin_client.post("/admin/search/pinnedresult/add/", data)
        assert response.status_code == 200 and INVALID_CHOICE in response.content.decode()
        assert not PinnedResult.objects.exists()


def test_restoring_with_a_reason_that_holds_a_nul_stores_it_without(admin_client, article):
    article.body = "依据《中华人民共和国刑法》第一条。"  # not in the library: publishing it needs a reason
    services.save_article(article=article, publish_reason="当事人要求")
    article.body = "依据《中华人民共和国民法典》第一条。"
    services.save_article(article=article)
    with_problem = list(revisions.revisions_of(article))[1]
    response = admin_client.post(
        f"/admin/articles/article/{article.pk}/revisions/{with_problem.pk}/restore/",
        {"publish_reason": "当事人\x00要求"},
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).body == "依据《中华人民共和国刑法》第一条。"
    assert "仍然发布（当事人要求）" in revisions.revisions_of(article).first().revision.comment
