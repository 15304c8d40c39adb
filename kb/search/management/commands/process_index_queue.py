from django.core.management.base import BaseCommand

from kb.search import queue
from kb.search.models import IndexTask


class Command(BaseCommand):
    help = "Write the pending search index updates (those a busy or failed writer left queued)."

    def handle(self, *args, **options):
        pending = IndexTask.objects.count()
        done = queue.drain(wait=60)
        left = IndexTask.objects.count()
        self.stdout.write(
            f"Index queue: {pending} pending, {left} left ({'done' if done else 'writer busy or failing'})."
        )
