"""python manage.py load_demo: the demo statutes, categories, authors and articles.

Safe to run on every start: fixtures load by natural key, and an article that exists
(by title) is left as editors made it.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from articles.services import DemoContentError, load_demo_articles

FIXTURES = ["demo_statutes.json", "demo_site.json"]


class Command(BaseCommand):
    help = "Load the demo content: statutes the demo articles cite, categories, authors and 13 articles."

    def handle(self, *args, **options):
        fixtures = settings.BASE_DIR / "fixtures"
        for name in FIXTURES:
            call_command("loaddata", str(fixtures / name), verbosity=0)
        try:
            report = load_demo_articles(fixtures / "demo" / "articles")
        except DemoContentError as error:
            raise CommandError(f"demo content not loaded: {error}") from None
        self.stdout.write(
            f"Demo content: {len(report.created)} articles created, {len(report.existing)} already there."
        )
