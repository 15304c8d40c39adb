"""What readers see, kept in Django's cache: pages, search results, the sitemap and the feed.

One scheme for all of them. Every key carries the content generation (kb.models.ContentGeneration,
a number in the database): a change readers would see (an article saved, published, withdrawn or
deleted; the search index taking it in) moves it on in the editor's transaction, and from then on
no process files or finds anything under the old number. Being in the database, it never goes
backwards: a cache server that restarts empty, or the copies each process keeps, cannot bring back
a page older than the last save. A page also expires on its own after READER_CACHE_SECONDS (view
counts and "most read" may lag that much) and at the next scheduled article's publication time.

The cache is an accelerator, never the source of truth: with the cache server unreachable
(kb.resilient_cache) readers get pages rendered afresh.

A kept page depends only on configuration and on the normalized request: the site's origin
(settings.SITE_URL; never the request's Host or X-Forwarded-* headers), the path, and the few
parameters that change that page (PAGE_PARAMETERS; tracking parameters and the like never enter a
key or a canonical link). A signed-in visitor (a session cookie) always goes through the whole
stack, and nothing they get is kept.

This middleware is also the one place that counts a reader's view of an article and records a
reader's search (count_reader_activity): a GET answered 200, by a visitor who is not signed in and
not a known robot; HEAD requests, warm-up requests and editors' previews and searches count nothing.
"""

import collections
import datetime
import hashlib
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Min
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from articles import view_counts
from articles.models import Article

from .models import ContentGeneration
from .search import insight

# The reader pages kept, by URL name, with the query parameters each depends on (the rest are ignored:
# a client can neither make misses with them nor get them into a canonical link).
PAGE_PARAMETERS = {
    "home": ("page",),
    "articles:detail": (),
    "articles:category": ("page",),
    "articles:author": ("page",),
    "statutes:law_list": (),
    "statutes:law_detail": (),
    "statutes:provision_detail": (),
    "search:search": ("q", "type", "level", "category", "versions", "page"),
    "sitemap": (),
    "sitemap-section": ("p",),
    "feed": (),
}
# Pages a process keeps a copy of (see ReaderCacheMiddleware.kept).
RECENT_PAGES = 200
# A process reads the generation from the database at most this often: a save is seen by readers
# within this much (plus the commit).
GENERATION_MEMO_SECONDS = 0.25
# Headers of the response as the middleware below this one made it, replayed on a hit; not these.
UNKEPT_HEADERS = {"set-cookie", "date", "content-length"}
# Robots and monitors: their requests are pages like any other, but neither views nor searches.
ROBOTS = re.compile(
    r"bot|crawl|spider|slurp|baiduspider|bingpreview|yandex|facebookexternalhit|"
    r"curl|wget|python-requests|python-urllib|httpclient|go-http-client|java/|okhttp|monitor|pingdom|uptime",
    re.IGNORECASE,
)
WARM_UP_HEADER = "HTTP_X_KB_WARM_UP"  # kb.warmup's requests carry it


def enabled() -> bool:
    return settings.READER_CACHE


# --- the generation ---------------------------------------------------------------------------

_memo = threading.local()


def generation() -> int:
    """The content generation, read from the database at most every GENERATION_MEMO_SECONDS."""
    now = time.monotonic()
    if getattr(_memo, "until", 0) > now:
        return _memo.value
    value = ContentGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    if value is None:
        value = ContentGeneration.objects.get_or_create(pk=1)[0].value
    _memo.value, _memo.until = value, now + GENERATION_MEMO_SECONDS
    return value


def content_changed() -> None:
    """Move the generation on: nothing kept before is served again (in the caller's transaction,
    if any: readers see the new number exactly when they can see the change)."""
    updated = ContentGeneration.objects.filter(pk=1).update(value=F("value") + 1)
    if not updated:
        ContentGeneration.objects.get_or_create(pk=1, defaults={"value": 2})
    _memo.until = 0  # this thread reads it afresh (after the commit)


def content_changed_on_commit(using=None) -> None:
    """content_changed now, in the transaction, and this process's memo forgotten after the commit."""
    content_changed()
    transaction.on_commit(forget_generation, using=using)


def forget_generation() -> None:
    _memo.until = 0


def timeout(generation_now: int) -> int:
    """How long to keep what is read now: READER_CACHE_SECONDS, or until the next scheduled article."""
    seconds = settings.READER_CACHE_SECONDS
    upcoming = cache.get(f"kb:next-scheduled:{generation_now}")
    if upcoming is None:
        upcoming = Article.objects.scheduled().aggregate(first=Min("published_at"))["first"] or False
        cache.set(f"kb:next-scheduled:{generation_now}", upcoming, seconds)
    if upcoming:
        until = (upcoming - timezone.now()) / datetime.timedelta(seconds=1)
        seconds = max(0, min(seconds, int(until)))
    return seconds


