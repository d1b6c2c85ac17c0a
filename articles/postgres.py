"""PostgreSQL-only schema operations: SQLite, the embedded default, has no triggers, GIN indexes or TOAST, and
gets a working fallback in Python instead (see articles/search.py)."""

from django.apps import apps
from django.conf import settings
from django.db import connections, migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """RunSQL that runs only on PostgreSQL, so one migration history serves both databases.

    Each script is sent whole (not split into statements), because function bodies hold semicolons."""

    def __init__(self, sql, reverse_sql):
        super().__init__([sql], [reverse_sql])

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


# Straight after this many new or changed rows the planner's picture of the tables is too far from the truth.
ANALYZE_AFTER_ROWS = 500


def refresh_statistics(using="default"):
    """ANALYZE the tables of the content apps (articles, taggit), on PostgreSQL.

    A large import leaves PostgreSQL planning blind until autovacuum gets round to the tables (it may be off, and
    is slow to start); refreshing the statistics costs well under a second for thousands of stories. SQLite
    keeps no such statistics unless asked, and plans well without them here.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for label in settings.PAGE_CACHE_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE " + ", ".join(connection.ops.quote_name(table) for table in sorted(set(tables)))
        )
