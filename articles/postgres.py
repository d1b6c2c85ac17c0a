"""PostgreSQL-only schema operations: SQLite, the embedded default, has no triggers, GIN indexes or TOAST, and
gets a working fallback in Python instead (see articles/search.py)."""

from django.db import migrations


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