# --- keys and canonical links -----------------------------------------------------------------


def page_parameters(request, view_name: str) -> str:
    """The query string of the parameters the page depends on, in a fixed order ('' for none)."""
    names = PAGE_PARAMETERS.get(view_name, ())
    return urllib.parse.urlencode([(name, request.GET[name]) for name in names if request.GET.get(name)])


def canonical_path(request) -> str:
    """The page's own address, path and the parameters it depends on: what a canonical link names."""
    match = getattr(request, "resolver_match", None)  # Django resolved it already for the view
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return request.path
    view_name = match.view_name
    kept = page_parameters(request, view_name)
    if view_name in ("home", "articles:category", "articles:author") and request.GET.get("page") == "1":
        kept = ""
    return request.path + (f"?{kept}" if kept else "")


def page_key(request, generation_now: int, view_name: str) -> str:
    kept = page_parameters(request, view_name)
    digest = hashlib.sha256(f"{request.path}?{kept}".encode()).hexdigest()
    return f"kb:page:{generation_now}:{digest}"


# --- the middleware ---------------------------------------------------------------------------


@dataclass
class KeptPage:
    """A page as it is kept: its bytes, its headers, and the search it answered (plain data)."""

    content: bytes
    headers: dict[str, str]
    status: int
    search: dict | None
    expires: float


class ReaderCacheMiddleware:
    """Reader pages for visitors who are not signed in, from the cache; views and searches counted.

    After SecurityMiddleware (and WhiteNoise), so that a disallowed Host, an HTTP request to an
    HTTPS site and a static file are dealt with first, and every answer, kept or not, gets the
    security headers. A kept page is replayed with the headers the stack below gave it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        # The pages this process served last: a key names one generation's page, which never
        # changes, so a copy is good until the page's own expiry.
        self.recent: collections.OrderedDict[str, KeptPage] = collections.OrderedDict()
        self.recent_lock = threading.Lock()

    def __call__(self, request):
        request.get_host()  # a disallowed Host is a 400 before anything is read or kept
        match = self.match(request)
        if match is None:
            return self.get_response(request)
        if not self.cacheable(request):
            response = self.get_response(request)
            count_reader_activity(request, match, response, getattr(response, "reader_search", None))
            return response
        now = generation()
        key = page_key(request, now, match.view_name)
        kept = self.kept(key)
        if kept is not None:
            response = HttpResponse(kept.content, status=kept.status, headers=kept.headers)
            count_reader_activity(request, match, response, kept.search)
            return response
        response = self.get_response(request)
        search = getattr(response, "reader_search", None)
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
                page = KeptPage(
                    response.content, headers, response.status_code, search, time.time() + seconds
                )
                cache.set(key, page, seconds)
        count_reader_activity(request, match, response, search)
        return response

    @staticmethod
    def match(request):
        """The URL match of a reader page (one of PAGE_PARAMETERS), or None."""
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return match if match.view_name in PAGE_PARAMETERS else None

    @staticmethod
    def cacheable(request) -> bool:
        if not enabled() or request.method not in ("GET", "HEAD"):
            return False
        # Signed in, or was: the page may be theirs alone.
        return settings.SESSION_COOKIE_NAME not in request.COOKIES

    def kept(self, key: str) -> KeptPage | None:
        with self.recent_lock:
            page = self.recent.get(key)
            if page is not None and page.expires > time.time():
                self.recent.move_to_end(key)
                return page
        page = cache.get(key)
        if isinstance(page, KeptPage):
            with self.recent_lock:
                self.recent[key] = page
                while len(self.recent) > RECENT_PAGES:
                    self.recent.popitem(last=False)
            return page
        return None


# --- what readers do --------------------------------------------------------------------------


def is_reader(request) -> bool:
    """A reader's own request: a GET by a visitor not signed in, not a robot, not the warm-up."""
    if request.method != "GET" or request.META.get(WARM_UP_HEADER):
        return False
    user = getattr(request, "user", None)  # set when the request went through the stack
    if user is not None and user.is_authenticated:
        return False
    return not ROBOTS.search(request.META.get("HTTP_USER_AGENT", ""))


def count_reader_activity(request, match, response, search: dict | None) -> None:
    """The one place a reader's view of an article is counted and a reader's search recorded."""
    if response.status_code != 200 or not is_reader(request):
        return
    if match.view_name == "articles:detail":
        view_counts.count_view(match.kwargs["pk"])
    elif search is not None:
        insight.record_search(
            search["query"],
            articles_found=search["articles_found"],
            provisions_found=search["provisions_found"],
            answered=search.get("answered"),
        )
    referer = request.META.get("HTTP_REFERER", "")
    if referer and match.view_name in ("articles:detail", "statutes:provision_detail"):
        # What readers open from their results, for the search report.
        insight.record_click(referer, request.get_host(), **match.kwargs)
