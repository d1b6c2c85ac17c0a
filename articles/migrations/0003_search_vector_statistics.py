from django.db import migrations

# The search chooses how to find matches from the planner's estimate of how many there are (articles/search.py).
# The default statistics keep only the ~100 commonest words of the search vector, so every rarer word gets the
# same guess; a larger sample gives real estimates for the words people search for. PostgreSQL only.
SQL = "ALTER TABLE articles_article ALTER COLUMN search_vector SET STATISTICS {target}"


def set_statistics(target):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(SQL.format(target=target))

    return operation


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0002_article_search_vector"),
    ]

    operations = [
        migrations.RunPython(set_statistics(1000), set_statistics(-1)),
    ]
