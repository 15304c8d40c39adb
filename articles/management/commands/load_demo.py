"""python manage.py load_demo: the demo statutes, categories, authors and articles.

Safe to run on every start: fixtures load by natural key, and an article that exists
(by title) is left as editors made it. --without-articles: the demo's statutes, categories and
authors only (bring_up, on a site with the real answers).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from articles.services import DemoContentError, load_demo_articles

FIXTURES = ["demo_statutes.json", "demo_site.json"]


class Command(BaseCommand):
    help = "Load the demo content: statutes the demo articles cite, categories, authors and 13 articles."

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-articles",
            action="store_false",
            dest="articles",
            help="the statutes, categories and authors only, not the articles",
        )

    def handle(self, *args, articles=True, **options):
        fixtures = settings.BASE_DIR / "fixtures"
        for name in FIXTURES:
            call_command("loaddata", str(fixtures / name), verbosity=0)
        if not articles:
            self.stdout.write("Demo content: statutes, categories and authors (no articles).")
            return
        try:
            report = load_demo_articles(fixtures / "demo" / "articles")
        except DemoContentError as error:
            raise CommandError(f"demo content not loaded: {error}") from None
        self.stdout.write(
            f"Demo content: {len(report.created)} articles created, {len(report.existing)} already there."
        )
