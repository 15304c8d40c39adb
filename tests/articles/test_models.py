import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from articles.models import Article, Citation
from tests.helpers import make_article, make_law, make_provisions

pytestmark = pytest.mark.django_db


class TestArticle:
    def test_save_renders_sanitized_html_and_an_excerpt(self):
        article = make_article(body="平台不能这样做。<script>x()</script>\n\n## 建议参考\n\n1. 留证")
        assert "<script" not in article.body_html
        assert '<h2 id="s-建议参考">' in article.body_html
        assert article.excerpt == "平台不能这样做。"

    def test_an_editors_summary_wins_over_the_generated_excerpt(self):
        article = make_article(summary="编辑写的摘要")
        assert article.excerpt == "编辑写的摘要"

    def test_editing_the_body_re_renders(self):
        article = make_article(body="旧正文。")
        article.body = "新正文。"
        article.save(update_fields=["body"])
        article.refresh_from_db()
        assert "新正文" in article.body_html and article.excerpt == "新正文。"

    def test_publishing_sets_the_time(self):
        article = make_article(status=Article.Status.DRAFT)
        assert article.published_at is None
        article.status = Article.Status.PUBLISHED
        article.save()
        assert article.published_at is not None

    def test_published_excludes_drafts_and_future_articles(self):
        visible = make_article("已发布")
        make_article("草稿", status=Article.Status.DRAFT)
        make_article("定时", published_at=timezone.now() + datetime.timedelta(days=1))
        assert list(Article.objects.published()) == [visible]

    def test_constraints(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=make_article().pk).update(published_at=None)
        with pytest.raises(IntegrityError), transaction.atomic():
            make_article("转载无来源", origin=Article.Origin.REPRINT)


class TestCitation:
    def test_a_cited_provision_cannot_be_deleted(self):
        provision = make_provisions(make_law(), 1)[0]
        make_article(cites=[provision])
        with pytest.raises(ProtectedError):
            provision.delete()

    def test_deleting_an_article_deletes_its_citations_not_the_provisions(self):
        provision = make_provisions(make_law(), 1)[0]
        make_article(cites=[provision]).delete()
        assert not Citation.objects.exists()
        provision.refresh_from_db()

    def test_a_provision_is_cited_once_per_article(self):
        provision = make_provisions(make_law(), 1)[0]
        article = make_article(cites=[provision])
        with pytest.raises(IntegrityError), transaction.atomic():
            Citation.objects.create(article=article, provision=provision, order=2)
