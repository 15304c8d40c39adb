"""Hostile input anywhere a reader or an editor can reach: never a 500, always a clear answer.

Property-based over URL keys, page numbers and filters: each answer is the one that input calls
for (the page, or a 404 that says the page does not exist), and reading changes nothing;
oversized inputs; statute files cut or corrupted at any byte; Markdown that nests deeply or is
huge. (Search parameters have their own property tests in tests/search/test_search.py.)
"""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles import view_counts
from articles.markdown import MAX_BODY_CHARS, markdown_problem
from articles.models import Article, Author, Category, Citation
from kb.search.models import SearchRecord
from statutes.models import Law, Level, Provision
from statutes.parser import INFO_END, StatuteFormatError, parse_statute
from statutes.text import one_line
from tests.helpers import make_article, make_law, make_provisions, statute_text

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NUMBERS = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.just(0), st.just(2**63))
TEXT = st.text(max_size=200)
MISSING = "页面不存在"  # what the 404 page says


@pytest.fixture
def site(db):
    law = make_law("中华人民共和国民法典")
    make_provisions(law, 3)
    return make_article(), law


def stored() -> dict:
    """What a reader's request must leave as it was: the rows, and the article's view count."""
    view_counts.flush()  # with Redis (make test-postgres), views counted so far written first
    counts = {model.__name__: model.objects.count() for model in (Article, Author, Category, Citation, Law)}
    counts["Provision"] = Provision.objects.count()
    counts["views"] = list(Article.objects.values_list("pk", "view_count"))
    return counts


def assert_missing(response, where):
    assert response.status_code == 404, where
    assert MISSING in response.content.decode(), where


def names_the_first_page(page: str) -> bool:
    """Whether ?page= asks for page 1 as a list page reads it (an integer, "last", or nothing)."""
    if page in ("", "last"):  # the site has one page of articles: the last is the first
        return True
    try:
        return int(page) == 1
    except ValueError:
        return False


@FUZZ
@given(data=st.data(), key=st.from_regex(r"[1-9][0-9]{0,3}(-[1-9][0-9]?)?", fullmatch=True))
def test_url_keys_give_the_record_or_a_404_and_change_nothing(client, site, data, key):
    article, law = site
    author = article.author
    number = abs(data.draw(st.one_of(NUMBERS, st.sampled_from([article.pk, author.pk, law.pk])), "number"))
    key = data.draw(st.one_of(st.just(key), st.sampled_from(["1", "3", "4", "1-1"])), "key")
    provision = law.provisions.filter(key=key).first()  # 第一条 … 第三条 exist
    before = stored()
    pages = [
        (f"/articles/{number}/", number == article.pk, f"<h1>{article.title}</h1>"),
        (f"/authors/{number}/", number == author.pk, f"<h1>{author.name}</h1>"),
        (f"/statutes/{number}/", number == law.pk, f"<h1>{law.title}</h1>"),
        (f"/statutes/{number}/{key}/", number == law.pk and provision is not None, None),
        (f"/statutes/{law.pk}/{key}/", provision is not None, None),
    ]
    for path, exists, heading in pages:
        response = client.get(path)
        if not exists:
            assert_missing(response, path)
            continue
        assert response.status_code == 200, path
        heading = heading or f"<h1>{provision.label}</h1>"
        assert heading in response.content.decode(), path
    article_read = number == article.pk  # a reader's view is counted, and only then
    after = stored()
    assert after.pop("views") == [(article.pk, dict(before.pop("views"))[article.pk] + article_read)]
    assert after == before


@FUZZ
@given(
    page=st.one_of(TEXT, NUMBERS.map(str), st.sampled_from(["1", "01", " 1", "last", "2", "0", "-1", ""])),
    q=st.one_of(TEXT, st.sampled_from(["民法典", " 民法 ", "中华人民共和国民法典", "刑法", ""])),
    level=st.one_of(TEXT, st.sampled_from(Level.values)),
)
def test_page_numbers_and_filters_give_that_page_or_a_404_and_change_nothing(client, site, page, q, level):
    article, law = site
    before = stored()
    for path in (article.category.get_absolute_url(), article.author.get_absolute_url(), "/"):
        response = client.get(path, {"page": page})
        if names_the_first_page(page):
            assert response.status_code == 200, (path, page)
            assert article.title in response.content.decode(), (path, page)
        else:
            assert_missing(response, (path, page))

    # The statute library is one page: ?page= means nothing there; q filters titles, level levels.
    response = client.get("/statutes/", {"page": page, "q": q, "level": level})
    assert response.status_code == 200
    content = response.content.decode()
    wanted = one_line(q)[:100].strip()  # as a title is stored: no control characters
    level_matches = level not in Level.values or level == law.level  # an unknown level is ignored
    listed = (wanted in law.title or wanted in law.short_title) and level_matches
    assert (f'<a href="{law.get_absolute_url()}">' in content) == listed, (q, level)
    assert f"共 {int(listed)} 部" in content
    assert ("没有找到标题含" in content) == (not listed)
    assert stored() == before


