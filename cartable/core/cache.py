"""A Redis cache that degrades to "no cache" when Redis is down, instead of failing the request.

Sessions live in the database (``cached_db``): when Redis is lost, reads fall through to the database and
nobody is logged out. After a failure the cache stays silent for a few seconds (a small circuit breaker),
so a hung Redis does not add its timeout to every request.

While a request reads the read replica, what it caches lives a few seconds at most (``core.dbrouter``): a
value computed from rows the replica has not replayed yet must not outlive the replica's lag for long.
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from cartable.core import dbrouter

log = logging.getLogger(__name__)
PAUSE_SECONDS = 5.0


def _resilient(default):
    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._paused_until:
                return default(args, kwargs)
            try:
                return method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                self._paused_until = time.monotonic() + PAUSE_SECONDS
                log.warning("Redis cache unavailable (%s): carrying on without it.", exc)
                return default(args, kwargs)

        return wrapper

    return decorate


def _get_default(args, kwargs):
    if len(args) > 1:
        return args[1]
    return kwargs.get("default")


class ResilientRedisCache(RedisCache):
    _paused_until = 0.0

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        seconds = super().get_backend_timeout(timeout)
        capped = dbrouter.cap_cache_timeout(seconds)
        return None if capped is None else int(capped)

    get = _resilient(_get_default)(RedisCache.get)
    get_many = _resilient(lambda a, k: {})(RedisCache.get_many)
    has_key = _resilient(lambda a, k: False)(RedisCache.has_key)
    add = _resilient(lambda a, k: False)(RedisCache.add)
    set = _resilient(lambda a, k: None)(RedisCache.set)
    set_many = _resilient(lambda a, k: [])(RedisCache.set_many)
    touch = _resilient(lambda a, k: False)(RedisCache.touch)
    delete = _resilient(lambda a, k: False)(RedisCache.delete)
    delete_many = _resilient(lambda a, k: None)(RedisCache.delete_many)
    clear = _resilient(lambda a, k: False)(RedisCache.clear)
    incr = _resilient(lambda a, k: None)(RedisCache.incr)
