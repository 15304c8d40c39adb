import datetime
import json
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services, view_counts
from articles.models import Article
from articles.views import ArticleDetailView
from statutes.models import Provision, Status
from tests.helpers import make_article, make_author, make_category, make_law, make_provisions

pytestmark = pytest.mark.django_db


@pytest.fixture
def telecom():
    law = make_law("中华人民共和国电信条例", level="行政法规")
    Provision.objects.create(
        law=law, number=34, text="电信用户应当按照约定的时间和方式及时、足额地交纳电信费用。", order=1
    )
    Provision.objects.create(
        law=law, number=65, text="电信用户依法使用电信的自由和通信秘密受法律保护。\n（一）第一项；", order=2
    )
    return law


@pytest.fixture
def seed_article(telecom):
    category = make_category()
    older = make_article(
        "更早的文章", category=category, published_at=timezone.now() - datetime.timedelta(days=30)
    )
    article = make_article(
        "网贷逾期后平台群发短信给通讯录联系人，违法吗？",
        category=category,
        published_at=timezone.now() - datetime.timedelta(days=150),
        cites=[telecom.provisions.get(key="65")],
        body="平台不得群发。\n\n## 建议参考\n\n1. 保留证据。\n\n## 小编总结\n\n催收要合法。",
    )
    newer = make_article(
        "更新的文章", category=category, published_at=timezone.now() - datetime.timedelta(days=1)
    )
    return article, older, newer