def test_oversized_inputs_are_cut_with_a_message_and_store_nothing_oversized(client, site):
    _, law = site
    huge = "民法" * 50_000
    before = stored()

    content = client.get("/statutes/", {"q": huge}).content.decode()
    assert f'value="{huge[:100]}"' in content  # the filter keeps the first 100 characters
    assert f"没有找到标题含“{huge[:100]}”的法规" in content and law.title not in content
    assert "筛选词太长，只按前 100 个字筛选。" in content

    response = client.get("/search/", {"q": huge})
    assert response.status_code == 200
    assert "搜索词太长，只按前 100 个字搜索。" in response.content.decode()
    assert response.context["outcome"].query.text == huge[:100]
    assert list(SearchRecord.objects.values_list("query", flat=True)) == [huge[:100]]

    response = client.get("/search/suggest", {"q": huge})
    assert response.status_code == 200 and json.loads(response.content) == {"suggestions": []}

    assert_missing(client.get("/" + "a" * 5000 + "/"), "a long path")
    response = client.get("/statutes/", {"page": "9" * 5000})
    assert response.status_code == 200 and law.title in response.content.decode()
    assert stored() == before


# A reader's text with a NUL, with other control characters, and past every limit. (Search reads the
# separators \x0b, \x1c-\x1f as the whitespace Python takes them for.)
HOSTILE_TEXT = {"nul": "民法\x00典", "controls": "民法\x01\x07\x7f典", "overlong": "民法典" + "民" * 5_000}


class TestEveryParameterMeansSomething:
    """Each reader-facing parameter, sent hostile values: the answer the value calls for, never a 500."""

    @pytest.mark.parametrize("name", HOSTILE_TEXT)
    def test_a_search_drops_control_characters_cuts_with_a_message_and_records_what_it_searched(
        self, client, site, name
    ):
        raw = HOSTILE_TEXT[name]
        before = stored()
        response = client.get("/search/", {"q": raw})
        assert response.status_code == 200
        searched = "民法典" if name != "overlong" else raw[:100]
        assert response.context["outcome"].query.text == searched
        assert ("搜索词太长，只按前 100 个字搜索。" in response.content.decode()) == (name == "overlong")
        assert list(SearchRecord.objects.values_list("query", flat=True)) == [searched]
        assert stored() == before

    @pytest.mark.parametrize("name", ["nul", "controls"])
    def test_suggestions_and_the_statute_filter_read_the_words_without_control_characters(
        self, client, site, name
    ):
        _, law = site
        suggestions = json.loads(client.get("/search/suggest", {"q": HOSTILE_TEXT[name]}).content)
        assert {"kind": "law", "label": law.title, "url": law.get_absolute_url()} in suggestions[
            "suggestions"
        ]
        response = client.get("/statutes/", {"q": HOSTILE_TEXT[name]})
        assert response.status_code == 200
        content = response.content.decode()
        assert f'<a href="{law.get_absolute_url()}">' in content
        assert 'value="民法典"' in content and "共 1 部" in content

    @pytest.mark.parametrize("value", [*HOSTILE_TEXT.values(), "9" * 30, "-1", "1e3", "%_\\'"])
    def test_filters_that_name_nothing_are_no_filter(self, client, site, value):
        article, law = site
        before = stored()
        for params in ({"category": value}, {"type": value}, {"level": value}, {"versions": value}):
            response = client.get("/search/", {"q": "民法典", **params})
            assert response.status_code == 200, params
            context = response.context
            assert (context["category_id"], context["kind"], context["level"]) == (None, "all", ""), params
            assert context["include_superseded"] is False, params
            response = client.get("/statutes/", {"level": value, "versions": value})
            assert law.title in response.content.decode() and "共 1 部" in response.content.decode()
        assert stored() == before

    @pytest.mark.parametrize("value", ["9" * 30, "0", "-1", "2\x00", "民", "a" * 5_000])
    def test_pages_that_do_not_exist_are_a_404_that_says_so(self, client, site, value):
        article, _ = site
        before = stored()
        for path, key in [
            ("/search/", "page"), ("/", "page"), (article.category.get_absolute_url(), "page"),
            ("/sitemap-articles.xml", "p"), ("/sitemap-provisions.xml", "p"),
        ]:  # fmt: skip
            params = {key: value, "q": "民法典"} if path == "/search/" else {key: value}
            assert_missing(client.get(path, params), (path, value))
        assert stored() == before

    @pytest.mark.parametrize(
        "path",
        ["/category/" + "a" * 5_000 + "/", "/category/%00/", "/articles/" + "9" * 30 + "/", "/statutes/1/0/",
         "/statutes/" + "9" * 19 + "/", "/statutes/1/99999/", "/sitemap-" + "a" * 1000 + ".xml"],
    )  # fmt: skip
    def test_urls_past_any_record_are_a_404_that_says_so(self, client, site, path):
        before = stored()
        assert_missing(client.get(path), path)
        assert stored() == before

    @pytest.mark.parametrize(
        "username, password, message",
        [("编辑\x00", "whatever", "不允许是用空字符串"), ("编辑", "pass\x00word", "不允许是用空字符串"),
         ("名" * 151, "whatever", "用户名最多 150 个字符"), ("编辑", "密" * 5_000, "请输入一个正确的")],
    )  # fmt: skip
    def test_a_sign_in_with_hostile_values_gets_the_form_again_with_a_message(
        self, client, site, username, password, message
    ):
        from axes.models import AccessAttempt

        response = client.post("/admin/login/", {"username": username, "password": password})
        assert response.status_code == 200
        assert message in response.content.decode()
        assert "_auth_user_id" not in client.session
        attempted = "\x00" not in username + password and len(username) <= 150  # a sign-in was tried
        assert AccessAttempt.objects.exists() == attempted


