"""python manage.py refresh_topics: recompute every article's topics and related articles from the index.

Saving an article brings its own up to date (kb.search.queue); run this after the index is built
or rebuilt (make run does), since what was computed before it found nothing. Re-runnable.
"""

from django.core.management.base import BaseCommand

from articles.models import Article
from kb.search.related import refresh_related, refresh_topics
from statutes.progress import Progress

BATCH = 250


class Command(BaseCommand):
    help = (
        "Recompute the provisions each article is about (its topics) and its related articles, "
        "from the search index."
    )

    def handle(self, *args, verbosity=1, **options):
        articles = list(Article.objects.only("id", "title", "body_html"))
        total = len(articles)
        progress = Progress(self.stdout, "文章主题", verbosity=verbosity)
        for done, article in enumerate(articles, start=1):
            refresh_topics(article)
            progress(done, total)
        # Every article's topics first: a list compares them across articles.
        progress = Progress(self.stdout, "相关文章", verbosity=verbosity)
        for start in range(0, total, BATCH):
            refresh_related([article.pk for article in articles[start : start + BATCH]])
            progress(min(start + BATCH, total), total)
        self.stdout.write(f"Topics and related articles refreshed for {total} articles.")
