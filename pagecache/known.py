"""The content version as this process knows it without a query per request, for the WSGI fast path (wsgi.py).

Each source answers ``current()``: a version no older than the one committed when the request began, or None when
it cannot promise that (the request then goes through Django, which reads the version from the database).

- PostgreSQL, ``NotifiedVersion``: a thread per process holds its own connection, LISTENs on the channel every bump
  NOTIFYs (versions.py), then reads the value, and keeps the largest value heard. Every ``heartbeat`` seconds it
  reads the value again with a probe notification to itself; the fast path trusts the value only while the
  connection is up and a probe came back within ``silence`` seconds. A connection that closes sends every request
  back through Django's exact query at once, one that hangs (or a pooler that does not pass notifications on)
  within ``silence`` seconds, and the thread reconnects with backoff. A request that finds unread bytes on the
  connection's socket (a notification arriving while the thread waits for the interpreter) does not use the
  value either, so a bump is missed only before PostgreSQL has sent its notification.
- SQLite, ``ReadVersion``: no LISTEN, but the database is a file on this machine, so each request reads the value
  on a plain sqlite3 connection of this process. That is exact, like the middleware's query, and costs a few
  microseconds rather than Django's request handling.
"""

import logging
import os
import select
import sqlite3
import threading
import time
import weakref

from django.db import DEFAULT_DB_ALIAS, connections

from .models import ContentVersion
from .versions import CHANNEL, local_watchers

logger = logging.getLogger(__name__)

VERSION_QUERY = f"SELECT value FROM {ContentVersion._meta.db_table} WHERE id = 1"


def version_source(using=DEFAULT_DB_ALIAS):
    """The source for this database, or None where the fast path cannot know the version (it is then off)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        return NotifiedVersion(using)
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return ReadVersion(using)
    return None


class NotifiedVersion:
    """The version from PostgreSQL's notifications, kept by a thread of this process (started on first use, so
    after gunicorn forks its workers)."""

    def __init__(self, using=DEFAULT_DB_ALIAS, heartbeat=1.0, silence=3.0):
        self.using = using
        self.heartbeat = heartbeat
        self.silence = silence
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = None
        self.forget()
        local_watchers.add(self)
        started_sources.add(self)

    def forget(self):
        self.known = None
        # When `known` last went up (time.monotonic()): a read that began later and finds less means the table
        # went back (a test database flushed), not that the read is behind.
        self.raised_at = 0.0
        # When the last read of the value began whose probe came back; None while disconnected.
        self.checked_at = None
        self.probed_at = None
        self.backend_pid = None
        # Watches the connection's socket: a request finding bytes there that the thread has not read yet (a
        # notification on its way in) does not trust the value.
        self.arriving = None

    def current(self):
        if self.thread is None:
            self.start()
        checked_at, arriving = self.checked_at, self.arriving
        if checked_at is None or time.monotonic() - checked_at > self.silence:
            return None
        if arriving is None or arriving.poll(0):
            return None
        return self.known

    def start(self):
        with self.lock:
            if self.thread is None:
                self.stopping.clear()
                self.thread = threading.Thread(target=self.run, name="pagecache-listener", daemon=True)
                self.thread.start()

    def stop(self, timeout=10):
        """End the thread and close its connection (tests; a worker's thread just ends with it)."""
        self.stopping.set()
        thread, self.thread = self.thread, None
        if thread is not None:
            thread.join(timeout)

    def raise_to(self, value):
        with self.lock:
            if self.known is None or value > self.known:
                self.known = value
                self.raised_at = time.monotonic()

    def read(self, connection, probe):
        """Read the value, and send this connection a probe notification: the value is trusted once the probe
        comes back, which proves that notifications reach this connection (they would not through a transaction
        pooler) and that every bump committed before the probe has been heard (NOTIFYs arrive in commit order)."""
        began = time.monotonic()
        value = connection.execute(f"SELECT ({VERSION_QUERY}), pg_notify(%s, '')", [probe]).fetchone()[0] or 0
        with self.lock:
            if self.known is None or value >= self.known or began > self.raised_at:
                self.known = value
                self.raised_at = time.monotonic()
            self.probed_at = began

    def connection_params(self):
        params = connections[self.using].get_connection_params()
        for django_only in ("cursor_factory", "context", "prepare_threshold"):
            params.pop(django_only, None)
        return {
            **params,
            "autocommit": True,
            "application_name": "newsroom-pagecache-listener",
            # A peer that vanished without closing the connection is noticed by TCP in seconds.
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
        }

    def run(self):
        import psycopg

        backoff = 0.1
        while not self.stopping.is_set():
            try:
                with psycopg.connect(**self.connection_params()) as connection:
                    backoff = 0.1  # connected: a later failure starts its backoff afresh
                    try:
                        self.listen(connection)
                    finally:
                        # Before the socket closes: its descriptor may be reused by another connection.
                        self.disconnected()
            except Exception:
                logger.warning(
                    "page cache: version listener disconnected; hits go through Django", exc_info=True
                )
            self.stopping.wait(backoff)
            backoff = min(backoff * 2, 5.0)

    def listen(self, connection):
        self.backend_pid = connection.info.backend_pid
        probe = f"{CHANNEL}_probe_{self.backend_pid}"
        # LISTEN before reading: a bump committed after the read is then always heard.
        connection.execute(f"LISTEN {CHANNEL}")
        connection.execute(f"LISTEN {probe}")
        arriving = select.poll()
        arriving.register(connection.fileno(), select.POLLIN)
        self.arriving = arriving
        self.read(connection, probe)
        while not self.stopping.is_set():
            for notification in connection.notifies(timeout=self.heartbeat):
                if notification.channel == probe:
                    self.checked_at = self.probed_at
                elif notification.payload.isdigit():
                    self.raise_to(int(notification.payload))
            self.read(connection, probe)

    def disconnected(self):
        with self.lock:
            self.checked_at = self.probed_at = self.backend_pid = self.arriving = None


class ReadVersion:
    """The version read on each call, on one sqlite3 connection of this process (a lock keeps threads apart)."""

    def __init__(self, using=DEFAULT_DB_ALIAS):
        self.using = using
        self.lock = threading.Lock()
        self.connection = None
        self.pid = None

    def current(self):
        with self.lock:
            try:
                if self.pid != os.getpid():
                    # Never a connection inherited across fork: open this process's own.
                    self.connection = sqlite3.connect(
                        connections[self.using].settings_dict["NAME"],
                        isolation_level=None,
                        check_same_thread=False,
                    )
                    self.pid = os.getpid()
                row = self.connection.execute(VERSION_QUERY).fetchone()
            except sqlite3.Error:
                return None
        return row[0] if row else 0


# A thread does not survive fork: a child (a gunicorn worker forked from a preloaded master) starts its own.
started_sources = weakref.WeakSet()


def _after_fork():
    for source in list(started_sources):
        source.thread = None
        source.stopping = threading.Event()
        source.lock = threading.Lock()
        source.forget()


os.register_at_fork(after_in_child=_after_fork)
