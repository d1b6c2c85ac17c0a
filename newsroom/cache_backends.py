"""A Redis cache that degrades to "no cache" while Redis is unreachable, instead of failing the request.

Django's RedisCache raises redis' ConnectionError/TimeoutError from every call. For Newsroom the cache is an
accelerator, never the source of truth, so an outage should cost speed, not pages: reads miss, writes are
dropped, and a warning is logged (at most once per WARNING_INTERVAL seconds per process, so a Redis outage under
load does not flood the log). Errors that are not about reaching Redis still raise.

It also reuses one redis-py client per connection pool: Django builds a new ``redis.Redis`` for every call, and
that constructor (which copies some 170 response callbacks) was the largest cost of serving a cached page.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("newsroom.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        # redis.Redis is safe to share: each command borrows a connection from the pool.
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    WARNING_INTERVAL = 10.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._last_warning = float("-inf")

    def _unreachable(self, operation, exc):
        now = time.monotonic()
        if now - self._last_warning >= self.WARNING_INTERVAL:
            self._last_warning = now
            logger.warning("Cache unreachable during %s, serving without it: %s", operation, exc)

    def add(self, *args, **kwargs):
        try:
            return super().add(*args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable("add", exc)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            self._unreachable("get", exc)
            return default

    def get_many(self, *args, **kwargs):
        try:
            return super().get_many(*args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable("get_many", exc)
            return {}

    def set(self, *args, **kwargs):
        try:
            super().set(*args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable("set", exc)

    def set_many(self, data, *args, **kwargs):
        try:
            return super().set_many(data, *args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable("set_many", exc)
            return list(data)

    def touch(self, *args, **kwargs):
        try:
            return super().touch(*args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable("touch", exc)
            return False

    def delete(self, *args, **kwargs):
        try:
            return super().delete(*args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable("delete", exc)
            return False

    def delete_many(self, *args, **kwargs):
        try:
            super().delete_many(*args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable("delete_many", exc)

    def has_key(self, *args, **kwargs):
        try:
            return super().has_key(*args, **kwargs)
        except UNREACHABLE as exc:
            self._unreachable("has_key", exc)
            return False
