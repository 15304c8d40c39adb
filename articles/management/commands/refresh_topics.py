"""python manage.py refresh_topics: recompute every article's topics (the provisions search finds for it).

Articles save their topics when their text changes; run this after the statute index is
built or rebuilt (make run does), since topics saved before it found nothing. Re-runnable.
"""

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.related import refresh_topics


class Command(BaseCommand):
    help = "Recompute the provisions each article is about (used by related articles) from the search index."

    def handle(self, *args, **options):
        count = 0
        for article in Article.objects.only("id", "title", "body_html").iterator():
            refresh_topics(article)
            count += 1
        self.stdout.write(f"Topics refreshed for {count} articles.")
