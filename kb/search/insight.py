"""What readers search for, for editors: each search recorded, and reported by period.

Recording stays off the reader's path: a search is put in a list in memory and written with
the others at most settings.SEARCH_LOG_DELAY seconds later, in one INSERT, by a timer thread
(the database may be busy with an editor's save; the reader does not wait for it). A failure to
record is logged and the searches it held are dropped; the search itself has already answered.
A process that ends writes what it holds (atexit); one killed loses at most that delay's searches.
"""

import atexit
import datetime
import logging
import os
import threading
import urllib.parse
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from statutes.models import Provision

from .models import SearchClick, SearchRecord
from .query import normalize_query

logger = logging.getLogger(__name__)

# Fewer article results than this: a question the knowledge base does not answer well yet.
FEW_RESULTS = 3


QUERY_LENGTH = SearchRecord._meta.get_field("query").max_length

# At most this many searches wait in a process's memory; beyond, new ones are dropped (and said so).
MAX_PENDING = 5000


class SearchLog:
    """Searches waiting to be written, and the timer that writes them: per process.

    A process forked from one that holds some (gunicorn's workers, from the master that warmed the
    application up) starts with none, and with no timer: the parent's timer thread does not exist
    in the child, and the child's searches must start a timer of its own.
    """

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._pending: list[SearchRecord] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self.dropped = 0

    def record(self, row: SearchRecord | SearchClick) -> None:
        """Keep one row to write; never raises (a search must answer whether or not it is recorded)."""
        try:
            delay = settings.SEARCH_LOG_DELAY
            with self._lock:
                if len(self._pending) >= MAX_PENDING:
                    self.dropped += 1
                    if self.dropped in (1, 1000) or self.dropped % 100_000 == 0:
                        logger.warning(
                            "%d searches not recorded: the database does not keep up.", self.dropped
                        )
                    return
                self._pending.append(row)
                if delay and self._timer is None:
                    self._timer = threading.Timer(delay, self._write_in_background)
                    self._timer.daemon = True
                    self._timer.start()
            if not delay:
                self.flush()
        except Exception:
            logger.exception("A search could not be recorded; it was answered all the same.")

    def flush(self) -> int:
        """Write the searches held now; how many were written (0 when writing failed: logged)."""
        with self._lock:
            rows, self._pending = self._pending, []
            if self._timer is not None and self._timer is not threading.current_thread():
                self._timer.cancel()
            self._timer = None
        if not rows:
            return 0
        try:
            with transaction.atomic():
                for model in (SearchRecord, SearchClick):
                    model.objects.bulk_create([row for row in rows if isinstance(row, model)])
        except Exception:
            logger.exception("%d searches could not be recorded and were dropped.", len(rows))
            return 0
        return len(rows)

    def _write_in_background(self) -> None:
        try:
            self.flush()
        finally:
            connections.close_all()  # this thread's own connections; it ends here

    @property
    def pending(self) -> int:
        return len(self._pending)


search_log = SearchLog()
atexit.register(search_log.flush)


def record_search(
    query: str, *, articles_found: int, provisions_found: int, answered: bool | None = None
) -> None:
    """One reader's search, written with the others a moment later (never in the reader's way)."""
    try:
        row = SearchRecord(
            query=query[:QUERY_LENGTH],
            articles_found=articles_found,
            provisions_found=provisions_found,
            answered=answered,
            searched_at=timezone.now(),
        )
    except Exception:
        logger.exception("A search could not be recorded; it was answered all the same.")
        return
    search_log.record(row)


def record_click(referer: str, host: str, *, pk=None, law_id=None, key=None) -> None:
    """A result opened from our own search page (its address in referer, at this host): the question
    and the article (pk) or provision (law_id and key) it led to.

    A referer that is not our search page with a question (another site, a bookmark, a page of
    results filtered or turned) records nothing: the question is recorded as readers type it.
    Never raises: the page has been served either way.
    """
    try:
        query = searched_question(referer, host)
        if not query:
            return
        if pk is not None:
            row = SearchClick(query=query, article_id=pk, clicked_at=timezone.now())
        else:
            provision_id = (
                Provision.objects.filter(law_id=law_id, key=key).values_list("pk", flat=True).first()
            )
            if provision_id is None:
                return
            row = SearchClick(query=query, provision_id=provision_id, clicked_at=timezone.now())
    except Exception:
        logger.exception("A click from the search page could not be recorded.")
        return
    search_log.record(row)


