"""python manage.py bring_up: the real site's content, each step only when its input changed (make run).

1. the statute library: the whole corpus (../shared/data/laws), imported when its files changed;
2. the demo content (fixtures/): categories, authors, the provisions the demo cites, and its 13
   articles only where the real answers are absent (no Q&A file, none imported). On a site with
   the real answers, the demo articles still published as the demo wrote them are withdrawn to
   drafts, at every run (a few queries), so that readers meet and count the real answers alone;
   a demo article an editor has edited is theirs and stays as it is;
3. the Q&A answers (../shared/bench/lecoqa/qa.jsonl), imported as published articles;
4. the search index, rebuilt when any of the above or the analysis (dictionary, stop words,
   synonyms, the index's schema) changed, or when there is none; then every article's topics
   and related articles, left to the search worker (kb.search.tasks.refresh_all_related), so the
   site answers at once. Otherwise only what editors left queued is written.
5. the vectors of search by meaning (kb.search.vectors), after a rebuild or when they are missing:
   left to the search worker (`make run` starts it), so the site answers by words at once and
   by meaning too a few minutes later; the worker logs their progress with an ETA.
When rendering changed (articles.markdown.RENDERING), the stored articles are rendered again.
Where ../shared is missing, the demo content alone is loaded, and the command says so. What was
done is remembered in var/bring_up.json (fingerprints of the inputs); a run with nothing changed
takes a second or two.
"""

import hashlib
import json
import time
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from whoosh import index as whoosh_index

from articles import services
from articles.markdown import RENDERING
from articles.qa_import import imported_answers
from kb.search import tasks, vectors
from kb.search.analysis import DATA_DIR
from kb.search.backend import SCHEMA_VERSION

SHARED = settings.BASE_DIR.parent / "shared"
DEFAULT_CORPUS = SHARED / "data" / "laws"
DEFAULT_QA = SHARED / "bench" / "lecoqa" / "qa.jsonl"
FIXTURES = settings.BASE_DIR / "fixtures"


def fingerprint(*paths: Path) -> str:
    """Changes when any file under the paths is added, removed, resized or touched."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.exists():
                stat = file.stat()
                digest.update(f"{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Bring the site's content and search index up to date with the corpus, the Q&A and the demo (make run)."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="the statute corpus folder")
        parser.add_argument("--qa", default=str(DEFAULT_QA), help="the Q&A file (JSON lines)")

    def handle(self, *args, corpus, qa, verbosity=1, **options):
        corpus, qa = Path(corpus), Path(qa)
        state_path = Path(settings.VAR_DIR) / "bring_up.json"
        state = json.loads(state_path.read_text()) if state_path.exists() else {}
        inputs = {
            "corpus": fingerprint(corpus) if corpus.is_dir() else "absent",
            "demo": fingerprint(FIXTURES),
            "qa": fingerprint(qa) if qa.is_file() else "absent",
            "analysis": fingerprint(DATA_DIR) + f":schema {SCHEMA_VERSION}",
            "rendering": str(RENDERING),
        }
        started = time.monotonic()
        say = self.stdout.write
        changed = {name for name, value in inputs.items() if state.get(name) != value}
        if not corpus.is_dir():
            say(
                self.style.WARNING(
                    f"No statute corpus at {corpus}: the demo library (the provisions the demo cites) only."
                )
            )
        # The real answers: being imported, or imported before (a site keeps them when the file goes).
        real_answers = qa.is_file() or imported_answers().exists()
        if not qa.is_file():
            say(
                self.style.WARNING(
                    f"No Q&A file at {qa}: "
                    + ("the answers imported before stay." if real_answers else "the demo articles only.")
                )
            )
        index_missing = not self.index_exists()
        rebuild = bool(changed) or index_missing
        # A rebuild follows: the imports leave their index updates to it instead of writing them one by one.
        with tasks.paused() if rebuild else nullcontext():
            if "corpus" in changed and corpus.is_dir():
                say(f"[1/5] Importing the statute library from {corpus} …")
                call_command("import_statutes", str(corpus), verbosity=verbosity)
            if "demo" in changed or "corpus" in changed:
                if real_answers:
                    say("[2/5] Loading the demo's statutes, categories and authors (not its articles) …")
                    call_command("load_demo", articles=False, verbosity=verbosity)
                else:
                    say("[2/5] Loading the demo content …")
                    call_command("load_demo", verbosity=verbosity)
            if "qa" in changed and qa.is_file():
                say(f"[3/5] Importing the Q&A answers from {qa} …")
                call_command("import_qa", str(qa), verbosity=verbosity)
            if real_answers:
                self.withdraw_demo_articles()
            if "rendering" in changed and state:  # not on a first run: everything was just rendered
                say("      Rendering the articles again (rendering changed) …")
                call_command("rerender_articles", verbosity=verbosity)
        if rebuild:
            reason = (
                "there is none yet"
                if index_missing
                else "its input changed (" + ", ".join(sorted(changed)) + ")"
            )
            say(f"[4/5] Building the search index: {reason} …")
            call_command("rebuild_index", interactive=False, verbosity=verbosity)
            # Left to the search worker, so the site answers now: a page lists the latest articles of
            # its category until its own related list is made (a minute or two).
            say("      Topics and related articles: the search worker makes them (a minute or two).")
            tasks.refresh_all_related.enqueue()
        if settings.KB_EMBEDDER and (rebuild or not vectors.ready()):
            say("[5/5] Search by meaning: the search worker builds its vectors (a few minutes on first run);")
            say("      until then search answers by words alone, and the search page says so.")
            tasks.build_vectors.enqueue(then_related=rebuild)
        state_path.parent.mkdir(parents=True, exist_ok=True)
        state_path.write_text(json.dumps(inputs, indent=2))
        say(self.style.SUCCESS(f"Content and index up to date ({time.monotonic() - started:.1f} s)."))

    def withdraw_demo_articles(self):
        try:
            withdrawn = services.withdraw_demo_articles(FIXTURES / "demo" / "articles")
        except services.DemoContentError as error:
            raise CommandError(f"demo content not read: {error}") from None
        if withdrawn:
            self.stdout.write(
                f"      {len(withdrawn)} demo articles withdrawn to drafts: the real answers are here."
            )

    @staticmethod
    def index_exists() -> bool:
        return whoosh_index.exists_in(str(settings.WHOOSH_PATH))