class TestArticlePage:
    def test_carries_every_element_of_the_seed_post(self, client, seed_article, telecom):
        article, later, latest = seed_article
        response = client.get(article.get_absolute_url())
        content = response.content.decode()
        assert response.status_code == 200
        # breadcrumb
        assert re.search(
            r"当前位置：<a href=\"/\">首页</a> › <a href=\"/category/finance-debt/\">金融债务</a> › 正文内容",
            content,
        )
        assert "<h1>网贷逾期后平台群发短信给通讯录联系人，违法吗？</h1>" in content
        # meta line: author, relative and exact date, category, views
        assert ">林清远</a>" in content
        assert "5个月前 (" in content and 'datetime="' in content
        assert "阅读 0<" in content  # the views counted before this one
        # body with 建议参考 and 小编总结
        assert "<li>保留证据。</li>" in content and "小编总结" in content
        # 相关法条 from the library: law title, linked label, full text
        assert "相关法条" in content
        assert "《中华人民共和国电信条例》" in content
        assert f'href="/statutes/{telecom.pk}/65/">第六十五条</a>' in content
        assert "电信用户依法使用电信的自由和通信秘密受法律保护。" in content
        assert '<p class="item">（一）第一项；</p>' in content
        assert "第三十四条" not in content
        # copyright, permalink, QR code
        assert "版权声明：本文由明衡律师事务所林清远结合法律法规原创并发布" in content
        assert f'本文链接：<a href="http://testserver/articles/{article.pk}/">' in content
        assert "<svg" in content and "扫描二维码推送至手机访问" in content
        # previous / next in the category, related articles
        assert f'rel="next" href="{later.get_absolute_url()}"' in content
        assert 'rel="prev"' not in content
        assert "相关文章" in content and latest.title in content

    def test_reprints_credit_their_source(self, client):
        article = make_article(
            origin=Article.Origin.REPRINT, source_name="某某法律网", source_url="https://example.com/a/1"
        )
        content = client.get(article.get_absolute_url()).content.decode()
        assert (
            "本文转载自" in content
            and 'href="https://example.com/a/1"' in content
            and "某某法律网" in content
        )
        assert "原创并发布" not in content

    def test_views_are_counted(self, client, seed_article):
        article = seed_article[0]
        for _ in range(3):
            client.get(article.get_absolute_url())
        view_counts.flush()  # (with Redis: the batch written; without, each view was written)
        article.refresh_from_db()
        assert article.view_count == 3
        assert "阅读 3<" in client.get(article.get_absolute_url()).content.decode()  # the views so far

    def test_drafts_are_hidden_from_readers_and_previewed_by_staff(self, client, admin_client):
        draft = make_article("草稿文章", status=Article.Status.DRAFT)
        assert client.get(draft.get_absolute_url()).status_code == 404
        response = admin_client.get(draft.get_absolute_url())
        assert response.status_code == 200 and "草稿预览" in response.content.decode()

    def test_unknown_article_is_404(self, client):
        assert client.get("/articles/999999/").status_code == 404

    def test_structured_data_names_the_cited_legislation_and_cannot_break_out(self, client, telecom):
        article = make_article(
            "标题</script><script>alert(1)</script>", cites=[telecom.provisions.get(key="65")]
        )
        content = client.get(article.get_absolute_url()).content.decode()
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.S).group(1)
        data = json.loads(block)
        assert data["@type"] == "Article"
        assert data["headline"] == "标题</script><script>alert(1)</script>"
        assert data["citation"][0]["@type"] == "Legislation"
        assert data["citation"][0]["name"] == "中华人民共和国电信条例第六十五条"
        assert "<script>alert(1)" not in content

    def test_query_count_does_not_grow_with_citations(self, client):
        law = make_law()
        provisions = make_provisions(law, 10)
        one = make_article("一条引用", cites=provisions[:1])
        ten = make_article("十条引用", cites=provisions)

        def count(article):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(article.get_absolute_url()).status_code == 200
            return len(captured)

        rendered = count(ten)
        assert rendered == count(one) <= 8  # the article, its citations, neighbours, related …, the view
        with override_settings(READER_CACHE=True):
            count(ten)
            assert count(ten) <= 2  # kept: the generation, and the view counted (in the database here)

    def test_readers_get_a_kept_page_that_follows_edits(self, client, settings):
        settings.READER_CACHE = True
        article = make_article("缓存测试", body="第一版正文。")
        neighbour = make_article("另一篇")
        first = client.get(article.get_absolute_url()).content.decode()
        assert "第一版正文" in first
        with mock.patch.object(ArticleDetailView, "get_context_data", autospec=True) as rendered:
            assert client.get(article.get_absolute_url()).content.decode() == first
        assert rendered.call_count == 0
        article.refresh_from_db()
        article.body = "第二版正文。"
        services.save_article(article=article)
        assert "第二版正文" in client.get(article.get_absolute_url()).content.decode()
        # A change to an article this page shows (its neighbour in the category) reaches it at once.
        neighbour.title = "另一篇（改过标题）"
        services.save_article(article=neighbour)
        assert "改过标题" in client.get(article.get_absolute_url()).content.decode()
        view_counts.flush()
        article.refresh_from_db()
        assert article.view_count == 4

    def test_a_body_is_shown_as_written_whatever_numbers_it_holds(self, client):
        article = make_article("数字测试", body="案号 987654321987654 与 1 号。")
        for _ in range(2):
            content = client.get(article.get_absolute_url()).content.decode()
            assert "案号 987654321987654 与 1 号" in content

    def test_head_requests_are_not_views(self, client):
        article = make_article("只看头部")
        assert client.head(article.get_absolute_url()).status_code == 200
        client.get(article.get_absolute_url())
        view_counts.flush()
        article.refresh_from_db()
        assert article.view_count == 1

    def test_the_host_header_cannot_choose_the_kept_page_or_its_links(self, client, settings):
        settings.SITE_URL = "https://kb.example.com"
        settings.ALLOWED_HOSTS = ["kb.example.com"]
        settings.READER_CACHE = True
        article = make_article("缓存键测试")
        with mock.patch.object(
            ArticleDetailView,
            "get_context_data",
            autospec=True,
            side_effect=ArticleDetailView.get_context_data,
        ) as rendered:
            pages = [
                client.get(article.get_absolute_url(), HTTP_HOST=f"kb.example.com:{port}").content.decode()
                for port in (443, 8443, 9999)
            ]
        assert rendered.call_count == 1  # one rendering served all three
        permalink = f"https://kb.example.com{article.get_absolute_url()}"
        assert all(f'<link rel="canonical" href="{permalink}">' in page for page in pages)
        assert not any(":9999" in page or ":8443" in page for page in pages)

    def test_signed_in_editors_get_fresh_pages(self, client, admin_client, settings):
        settings.READER_CACHE = True
        article = make_article("编辑看到的", body="正文。")
        client.get(article.get_absolute_url())
        Article.objects.filter(pk=article.pk).update(body_html="<p>直接改过的正文</p>")  # no generation moved
        assert "直接改过的正文" not in client.get(article.get_absolute_url()).content.decode()
        assert "直接改过的正文" in admin_client.get(article.get_absolute_url()).content.decode()

    def test_notice_for_citations_of_laws_no_longer_current(self, client):
        law = make_law("旧法", status=Status.AMENDED, is_current=False)
        article = make_article(cites=make_provisions(law, 1))
        assert "已修改" in client.get(article.get_absolute_url()).content.decode()