def searched_question(referer: str, host: str) -> str:
    """The question, normalized as its search was recorded, of our own search page's address; or ""."""
    try:
        address = urllib.parse.urlsplit(referer or "")
    except ValueError:
        return ""
    if address.netloc != host or address.path != reverse("search:search"):
        return ""
    params = urllib.parse.parse_qs(address.query)
    if set(params) - {"q", "type"} or params.get("type", ["all"]) != ["all"]:
        return ""
    return normalize_query(params.get("q", [""])[0])[0][:QUERY_LENGTH]


# --- the report ------------------------------------------------------------------------------

PERIODS = {"1": "今天", "7": "最近 7 天", "30": "最近 30 天", "90": "最近 90 天", "all": "全部"}
DEFAULT_PERIOD = "7"


@dataclass
class OpenedResult:
    """A result readers opened from a question's results, and how many times."""

    title: str
    url: str
    times: int


@dataclass
class QueryRow:
    query: str
    searches: int
    articles_found: int  # by its latest search
    provisions_found: int
    last_searched: datetime.datetime
    # The latest search's verdict: something here answers it (the page said so), or nothing does.
    answered: bool = True
    opened: list[OpenedResult] = field(default_factory=list)  # the period's most opened results


@dataclass
class Day:
    day: datetime.date
    searches: int
    unanswered: int


@dataclass
class SearchReport:
    since: datetime.datetime | None
    searches: int
    distinct_queries: int
    frequent: list[QueryRow]
    unanswered: list[QueryRow]  # no article found
    few: list[QueryRow]  # 1 to FEW_RESULTS - 1 articles found
    unanswered_searches: int = 0  # searches whose page said nothing here answers them
    opened: int = 0  # results opened from the search page in the period
    trend: list[Day] = field(default_factory=list)  # one entry per day, oldest first


