"""Let a bulk import give each new article its search vector, quotes included, in the INSERT itself.

The triggers of 0002 recompute an article's vector when the row is written and again for every quote written
after it: an imported story with two quotes had its vector computed three times and its row written three times,
which was half of PostgreSQL's time on an import (docs/importing.md). Now:

- ``articles_search_vector(headline, standfirst, body, quotes)`` is the one definition of the vector, from the
  text itself; ``articles_article_search_vector`` feeds it the article's quotes from the table, as before.
- An INSERT that already carries a vector keeps it. Nothing else sets one: the field is not editable, and Django
  inserts NULL, so the admin and every other writer still get it computed.
- Writing quotes touches the article as before, except while the transaction has set
  ``articles.quotes_in_search_vector`` to ``on``: the importer sets it only around inserting the quotes of the
  articles whose vector it has just given, with those very quotes in it.
"""

from django.db import migrations

from articles.postgres import RunSQLOnPostgreSQL

FORWARD_SQL = r"""
CREATE FUNCTION articles_search_vector(a_headline text, a_standfirst text, a_body text, a_quotes text)
RETURNS tsvector AS $$
    SELECT setweight(to_tsvector('english', coalesce(a_headline, '')), 'A')
        || setweight(to_tsvector('english', coalesce(a_standfirst, '')), 'B')
        || setweight(to_tsvector('english', articles_plain_text(a_body) || ' ' || coalesce(a_quotes, '')), 'C')
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION articles_article_search_vector(a_id bigint, a_headline text, a_standfirst text, a_body text)
RETURNS tsvector AS $$
    SELECT articles_search_vector(a_headline, a_standfirst, a_body,
        (SELECT string_agg(q.text, ' ' ORDER BY q.position) FROM articles_quote q WHERE q.article_id = a_id))
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION articles_article_search_trigger() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.search_vector IS NOT NULL THEN
        RETURN NEW;
    END IF;
    NEW.search_vector := articles_article_search_vector(NEW.id, NEW.headline, NEW.standfirst, NEW.body);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION articles_quote_search_trigger() RETURNS trigger AS $$
BEGIN
    IF current_setting('articles.quotes_in_search_vector', true) = 'on' THEN
        RETURN NULL;
    END IF;
    -- Writing the article row is enough: its own trigger recomputes the vector with the quotes as they are now.
    IF TG_OP = 'INSERT' THEN
        UPDATE articles_article SET search_vector = NULL WHERE id = NEW.article_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE articles_article SET search_vector = NULL WHERE id = OLD.article_id;
    ELSIF NEW.text IS DISTINCT FROM OLD.text OR NEW.article_id <> OLD.article_id THEN
        UPDATE articles_article SET search_vector = NULL WHERE id IN (OLD.article_id, NEW.article_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""

REVERSE_SQL = r"""
CREATE OR REPLACE FUNCTION articles_quote_search_trigger() RETURNS trigger AS $$
BEGIN
    -- Writing the article row is enough: its own trigger recomputes the vector with the quotes as they are now.
    IF TG_OP = 'INSERT' THEN
        UPDATE articles_article SET search_vector = NULL WHERE id = NEW.article_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE articles_article SET search_vector = NULL WHERE id = OLD.article_id;
    ELSIF NEW.text IS DISTINCT FROM OLD.text OR NEW.article_id <> OLD.article_id THEN
        UPDATE articles_article SET search_vector = NULL WHERE id IN (OLD.article_id, NEW.article_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION articles_article_search_trigger() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := articles_article_search_vector(NEW.id, NEW.headline, NEW.standfirst, NEW.body);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION articles_article_search_vector(a_id bigint, a_headline text, a_standfirst text, a_body text)
RETURNS tsvector AS $$
    SELECT setweight(to_tsvector('english', coalesce(a_headline, '')), 'A')
        || setweight(to_tsvector('english', coalesce(a_standfirst, '')), 'B')
        || setweight(to_tsvector('english', articles_plain_text(a_body) || ' ' || coalesce(
            (SELECT string_agg(q.text, ' ' ORDER BY q.position) FROM articles_quote q WHERE q.article_id = a_id),
            '')), 'C')
$$ LANGUAGE sql STABLE;

DROP FUNCTION articles_search_vector(text, text, text, text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_speaker_merge_permission"),
    ]

    operations = [RunSQLOnPostgreSQL(FORWARD_SQL, REVERSE_SQL)]
