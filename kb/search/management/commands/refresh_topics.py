"""python manage.py refresh_topics: recompute every article's topics and related articles from the index.

Saving an article brings its own up to date (kb.search.queue); run this after the index is built
or rebuilt (make run does), since what was computed before it found nothing. Re-runnable.
"""

from django.core.management.base import BaseCommand

from articles.models import Article
from kb.search.related import refresh_related, refresh_topics


class Command(BaseCommand):
    help = (
        "Recompute the provisions each article is about (its topics) and its related articles, "
        "from the search index."
    )

    def handle(self, *args, **options):
        articles = list(Article.objects.only("id", "title", "body_html"))
        for article in articles:
            refresh_topics(article)
        # Every article's topics first: a list compares them across articles.
        refresh_related([article.pk for article in articles])
        self.stdout.write(f"Topics and related articles refreshed for {len(articles)} articles.")
