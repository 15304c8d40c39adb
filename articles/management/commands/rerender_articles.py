"""python manage.py rerender_articles: render every article's body again (HTML, links, excerpt) as saving does.

For after a change to rendering (articles.markdown.RENDERING): articles keep what was rendered
when they were saved. Re-runnable; each article is saved through articles.services.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from articles import services
from articles.models import Article


class Command(BaseCommand):
    help = "Render every article's body again (after a change to rendering)."

    def handle(self, *args, verbosity=1, **options):
        articles = list(Article.objects.all())
        with transaction.atomic():
            for done, article in enumerate(articles, start=1):
                services.save_article(article=article)
                if verbosity >= 1 and (done % 250 == 0 or done == len(articles)):
                    self.stdout.write(f"重新生成正文 {done}/{len(articles)}")
        self.stdout.write(f"Articles rendered again: {len(articles)}.")