def test_a_session_cookie_with_a_nul_is_no_session_not_a_500(client, site):
    """A cookie may carry a NUL: "\\000" in a quoted value is one (Python's cookie parsing)."""
    from django.contrib.sessions.models import Session

    article, _ = site
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"
    before = stored()
    for path in ("/", article.get_absolute_url(), "/admin/"):
        response = client.get(path)
        assert response.status_code == (302 if path == "/admin/" else 200), path
    assert response.url.startswith("/admin/login/")  # not signed in
    assert not Session.objects.exists()
    after = stored()
    assert after.pop("views") == [(article.pk, dict(before.pop("views"))[article.pk] + 1)]
    assert after == before


GOOD_FILE = statute_text(
    "中华人民共和国测试法", "第一条 为了测试，制定本法。\n\n第二条 本法自公布之日起施行。"
)
# The header, through the end of its INFO END line: a file cut after it keeps the header whole.
HEADER_BYTES = len(GOOD_FILE[: GOOD_FILE.index(INFO_END) + len(INFO_END) + 1].encode("utf-8"))
# Why a file cut before its header ends is refused (the line is named when there is one).
HEADER_REFUSAL = re.compile(
    rf"(line \d+: )?(the file is empty|the first line is not a '# title' line|no '{INFO_END}' line after the header)"
)


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(GOOD_FILE.encode("utf-8"))), junk=st.binary(max_size=20))
def test_statute_files_cut_or_corrupted_anywhere_give_what_is_whole_or_are_refused_with_the_reason(cut, junk):
    data = GOOD_FILE.encode("utf-8")[:cut] + junk
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # the importer reports undecodable files by name (tests/statutes/test_import.py)
    if INFO_END not in (line.strip() for line in text.splitlines()):  # the header is cut
        assert cut < HEADER_BYTES
        with pytest.raises(StatuteFormatError) as refused:
            parse_statute(text, source_name="测试法(2020-01-01).md")
        assert HEADER_REFUSAL.fullmatch(str(refused.value)), str(refused.value)
        return
    parsed = parse_statute(text, source_name="测试法(2020-01-01).md")
    assert (parsed.title, parsed.history) == ("中华人民共和国测试法", ["2020年1月1日 通过"])
    numbers = [provision.number for provision in parsed.provisions]
    assert numbers == [1, 2][: len(numbers)]  # the 条 before the cut, in order, none made up


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
