"""Hostile input anywhere a reader or an editor can reach: never a 500, always a clear answer.

Property-based over URL keys, page numbers and filters; oversized inputs; statute files cut or
corrupted at any byte; Markdown that nests deeply or is huge. (Search parameters have their own
property tests in tests/search/test_search.py.)
"""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.markdown import MAX_BODY_CHARS, markdown_problem
from articles.models import Article
from statutes.models import Law
from statutes.parser import StatuteFormatError, parse_statute
from tests.helpers import make_article, make_law, make_provisions, statute_text

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NUMBERS = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.just(0), st.just(2**63))
TEXT = st.text(max_size=200)


@pytest.fixture
def site(db):
    law = make_law("中华人民共和国民法典")
    make_provisions(law, 3)
    return make_article(), law


@FUZZ
@given(number=NUMBERS, key=st.from_regex(r"[1-9][0-9]{0,3}(-[1-9][0-9]?)?", fullmatch=True))
def test_url_keys(client, site, number, key):
    for path in [
        f"/articles/{abs(number)}/",
        f"/authors/{abs(number)}/",
        f"/statutes/{abs(number)}/",
        f"/statutes/{abs(number)}/{key}/",
        f"/statutes/{site[1].pk}/{key}/",
    ]:
        assert client.get(path).status_code in {200, 404}, path


@FUZZ
@given(page=st.one_of(TEXT, NUMBERS.map(str)), q=TEXT, level=TEXT)
def test_page_numbers_and_filters(client, site, page, q, level):
    article, _ = site
    for path, params in [
        (article.category.get_absolute_url(), {"page": page}),
        (article.author.get_absolute_url(), {"page": page}),
        ("/statutes/", {"page": page, "q": q, "level": level}),
        ("/", {"page": page}),
    ]:
        assert client.get(path, params).status_code in {200, 404}, (path, params)


def test_oversized_inputs(client, site):
    huge = "民法" * 50_000
    assert client.get("/statutes/", {"q": huge}).status_code == 200
    assert client.get("/search/", {"q": huge}).status_code == 200
    assert client.get("/search/suggest", {"q": huge}).status_code == 200
    assert client.get("/" + "a" * 5000 + "/").status_code == 404
    assert client.get("/statutes/", {"page": "9" * 5000}).status_code in {200, 404}


GOOD_FILE = statute_text(
    "中华人民共和国测试法", "第一条 为了测试，制定本法。\n\n第二条 本法自公布之日起施行。"
)


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(GOOD_FILE.encode("utf-8"))), junk=st.binary(max_size=20))
def test_statute_files_cut_or_corrupted_anywhere_parse_or_are_refused_with_a_reason(cut, junk):
    data = GOOD_FILE.encode("utf-8")[:cut] + junk
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # the importer reports undecodable files by name (tests/statutes/test_import.py)
    try:
        parsed = parse_statute(text, source_name="测试法(2020-01-01).md")
    except StatuteFormatError as error:
        assert str(error)
    else:
        assert parsed.title


class TestMarkdownBounds:
    @pytest.mark.parametrize(
        "body",
        [
            "[" * 5_000,  # Python-Markdown's link patterns backtrack: about 6 s at 5,000
            "".join("  " * depth + "- 项\n" for depth in range(500)),  # recursion past Python's limit
            "".join(">" * depth + " 引用\n" for depth in range(1, 200)),
            "字" * (MAX_BODY_CHARS + 1),
        ],
        ids=["brackets", "nested-list", "nested-quotes", "huge"],
    )
    def test_refused_with_a_message_and_nothing_saved(self, site, body):
        article, _ = site
        original = article.body_html
        assert markdown_problem(body)
        article.body = body
        with pytest.raises(ValidationError) as refused:
            article.full_clean()
        assert "body" in refused.value.message_dict
        with pytest.raises(ValidationError):
            article.save()
        article.refresh_from_db()
        assert article.body_html == original

    def test_the_admin_shows_the_message(self, admin_client, site):
        article, _ = site
        from tests.articles.test_admin import article_form

        data = article_form(
            title=article.title, body="[" * 5_000, loaded_version=article.updated_at.isoformat(),
            category=article.category.pk, author=article.author.pk,
        )  # fmt: skip
        response = admin_client.post(f"/admin/articles/article/{article.pk}/change/", data)
        assert response.status_code == 200
        assert "方括号" in response.content.decode()
        assert Article.objects.get(pk=article.pk).body == article.body

    def test_long_real_posts_are_fine(self, site):
        body = (
            "## 问题\n\n" + "网贷逾期后，平台能否联系通讯录里的亲友？" * 40 + "\n\n- 一\n  - 二\n    - 三\n"
        ) * 20
        assert markdown_problem(body) is None
        article = make_article(title="长文", body=body)
        assert "<li>" in article.body_html
        assert Law.objects.exists()
