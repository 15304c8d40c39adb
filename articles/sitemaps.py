"""The sitemap: an index over one file per kind of page (home, articles, categories, laws, provisions).

The protocol allows 50,000 addresses a file; Django's sitemap views split a kind into pages of
that size (?p=2), which the index lists.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from statutes.models import Law, Provision

from .models import Article, Category


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["home", "statutes:law_list"]

    def location(self, name):
        return reverse(name)


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


class ProvisionSitemap(Sitemap):
    """Every provision of the current laws: tens of thousands, over several files."""

    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return Provision.objects.of_current_laws().only("id", "law_id", "key").order_by("pk")


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "laws": LawSitemap,
    "provisions": ProvisionSitemap,
}
