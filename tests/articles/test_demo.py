import io

import pytest
from django.conf import settings
from django.core.management import call_command

from articles import services
from articles.models import Article, Category
from statutes.models import Provision
from tests.helpers import make_article

pytestmark = pytest.mark.django_db
DEMO_ARTICLES = settings.BASE_DIR / "fixtures" / "demo" / "articles"


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_content_loads_once_and_follows_the_seed_structure():
    assert "13 articles created" in load_demo()
    assert Category.objects.count() >= 5 and Category.objects.filter(name="金融债务").exists()
    articles = Article.objects.published()
    assert articles.filter(origin=Article.Origin.ORIGINAL).count() >= 12
    for article in articles:
        assert "建议参考" in article.body_html and "小编总结" in article.body_html, article.title
        assert article.citations.exists(), article.title
    assert "0 articles created, 13 already there" in load_demo()
    assert Article.objects.count() == 13


def test_the_seed_topic_article_cites_the_right_provisions():
    load_demo()
    article = Article.objects.get(title__contains="通讯录")
    assert "网贷逾期" in article.title
    cited = {(p.law.short_title, p.key) for p in article.provisions.select_related("law")}
    assert ("电信条例", "65") in cited
    assert ("电信条例", "34") not in cited
    assert {("民法典", "1032"), ("民法典", "1033"), ("民法典", "1034")} <= cited
    assert ("互联网信息服务管理办法", "15") in cited


def test_editors_changes_survive_a_reload():
    load_demo()
    article = Article.objects.get(title__contains="通讯录")
    article.body = "编辑改写后的正文。"
    article.save()
    load_demo()
    article.refresh_from_db()
    assert article.body == "编辑改写后的正文。"


def test_without_articles_loads_the_demo_library_alone():
    out = io.StringIO()
    call_command("load_demo", "--without-articles", stdout=out)
    assert "no articles" in out.getvalue()
    assert not Article.objects.exists()
    assert Category.objects.filter(slug="finance-debt").exists()
    assert Provision.objects.filter(law__short_title="电信条例", key="65").exists()


class TestWithdrawDemoArticles:
    def test_withdraws_published_demo_articles_as_written_and_is_rerunnable(self):
        load_demo()
        kept = Article.objects.get(title__contains="通讯录")
        kept.title = "编辑改过标题的示例文章"
        services.save_article(article=kept)
        withdrawn = services.withdraw_demo_articles(DEMO_ARTICLES)
        assert len(withdrawn) == 12 and kept.title not in withdrawn
        assert list(Article.objects.published()) == [kept]
        assert Article.objects.filter(status=Article.Status.DRAFT).count() == 12
        assert services.withdraw_demo_articles(DEMO_ARTICLES) == []

    def test_leaves_other_articles_alone(self):
        load_demo()
        make_article("一篇真实的问答", category=Category.objects.get(slug="labor"))
        services.withdraw_demo_articles(DEMO_ARTICLES)
        assert list(Article.objects.published().values_list("title", flat=True)) == ["一篇真实的问答"]
