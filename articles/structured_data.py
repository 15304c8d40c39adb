"""schema.org data for article pages: an Article naming the legislation it cites."""

from statutes.models import Provision

from .models import Article


def article_structured_data(
    *, article: Article, provisions: list[Provision], url: str, site_url: str
) -> dict:
    author = {
        "@type": "Person",
        "name": article.author.name,
        "url": site_url + article.author.get_absolute_url(),
    }
    if article.author.firm:
        author["affiliation"] = {"@type": "Organization", "name": article.author.firm}
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "description": article.excerpt,
        "articleSection": article.category.name,
        "inLanguage": "zh-CN",
        "url": url,
        "mainEntityOfPage": url,
        "author": author,
        "dateModified": article.updated_at.isoformat(),
        "citation": [
            {
                "@type": "Legislation",
                "name": f"{provision.law.title}{provision.label}",
                "legislationIdentifier": f"{provision.law.short_title} {provision.label}",
                "url": site_url + provision.get_absolute_url(),
                "isPartOf": {
                    "@type": "Legislation",
                    "name": provision.law.title,
                    "url": site_url + provision.law.get_absolute_url(),
                    "legislationLegalForce": "InForce" if provision.law.is_in_force else "NotInForce",
                },
            }
            for provision in provisions
        ],
    }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    return data
