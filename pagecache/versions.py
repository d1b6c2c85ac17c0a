"""The content version: which rendering of the site is current.

Any SQL write to a table of the apps in ``PAGE_CACHE_APPS`` (articles and taggit: stories, bylines, quotes,
citations, tags, and any model added to those apps later), except the models in ``PAGE_CACHE_IGNORED_MODELS``
(the editor's own records, which no reader page shows), bumps the version once its transaction commits, or at
once outside a transaction. This watches SQL rather than model signals because ``QuerySet.update()``,
``bulk_create()`` and ``bulk_update()`` (the admin's unpublish action, importers) send no signals, and a write
from ``manage.py shell`` or another process counts the same.

Why the bump comes after the commit, and only once per transaction: a page rendered before the commit shows the
old rows and is labelled with the old version, which the bump retires; a bump inside the transaction would hold a
row lock until the commit and make concurrent writers queue (or deadlock) on it.

The value is read with one indexed query per request that reaches Django; cached pages carry the version they were
rendered under. On PostgreSQL each bump is also announced with NOTIFY on ``CHANNEL``, in the same statement, so
that processes serving hits without Django (wsgi.py) learn of it without a query (known.py).
"""

import weakref

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .models import ContentVersion

SQL_WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REPLACE")
CHANNEL = "pagecache_content_version"

# Whoever keeps a version known without asking the database (known.NotifiedVersion) in this process: told of the
# bumps this process commits at once, so a write followed by a read in one process never waits for the NOTIFY.
local_watchers = weakref.WeakSet()


def version_table(connection):
    return connection.ops.quote_name(ContentVersion._meta.db_table)


def current_content_version(using=DEFAULT_DB_ALIAS):
    """The version now committed; 0 before the first content write."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {version_table(connection)} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0


def bump_content_version(using=DEFAULT_DB_ALIAS):
    """Make every cached page stale, in every process and instance."""
    connection = connections[using]
    table = version_table(connection)
    # One statement, so two first bumps at once cannot both insert; SQLite and PostgreSQL share this syntax.
    upsert = (
        f"INSERT INTO {table} (id, value) VALUES (1, 1) "
        f"ON CONFLICT (id) DO UPDATE SET value = {table}.value + 1 RETURNING value"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # NOTIFY is delivered when the bump commits, in commit order, which is the order of the values (the
            # row lock serialises bumps); listeners take the largest value they have heard.
            cursor.execute(
                f"WITH bumped AS ({upsert}) SELECT value, pg_notify(%s, value::text) FROM bumped", [CHANNEL]
            )
        else:
            cursor.execute(upsert)
        value = cursor.fetchone()[0]
    if local_watchers:

        def tell():
            for watcher in list(local_watchers):
                watcher.raise_to(value)

        # Inside a transaction the value is not committed yet (and may never be): tell them once it is.
        transaction.on_commit(tell, using=using)
    return value


class ContentWriteWatcher:
    """A database execute wrapper that bumps the version after each commit that wrote watched tables."""

    def __init__(self, connection):
        self.alias = connection.alias
        quote = connection.ops.quote_name
        ignored = {apps.get_model(name) for name in settings.PAGE_CACHE_IGNORED_MODELS}
        self.tables = tuple(
            quote(model._meta.db_table)
            for label in settings.PAGE_CACHE_APPS
            for model in apps.get_app_config(label).get_models(include_auto_created=True)
            if model not in ignored
        )
        # Bumps made so far. Each write registers an on-commit callback carrying this count; the first callback
        # to run after a commit bumps and moves the count on, so the others of that commit do nothing. Callbacks
        # of a rolled-back transaction or savepoint are discarded by Django and never run.
        self.bumps = 0

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if (
            isinstance(sql, str)
            and sql.lstrip()[:8].upper().startswith(SQL_WRITES)
            and any(table in sql for table in self.tables)
        ):
            seen = self.bumps
            transaction.on_commit(lambda: self.after_commit(seen), using=self.alias, robust=True)
        return result

    def after_commit(self, seen):
        if self.bumps == seen:
            bump_content_version(self.alias)
            self.bumps += 1


def watch_connection(sender, connection, **kwargs):
    """connection_created receiver: install the watcher once per connection object."""
    if not any(isinstance(wrapper, ContentWriteWatcher) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(ContentWriteWatcher(connection))
