from django.db import migrations

# Search reads the row of every story that matches a word (articles/search.py). PostgreSQL keeps a value in the
# row until the row passes ~2 kB, so a typical body sat in it and a row filled most of a page. With a 256-byte
# target, body and search vector go to the TOAST table and the rows stay narrow: matches are read from a few
# hot pages instead of one page each (p95 search at 100,000 stories fell from ~90 to ~33 ms, bench_search.py).
# Rows move when next written; `UPDATE articles_article SET body = body` moves an existing archive at once.
# PostgreSQL only.
SET_SQL = "ALTER TABLE articles_article SET (toast_tuple_target = 256)"
RESET_SQL = "ALTER TABLE articles_article RESET (toast_tuple_target)"


def run_on_postgresql(sql):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0005_merge_20261125_0159"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(SET_SQL), run_on_postgresql(RESET_SQL)),
    ]
