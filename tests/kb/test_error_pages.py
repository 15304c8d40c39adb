"""The site's own error pages: what a reader sees at a wrong address or when a page fails."""

import pytest
from django.test import Client

from statutes import selectors

pytestmark = pytest.mark.django_db


def looks_like_the_site(content: str) -> bool:
    """The site's header, stylesheet, search box and footer: the page is one of ours."""
    return all(
        part in content
        for part in (
            '<a class="site-title" href="/">法律知识库</a>',
            "css/site.css",
            'role="search"',
            "site-footer",
        )
    )


class TestNotFound:
    def test_an_unknown_address_gets_the_sites_404_page(self, client):
        response = client.get("/no-such-page/")
        content = response.content.decode()
        assert response.status_code == 404
        assert "<h1>页面不存在</h1>" in content and looks_like_the_site(content)
        assert '<a href="/statutes/">浏览法规库</a>' in content
        # Not a page search engines should keep, nor one with a canonical address.
        assert '<meta name="robots" content="noindex">' in content and 'rel="canonical"' not in content

    def test_an_unknown_law_or_provision_gets_it_too(self, client):
        for path in ("/statutes/999999/", "/statutes/999999/12/", "/articles/999999/"):
            response = client.get(path)
            assert response.status_code == 404 and "<h1>页面不存在</h1>" in response.content.decode(), path


class TestServerError:
    def test_a_failing_page_gets_the_sites_500_page(self, monkeypatch):
        def fails(**kwargs):
            raise RuntimeError("the database went away")

        monkeypatch.setattr(selectors, "law_list", fails)
        response = Client(raise_request_exception=False).get("/statutes/")
        content = response.content.decode()
        assert response.status_code == 500
        assert "<h1>服务器出错</h1>" in content and looks_like_the_site(content)
        assert "the database went away" not in content and "Traceback" not in content
        assert '<meta name="robots" content="noindex">' in content


def test_a_bad_request_gets_the_sites_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example.com")  # not an allowed host
    assert response.status_code == 400
    assert "<h1>请求有误</h1>" in response.content.decode()
