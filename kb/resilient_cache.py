"""Django's Redis cache, as an accelerator that the site never depends on.

With the cache server unreachable, every operation answers as a miss (get gives the default,
set stores nothing, incr raises ValueError as for a missing key) instead of raising: readers get
their pages rendered afresh, editors' saves complete. After a failure the server is left alone for
RETRY_SECONDS, so that a reader does not wait for a connection timeout on every cache call; a
warning is logged at most once a minute while it stays down.
"""

import functools
import logging
import threading
import time

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_SECONDS = 1.0
WARN_EVERY_SECONDS = 60.0
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class Outage:
    """When the server last failed, and when that was last said in the log (per process)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.until = 0.0
        self.warned_at = -WARN_EVERY_SECONDS

    def is_down(self) -> bool:
        return time.monotonic() < self.until

    def failed(self, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.until = now + RETRY_SECONDS
            warn = now - self.warned_at >= WARN_EVERY_SECONDS
            if warn:
                self.warned_at = now
        if warn:
            logger.warning("The cache server is unreachable (%s): pages are served uncached.", error)


outage = Outage()


def answered_as_miss(missing):
    """Run the cache operation unless the server is down; when it fails, answer missing(*args, **kwargs)."""

    def decorate(operation):
        @functools.wraps(operation)
        def guarded(self, *args, **kwargs):
            if outage.is_down():
                return missing(*args, **kwargs)
            try:
                return operation(self, *args, **kwargs)
            except UNREACHABLE as error:
                outage.failed(error)
                return missing(*args, **kwargs)

        return guarded

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _not_there(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (the cache server is unreachable)")


def _zero(*args, **kwargs):
    return 0


class ResilientRedisCache(RedisCache):
    get = answered_as_miss(_default)(RedisCache.get)
    set = answered_as_miss(_nothing)(RedisCache.set)
    add = answered_as_miss(_false)(RedisCache.add)
    touch = answered_as_miss(_false)(RedisCache.touch)
    delete = answered_as_miss(_false)(RedisCache.delete)
    has_key = answered_as_miss(_false)(RedisCache.has_key)
    incr = answered_as_miss(_not_there)(RedisCache.incr)
    get_many = answered_as_miss(_empty)(RedisCache.get_many)
    set_many = answered_as_miss(lambda data, *args, **kwargs: [])(RedisCache.set_many)
    delete_many = answered_as_miss(_nothing)(RedisCache.delete_many)
    clear = answered_as_miss(_false)(RedisCache.clear)

    def get_or_set(self, key, default, timeout=None, version=None):
        # Through get and add above: with the server down, the value is computed and not kept.
        value = self.get(key, version=version)
        if value is None:
            value = default() if callable(default) else default
            if value is not None:
                self.add(key, value, timeout=timeout, version=version)
        return value
