"""PostgreSQL full-text search, kept current by the database itself.

One trigger recomputes an article's weighted search vector whenever the row is written, another touches the
article when its quotes change, so the importer, the admin, the demo loader and bulk updates all get it without
calling anything. SQLite has none of this: search there falls back to matching words (articles/search.py).
"""

from django.db import migrations

from articles.postgres import RunSQLOnPostgreSQL

CREATE_SQL = r"""
CREATE FUNCTION articles_plain_text(html text) RETURNS text AS $$
    SELECT replace(replace(replace(replace(replace(replace(
        regexp_replace(coalesce(html, ''), '<[^>]*>', ' ', 'g'),
        '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&nbsp;', ' '), '&amp;', '&')
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION articles_article_search_vector(a_id bigint, a_headline text, a_standfirst text, a_body text)
RETURNS tsvector AS $$
    SELECT setweight(to_tsvector('english', coalesce(a_headline, '')), 'A')
        || setweight(to_tsvector('english', coalesce(a_standfirst, '')), 'B')
        || setweight(to_tsvector('english', articles_plain_text(a_body) || ' ' || coalesce(
            (SELECT string_agg(q.text, ' ' ORDER BY q.position) FROM articles_quote q WHERE q.article_id = a_id),
            '')), 'C')
$$ LANGUAGE sql STABLE;

CREATE FUNCTION articles_article_search_trigger() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := articles_article_search_vector(NEW.id, NEW.headline, NEW.standfirst, NEW.body);
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER articles_article_search BEFORE INSERT OR UPDATE ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_trigger();

CREATE FUNCTION articles_quote_search_trigger() RETURNS trigger AS $$
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

CREATE TRIGGER articles_quote_search AFTER INSERT OR UPDATE OR DELETE ON articles_quote
    FOR EACH ROW EXECUTE FUNCTION articles_quote_search_trigger();

CREATE INDEX article_search_vector_gin ON articles_article USING gin (search_vector);

UPDATE articles_article SET search_vector = NULL;
"""

DROP_SQL = """
DROP INDEX IF EXISTS article_search_vector_gin;
DROP TRIGGER IF EXISTS articles_quote_search ON articles_quote;
DROP FUNCTION IF EXISTS articles_quote_search_trigger();
DROP TRIGGER IF EXISTS articles_article_search ON articles_article;
DROP FUNCTION IF EXISTS articles_article_search_trigger();
DROP FUNCTION IF EXISTS articles_article_search_vector(bigint, text, text, text);
DROP FUNCTION IF EXISTS articles_plain_text(text);
"""

# The search chooses how to find matches from the planner's estimate of how many there are (articles/search.py).
# The default statistics keep only the ~100 commonest words of the search vector, so every rarer word gets the
# same guess; a larger sample gives real estimates for the words people search for.
STATISTICS_SQL = "ALTER TABLE articles_article ALTER COLUMN search_vector SET STATISTICS 1000"
RESET_STATISTICS_SQL = "ALTER TABLE articles_article ALTER COLUMN search_vector SET STATISTICS -1"

# Search reads the row of every story that matches a word. PostgreSQL keeps a value in the row until the row
# passes ~2 kB, so a typical body sat in it and a row filled most of a page. With a 256-byte target, body and
# search vector go to the TOAST table and the rows stay narrow: matches are read from a few hot pages instead of
# one page each (docs/search.md has the figures).
NARROW_ROWS_SQL = "ALTER TABLE articles_article SET (toast_tuple_target = 256)"
RESET_NARROW_ROWS_SQL = "ALTER TABLE articles_article RESET (toast_tuple_target)"


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
    ]

    operations = [
        RunSQLOnPostgreSQL(CREATE_SQL, DROP_SQL),
        RunSQLOnPostgreSQL(STATISTICS_SQL, RESET_STATISTICS_SQL),
        RunSQLOnPostgreSQL(NARROW_ROWS_SQL, RESET_NARROW_ROWS_SQL),
    ]
