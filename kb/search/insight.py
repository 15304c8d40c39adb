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
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .models import SearchRecord

logger = logging.getLogger(__name__)

# Fewer article results than this: a question the knowledge base does not answer well yet.
FEW_RESULTS = 3


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

    def record(self, query: str, *, articles_found: int, provisions_found: int) -> None:
        """Keep one search; never raises (a search must answer whether or not it is recorded)."""
        try:
            row = SearchRecord(
                query=query[: SearchRecord._meta.get_field("query").max_length],
                articles_found=articles_found,
                provisions_found=provisions_found,
                searched_at=timezone.now(),
            )
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
            SearchRecord.objects.bulk_create(rows)
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


def record_search(query: str, *, articles_found: int, provisions_found: int) -> None:
    search_log.record(query, articles_found=articles_found, provisions_found=provisions_found)


# --- the report ------------------------------------------------------------------------------

PERIODS = {"1": "今天", "7": "最近 7 天", "30": "最近 30 天", "90": "最近 90 天", "all": "全部"}
DEFAULT_PERIOD = "7"


@dataclass
class QueryRow:
    query: str
    searches: int
    articles_found: int  # by its latest search
    provisions_found: int
    last_searched: datetime.datetime


@dataclass
class SearchReport:
    since: datetime.datetime | None
    searches: int
    distinct_queries: int
    frequent: list[QueryRow]
    unanswered: list[QueryRow]  # no article found
    few: list[QueryRow]  # 1 to FEW_RESULTS - 1 articles found


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
               latest.provisions_found
        FROM (SELECT query, COUNT(*) AS searches, MAX(searched_at) AS last FROM {table} {where}
              GROUP BY query) AS grouped
        JOIN {table} AS latest ON latest.query = grouped.query AND latest.searched_at = grouped.last
    """  # noqa: S608 - the table name is ours, the values are parameters
    by_query: dict[str, tuple[int, QueryRow]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for query, searches, last, pk, articles, provisions in cursor.fetchall():
            if query in by_query and by_query[query][0] > pk:
                continue  # two searches at the same moment: the later row is the latest
            if isinstance(last, str):  # SQLite gives the raw column from a raw query
                last = SearchRecord._meta.get_field("searched_at").to_python(last)
            if last is not None and timezone.is_naive(last):
                last = timezone.make_aware(last, datetime.UTC)
            by_query[query] = (pk, QueryRow(query, searches, articles, provisions, last))
    grouped = [row for _pk, row in by_query.values()]
    grouped.sort(key=lambda row: (-row.searches, -row.last_searched.timestamp(), row.query))
    return SearchReport(
        since=since,
        searches=sum(row.searches for row in grouped),
        distinct_queries=len(grouped),
        frequent=grouped[:limit],
        unanswered=[row for row in grouped if row.articles_found == 0][:limit],
        few=[row for row in grouped if 0 < row.articles_found < FEW_RESULTS][:limit],
    )
