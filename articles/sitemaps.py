from django.contrib.sitemaps import Sitemap

from statutes.models import Law

from .models import Article, Category


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("id", "updated_at").order_by("pk")

    def lastmod(self, article):
        return article.updated_at


class CategorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        return Category.objects.all()


class LawSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Law.objects.current().only("id").order_by("pk")


SITEMAPS = {"articles": ArticleSitemap, "categories": CategorySitemap, "laws": LawSitemap}
