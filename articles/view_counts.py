"""Article views counted in Redis and written to the database in batches, not a write per view.

With REDIS_URL set, a view is one atomic increment in Redis (INCR views:<id>, and the id noted in
the set of articles with views to write). Every VIEW_COUNT_FLUSH_SECONDS a process writes them to
the database (one process at a time, under a Redis lock), in batches that survive any process
dying at any moment:

1. the pending counts are moved, in one atomic step (a Lua script), into a batch hash with a new id;
2. the batch is added to the database in one transaction together with a ViewCountBatch row of
   that id;
3. the batch hash is deleted.

A process that dies after 1 leaves the batch in Redis: the next flush finds it and applies it,
unless its ViewCountBatch row shows step 2 committed, in which case it only deletes it. So no
count is lost or counted twice when a web worker dies; when the Redis server dies, the views
since the last flush (at most the interval) are lost. Readers see counts that lag by the interval.

Without Redis (the embedded default), each view is counted in the database at once, as before.
"""

import contextlib
import datetime
import logging
import threading
import time
import uuid

import redis
from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from .models import Article, ViewCountBatch

logger = logging.getLogger(__name__)

PENDING = "kb:views:pending"  # the set of article ids with views not yet written
COUNT = "kb:views:count:{}"  # views of one article not yet written
BATCHES = "kb:views:batches"  # batches taken out of the counts, not yet confirmed written
BATCH = "kb:views:batch:{}"  # one batch: article id → views
LOCK = "kb:views:flushing"

# Moves every pending count into a new batch, atomically: a view counted meanwhile either makes
# it into this batch or stays pending for the next.
TAKE_BATCH = """
local ids = redis.call('SMEMBERS', KEYS[1])
local taken = 0
for _, id in ipairs(ids) do
  local views = redis.call('GETDEL', 'kb:views:count:' .. id)
  redis.call('SREM', KEYS[1], id)
  if views and tonumber(views) > 0 then
    redis.call('HSET', KEYS[2], id, views)
    taken = taken + 1
  end
end
if taken > 0 then redis.call('SADD', KEYS[3], ARGV[1]) end
return taken
"""

_client = None
_client_lock = threading.Lock()
_timer: threading.Timer | None = None
WARN_EVERY_SECONDS = 60.0
_warned_at = -WARN_EVERY_SECONDS


def enabled() -> bool:
    return bool(settings.REDIS_URL)


def client():
    global _client
    with _client_lock:
        if _client is None:
            _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        return _client


def count_view(article_id: int) -> int:
    """One reader's view of a published article. Returns the views, this one included, that the
    database does not have yet: what to add to the count read with the article to show it."""
    if not enabled():
        Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)
        return 1
    try:
        pipeline = client().pipeline(transaction=True)
        pipeline.incr(COUNT.format(article_id))
        pipeline.sadd(PENDING, article_id)
        pending, _ = pipeline.execute()
    except (redis.exceptions.RedisError, OSError) as error:
        # The cache server is down: this view is counted in the database instead, as without Redis.
        now = time.monotonic()
        global _warned_at
        if now - _warned_at >= WARN_EVERY_SECONDS:
            _warned_at = now
            logger.warning("Views are counted in the database: Redis is unreachable (%s).", error)
        Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)
        return 1
    schedule_flush()
    return int(pending)


def schedule_flush() -> None:
    """A flush in this process within VIEW_COUNT_FLUSH_SECONDS (one timer at a time)."""
    global _timer
    with _client_lock:
        if _timer is not None and _timer.is_alive():
            return
        _timer = threading.Timer(settings.VIEW_COUNT_FLUSH_SECONDS, _flush_in_background)
        _timer.daemon = True
        _timer.start()


def _flush_in_background() -> None:
    try:
        flush()
    except Exception:
        logger.exception("View counts could not be written now; they stay in Redis for the next flush.")
    finally:
        connections.close_all()


def flush() -> int:
    """Write the counted views to the database; how many views were written. One process at a time."""
    if not enabled():
        return 0
    server = client()
    lock = server.lock(LOCK, timeout=60, blocking_timeout=0)
    if not lock.acquire(blocking=False):
        return 0  # another process is writing them
    try:
        written = 0
        # Batches a process took out and did not finish: applied unless their commit happened.
        for batch_id in sorted(member.decode() for member in server.smembers(BATCHES)):
            written += apply_batch(batch_id)
        batch_id = uuid.uuid4().hex
        if server.eval(TAKE_BATCH, 3, PENDING, BATCH.format(batch_id), BATCHES, batch_id):
            written += apply_batch(batch_id)
        # A batch's row is needed only while the batch may still be in Redis.
        ViewCountBatch.objects.filter(written_at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
        return written
    finally:
        with contextlib.suppress(redis.exceptions.LockError):  # expired meanwhile: nothing to release
            lock.release()


def apply_batch(batch_id: str) -> int:
    server = client()
    views = {int(key): int(value) for key, value in server.hgetall(BATCH.format(batch_id)).items()}
    written = 0
    if views and not ViewCountBatch.objects.filter(batch_id=batch_id).exists():
        with transaction.atomic():
            ViewCountBatch.objects.create(batch_id=batch_id, views=sum(views.values()))
            for article_id, count in views.items():
                Article.objects.filter(pk=article_id).update(view_count=F("view_count") + count)
        written = sum(views.values())
    server.delete(BATCH.format(batch_id))
    server.srem(BATCHES, batch_id)
    return written


def pending_views() -> int:
    """Views counted in Redis and not yet in the database (for tests and the benchmark)."""
    if not enabled():
        return 0
    server = client()
    total = 0
    for member in server.smembers(PENDING):
        total += int(server.get(COUNT.format(member.decode())) or 0)
    for batch_id in server.smembers(BATCHES):
        total += sum(int(value) for value in server.hvals(BATCH.format(batch_id.decode())))
    return total
