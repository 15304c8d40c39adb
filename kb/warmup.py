"""Warm a server process before it takes requests: the first reader must not pay for start-up.

What a search or a page needs once per process costs about a second (jieba's dictionary, the
index's per-segment statistics, compiled templates): paid by the first readers of every fresh
worker, it made their requests take seconds. gunicorn (kb/gunicorn.py) loads the application
and runs warm_up() in its master process before it opens the port, then forks the workers,
which start with all of it in memory; each opens its own database connection and index files.
"""

import logging
import time

from django.conf import settings
from django.db import connections
from django.test import Client

from articles.models import Article
from kb.search.analysis import ensure_dictionary
from kb.search.selectors import search, search_backend
from statutes.citations import known_law_names
from statutes.models import Provision

logger = logging.getLogger(__name__)

SAMPLE_QUESTIONS = ["网贷逾期会爆通讯录吗", "民法典第1032条", "债"]


def sample_pages() -> list[str]:
    """A page of each kind readers open: home, an article, a provision, the library, a search."""
    pages = ["/", "/statutes/", "/search/?q=" + SAMPLE_QUESTIONS[0]]
    article = Article.objects.published().order_by("-published_at").first()
    if article is not None:
        pages.append(article.get_absolute_url())
    provision = Provision.objects.order_by("pk").first()
    if provision is not None:
        pages.append(provision.get_absolute_url())
    return pages


def server_host() -> str:
    """A host name the site answers to, for the requests made here."""
    if settings.SITE_URL:
        return settings.SITE_URL.split("://", 1)[-1]
    named = [host for host in settings.ALLOWED_HOSTS if host not in ("*",) and not host.startswith(".")]
    return named[0] if named else "localhost"


def warm_up() -> float:
    """Load everything a request needs once per process; then let go of what must not be shared.

    Returns the seconds it took. Safe to call where the database or the index is empty.
    """
    started = time.monotonic()
    ensure_dictionary()
    known_law_names()
    for question in SAMPLE_QUESTIONS:
        search(question)  # the index's statistics of every segment, for both kinds
    # Marked as the warm-up: not a reader, nothing counted or recorded (kb.reader_cache).
    client = Client(HTTP_HOST=server_host(), HTTP_X_KB_WARM_UP="1")
    for path in sample_pages():
        # HEAD renders the whole page (templates, caches) and is not counted as a view.
        response = client.head(path, secure=getattr(settings, "SECURE_SSL_REDIRECT", False))
        if response.status_code >= 400:
            logger.warning("Warm-up: %s answered %s", path, response.status_code)
    release_process_resources()
    return time.monotonic() - started


def release_process_resources() -> None:
    """Close database connections and index files: a forked process must open its own."""
    connections.close_all()
    backend = search_backend()
    forget = getattr(getattr(backend, "index", None), "forget_searchers", None)
    if forget is not None:
        forget()