def period_start(period: str, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The start of a period of PERIODS (days back from today's midnight, local time); None for all."""
    if period not in PERIODS or period == "all":
        return None
    today = timezone.localtime(now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - datetime.timedelta(days=int(period) - 1)


def search_report(since: datetime.datetime | None, *, limit: int = 50) -> SearchReport:
    """The most frequent queries since a time, and those that found no or few articles.

    One grouped pass over the period's searches in SQL, joined to each question's latest search
    (what it finds now: an article written since answers it; an index seek on (query, time)); the
    lists are then cut from the grouped rows. A question asked in the period has its latest search
    in the period too, so the join needs no second look at older rows.
    """
    connection = connections["default"]
    table = connection.ops.quote_name(SearchRecord._meta.db_table)
    # A raw query gets the time as the column stores it (on SQLite: UTC text), as the ORM would pass it.
    where, params = (
        ("WHERE searched_at >= %s", [connection.ops.adapt_datetimefield_value(since)])
        if since is not None
        else ("", [])
    )
    sql = f"""
        SELECT grouped.query, grouped.searches, grouped.last, latest.id, latest.articles_found,
               latest.provisions_found, latest.answered
        FROM (SELECT query, COUNT(*) AS searches, MAX(searched_at) AS last FROM {table} {where}
              GROUP BY query) AS grouped
        JOIN {table} AS latest ON latest.query = grouped.query AND latest.searched_at = grouped.last
    """  # noqa: S608 - the table name is ours, the values are parameters
    by_query: dict[str, tuple[int, QueryRow]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for query, searches, last, pk, articles, provisions, answered in cursor.fetchall():
            if query in by_query and by_query[query][0] > pk:
                continue  # two searches at the same moment: the later row is the latest
            if isinstance(last, str):  # SQLite gives the raw column from a raw query
                last = SearchRecord._meta.get_field("searched_at").to_python(last)
            if last is not None and timezone.is_naive(last):
                last = timezone.make_aware(last, datetime.UTC)
            # Recorded before the page's verdict was kept: no article found meant no answer.
            answered = bool(answered) if answered is not None else articles > 0
            by_query[query] = (pk, QueryRow(query, searches, articles, provisions, last, answered))
    grouped = [row for _pk, row in by_query.values()]
    grouped.sort(key=lambda row: (-row.searches, -row.last_searched.timestamp(), row.query))
    report = SearchReport(
        since=since,
        searches=sum(row.searches for row in grouped),
        distinct_queries=len(grouped),
        frequent=grouped[:limit],
        unanswered=[row for row in grouped if row.articles_found == 0][:limit],
        few=[row for row in grouped if 0 < row.articles_found < FEW_RESULTS][:limit],
    )
    report.trend = daily_trend(since)
    # The period's own count: the chart may draw more days (a week at least) or fewer (90 at most).
    period = (
        SearchRecord.objects.all() if since is None else SearchRecord.objects.filter(searched_at__gte=since)
    )
    report.unanswered_searches = period.filter(NOT_ANSWERED).count()
    shown = {row.query: row for row in report.frequent + report.unanswered + report.few}
    report.opened = add_opened_results(shown, since)
    return report


# The searches whose page said nothing here answers them (before the verdict was kept: no article).
NOT_ANSWERED = Q(answered=False) | Q(answered__isnull=True, articles_found=0)


# The trend of the whole record shows this many days at most.
TREND_DAYS = 90


def daily_trend(since: datetime.datetime | None, now: datetime.datetime | None = None) -> list[Day]:
    """Searches and unanswered searches per day (local time), every day of the period, none skipped."""
    today = timezone.localdate(now or timezone.now())
    first = (
        timezone.localdate(since) if since is not None else today - datetime.timedelta(days=TREND_DAYS - 1)
    )
    first = min(first, today - datetime.timedelta(days=6))  # a week at least: a day alone is no trend
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = (
        SearchRecord.objects.filter(searched_at__gte=start)
        .annotate(day=TruncDate("searched_at"))
        .values("day")
        .annotate(
            searches=Count("id"),
            unanswered=Count("id", filter=NOT_ANSWERED),
        )
        .order_by("day")
    )
    counted = {row["day"]: row for row in rows}
    days = []
    day = first
    while day <= today:
        row = counted.get(day, {"searches": 0, "unanswered": 0})
        days.append(Day(day, row["searches"], row["unanswered"]))
        day += datetime.timedelta(days=1)
    return days


# Results shown per question: the most opened.
OPENED_PER_QUESTION = 3


def add_opened_results(rows: dict[str, QueryRow], since: datetime.datetime | None) -> int:
    """What readers opened from each question's results in the period, on its row; the period's total."""
    clicks = SearchClick.objects.all()
    if since is not None:
        clicks = clicks.filter(clicked_at__gte=since)
    total = clicks.count()
    if not total or not rows:
        return total
    counted = (
        clicks.filter(query__in=list(rows))
        .values("query", "article_id", "provision_id")
        .annotate(times=Count("id"))
        .order_by("query", "-times", "article_id", "provision_id")
    )
    wanted: dict[str, list[dict]] = {}
    for click in counted:
        opened = wanted.setdefault(click["query"], [])
        if len(opened) < OPENED_PER_QUESTION:
            opened.append(click)
    article_ids = {c["article_id"] for clicks in wanted.values() for c in clicks if c["article_id"]}
    provision_ids = {c["provision_id"] for clicks in wanted.values() for c in clicks if c["provision_id"]}
    articles = Article.objects.only("id", "title").in_bulk(article_ids)
    provisions = Provision.objects.select_related("law").in_bulk(provision_ids)
    for query, clicks in wanted.items():
        for click in clicks:
            target = (
                articles.get(click["article_id"])
                if click["article_id"]
                else provisions.get(click["provision_id"])
            )
            if target is None:
                continue
            title = target.title if click["article_id"] else str(target)
            rows[query].opened.append(OpenedResult(title, target.get_absolute_url(), click["times"]))
    return total