class TestListPages:
    def test_the_home_pages_through_every_article(self, client):
        for number in range(23):
            make_article(
                f"第{number}篇文章", published_at=timezone.now() - datetime.timedelta(hours=number + 1)
            )
        first = client.get("/").context
        assert [article.title for article in first["latest"]][:2] == ["第0篇文章", "第1篇文章"]
        assert first["paginator"].num_pages == 3
        last = client.get("/", {"page": "3"}).content.decode()
        assert "第22篇文章" in last and "第 3 / 3 页" in last
        assert client.get("/", {"page": "4"}).status_code == 404

    def test_home_lists_categories_latest_and_most_read(self, client):
        make_category("金融债务", "finance-debt", 1)
        labor = make_category("劳动用工", "labor", 2)
        make_article("劳动文章", category=labor, view_count=99)
        make_article("草稿", category=labor, status=Article.Status.DRAFT)
        content = client.get("/").content.decode()
        categories = content[content.index('class="category-list"') :]
        assert categories.index("金融债务") < categories.index("劳动用工")
        assert '劳动用工</a> <span class="muted">1 篇' in content
        assert "劳动文章" in content and "草稿" not in content
        assert 'type="search"' in content

    def test_category_pages_paginate_and_bad_pages_are_404(self, client):
        category = make_category()
        for number in range(12):
            make_article(f"文章{number:02d}", category=category)
        first = client.get(category.get_absolute_url())
        assert first.status_code == 200 and "第 1 / 2 页" in first.content.decode()
        assert client.get(category.get_absolute_url(), {"page": 2}).status_code == 200
        for page in ("3", "0", "-1", "abc", "1.5", "9" * 30):
            response = client.get(category.get_absolute_url(), {"page": page})
            assert response.status_code == 404, page
        assert client.get("/category/no-such-category/").status_code == 404

    def test_author_page(self, client):
        author = make_author("周敏", "正行律师事务所")
        make_article("周律师的文章", author=author)
        content = client.get(author.get_absolute_url()).content.decode()
        assert "周敏" in content and "正行律师事务所" in content and "周律师的文章" in content

    def test_provision_page_lists_the_articles_citing_it(self, client, telecom):
        provision = telecom.provisions.get(key="65")
        make_article("引用第六十五条的文章", cites=[provision])
        make_article("引用它的草稿", cites=[provision], status=Article.Status.DRAFT)
        content = client.get(provision.get_absolute_url()).content.decode()
        assert "引用第六十五条的文章" in content and "引用它的草稿" not in content


class TestFeedsAndSeo:
    def test_rss_feed(self, client):
        make_article("最新的文章")
        response = client.get("/feed/")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
        assert "<title>最新的文章</title>" in response.content.decode()

    def test_sitemap_is_an_index_over_the_home_articles_categories_laws_and_provisions(self, client):
        article = make_article()
        law = make_law("中华人民共和国某法")
        provisions = make_provisions(law, 3)
        index = client.get("/sitemap.xml").content.decode()
        assert "<sitemapindex" in index
        sections = re.findall(r"<loc>http://testserver(/sitemap-[a-z]+\.xml)</loc>", index)
        assert set(sections) == {
            f"/sitemap-{name}.xml" for name in ("home", "articles", "categories", "laws", "provisions")
        }
        content = "".join(client.get(section).content.decode() for section in sections)
        assert "<loc>http://testserver/</loc>" in content
        assert f"http://testserver{article.get_absolute_url()}" in content
        assert "http://testserver/category/finance-debt/" in content
        assert f"http://testserver{law.get_absolute_url()}" in content
        assert all(f"http://testserver{provision.get_absolute_url()}" in content for provision in provisions)

    def test_a_kind_with_more_than_a_files_worth_is_split_into_pages(self, client, settings):
        from articles.sitemaps import ProvisionSitemap

        law = make_law("中华人民共和国某法")
        make_provisions(law, 5)
        with mock.patch.object(ProvisionSitemap, "limit", 2):
            index = client.get("/sitemap.xml").content.decode()
            assert "sitemap-provisions.xml?p=3" in index
            page = client.get("/sitemap-provisions.xml", {"p": "3"}).content.decode()
        assert page.count("<url>") == 1

    def test_robots_txt_points_to_the_sitemap(self, client):
        content = client.get("/robots.txt").content.decode()
        assert "Sitemap: http://testserver/sitemap.xml" in content and "Disallow: /admin/" in content

    def test_pages_have_title_description_and_canonical(self, client, seed_article):
        article = seed_article[0]
        content = client.get(article.get_absolute_url()).content.decode()
        assert f"<title>{article.title} · 法律知识库</title>" in content
        assert f'<meta name="description" content="{article.excerpt}">' in content
        assert f'<link rel="canonical" href="http://testserver/articles/{article.pk}/">' in content


class TestCounts:
    """Every number a reader sees says what it counts."""

    def test_most_read_says_reads_and_leaves_out_what_nobody_read(self, client):
        make_article("读过的文章", view_count=1286)
        make_article("没人读过的文章")
        content = client.get("/").content.decode()
        ranked = content[content.index('class="ranked-list"') :]
        assert '读过的文章</a> <span class="muted">1286 次阅读</span>' in ranked
        assert "没人读过的文章" not in ranked

    def test_no_most_read_section_before_anything_is_read(self, client):
        make_article("新文章")
        assert "阅读最多" not in client.get("/").content.decode()

    def test_an_authors_page_says_how_many_articles(self, client):
        article = make_article("甲文章")
        content = client.get(article.author.get_absolute_url()).content.decode()
        assert '<h2>文章 <span class="muted">共 1 篇</span></h2>' in content
