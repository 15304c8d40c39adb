"""What readers see, kept in Django's cache and dropped when it changes.

One number, the content generation, is part of every key: a write that changes what readers see
(an article saved, published, withdrawn or deleted, and the search index taking it in) moves it
on after its commit, and every page and search result kept under the old number is dropped at
once, in every process, because the number lives in the shared cache server (Redis, REDIS_URL).
A page also expires on its own: after READER_CACHE_SECONDS (its view counts and "most read" may
lag that much) and at the next scheduled article's publication time, so that the article appears
at its time, with no job.

Only with a cache shared by all processes (settings.READER_CACHE, on when REDIS_URL is set): with
the embedded default's local-memory cache, each gunicorn worker would keep its own generation and
serve pages another worker's save has changed.
"""

import collections
import datetime
import functools
import hashlib
import threading
import time
import urllib.parse

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.http import HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from articles import view_counts
from articles.models import Article

GENERATION_KEY = "kb:generation"
# The reader pages kept, by URL name; of their query strings only the page number counts.
CACHED_PAGES = {
    "home",
    "articles:detail",
    "articles:category",
    "articles:author",
    "statutes:provision_detail",
    "search:search",
}
KEPT_PARAMETERS = ("page",)
# The search page depends on all of these (others are ignored: a client cannot make misses with them).
SEARCH_PARAMETERS = ("q", "type", "level", "category", "versions", "page")
# Pages a process keeps a copy of (see ReaderPageCacheMiddleware.kept).
RECENT_PAGES = 200
# A process reads the generation from the cache server at most this often: a save is seen by
# readers within this much (plus the commit), and most hits cost one round trip instead of two.
GENERATION_MEMO_SECONDS = 0.25
# Headers of the response as the middleware below this one made it, replayed on a hit; not these.
UNKEPT_HEADERS = {"set-cookie", "date", "content-length"}


def enabled() -> bool:
    return settings.READER_CACHE


_memo = threading.local()


def generation() -> int:
    """The content generation, read from the cache server at most every GENERATION_MEMO_SECONDS."""
    now = time.monotonic()
    if getattr(_memo, "until", 0) > now:
        return _memo.value
    _memo.value = cache.get_or_set(GENERATION_KEY, 1, timeout=None)
    _memo.until = now + GENERATION_MEMO_SECONDS
    return _memo.value


def content_changed() -> None:
    """Drop every kept page and search result (after a commit: readers then get the new content)."""
    try:
        _memo.value = cache.incr(GENERATION_KEY)
    except ValueError:  # not there (a new cache server, or evicted): any new number will do
        _memo.value = int(timezone.now().timestamp() * 1000)
        cache.set(GENERATION_KEY, _memo.value, timeout=None)
    _memo.until = time.monotonic() + GENERATION_MEMO_SECONDS


def timeout(generation_now: int) -> int:
    """How long to keep what is read now: READER_CACHE_SECONDS, or until the next scheduled article."""
    seconds = settings.READER_CACHE_SECONDS
    upcoming = cache.get_or_set(
        f"kb:next-scheduled:{generation_now}",
        lambda: Article.objects.scheduled().aggregate(first=Min("published_at"))["first"] or False,
        timeout=seconds,
    )
    if upcoming:
        until = (upcoming - timezone.now()) / datetime.timedelta(seconds=1)
        seconds = max(0, min(seconds, int(until)))
    return seconds


@functools.cache
def search_path() -> str:
    return reverse("search:search")


def page_key(request, generation_now: int) -> str:
    names = SEARCH_PARAMETERS if request.path == search_path() else KEPT_PARAMETERS
    kept = urllib.parse.urlencode([(name, request.GET[name]) for name in names if name in request.GET])
    if len(kept) > 200:  # (a question: up to 100 characters, each %XX%XX%XX) shorter as a digest
        kept = hashlib.sha256(kept.encode()).hexdigest()
    return f"kb:page:{generation_now}:{request.path}?{kept}"


class ReaderPageCacheMiddleware:
    """Reader pages (home, articles, categories, authors, provisions) for anonymous readers, from the cache.

    First in MIDDLEWARE: a kept page is answered before any other middleware or view runs, with the
    headers the whole stack gave it when it was rendered (security headers, Vary …). A request
    with a session cookie (an editor, signed in) always goes through the whole stack, and nothing
    it gets is kept. An article page served from the cache still counts its view (a Redis
    increment; the count it shows may lag READER_CACHE_SECONDS).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # The pages this process served last, as the cache server holds them: a key names one
        # generation's page, which never changes, so a copy is good until the page's own expiry.
        self.recent: collections.OrderedDict = collections.OrderedDict()
        self.recent_lock = threading.Lock()

    def kept(self, key: str):
        with self.recent_lock:
            page = self.recent.get(key)
            if page is not None and page[3] > time.time():
                self.recent.move_to_end(key)
                return page
        page = cache.get(key)
        if page is not None:
            with self.recent_lock:
                self.recent[key] = page
                while len(self.recent) > RECENT_PAGES:
                    self.recent.popitem(last=False)
        return page

    def __call__(self, request):
        match = self.cacheable(request)
        if match is None:
            return self.get_response(request)
        now = generation()
        key = page_key(request, now)
        kept = self.kept(key)
        if kept is not None:
            content, headers, replay, _expires = kept
            response = HttpResponse(content, headers=headers)
            if replay is not None:
                replay()  # what the view does for every request (the search page: record the search)
        else:
            response = self.get_response(request)
            if (
                request.method == "GET"
                and response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                seconds = timeout(now)
                if seconds:
                    headers = {
                        name: value for name, value in response.items() if name.lower() not in UNKEPT_HEADERS
                    }
                    replay = getattr(response, "reader_cache_replay", None)
                    cache.set(key, (response.content, headers, replay, time.time() + seconds), seconds)
            return response
        if match.view_name == "articles:detail" and request.method == "GET":
            view_counts.count_view(match.kwargs["pk"])
        return response

    def cacheable(self, request):
        """The URL match of a reader page that may come from the cache, or None."""
        if not enabled() or request.method not in ("GET", "HEAD"):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None  # signed in, or was: the page may be theirs alone
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return match if match.view_name in CACHED_PAGES else None
