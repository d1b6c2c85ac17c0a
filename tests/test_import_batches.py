"""Imports write a batch of stories at a time, one statement per table: the guarantees of writing story by story
still hold (a failing story costs only itself and leaves no rows, a re-import changes nothing)."""

import json

import pytest
from django.db import IntegrityError, connection
from taggit.models import TaggedItem

from articles.models import Article, Byline, Citation, Quote, Speaker

from .importing import MODELS, Run, row_counts

pytestmark = pytest.mark.django_db

# More than one batch (BATCH_SIZE is 100), so a failure lands in the middle of a batch with stories after it.
COUNT = 150


def write_stories(folder, count=COUNT):
    """Stories shaped like the desk's: a headline, paragraphs, two attributed quotes and a reference each."""
    for n in range(count):
        (folder / f"story-{n:03}.txt").write_text(
            f"Coral study {n} finds heat scars\n\n"
            f"Researchers led by ecologist Ana Ruiz at the Karolinska Institute report finding {n}.\n\n"
            f'Ana Ruiz explained: "We now see the reef {n} in a different light."\n\n'
            "The team measured samples across several sites over a decade.\n\n"
            f'"This is careful work number {n}," says astronomer Liam Byrne.\n\n'
            f"Reference: Ruiz, A. et al. Heat scars {n}. Nature {n + 1}, 1-9 (2024). DOI: 10.5555/bench.{n:06}\n"
        )


def snapshot():
    """Every row an import touches, field by field."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def refuse(marker):
    """An execute wrapper under which the database refuses any quote insert carrying `marker`."""

    def wrapper(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "articles_quote"') and marker in str(params):
            raise IntegrityError("refused for the test")
        return execute(sql, params, many, context)

    return wrapper


class TestAFailingStoryCostsOnlyItself:
    def test_refused_by_the_database_half_way_through_a_batch(self, tmp_path):
        """The quotes insert fails after the batch's articles, bylines and tags were written: the story refused
        leaves no row at all, and every other story of the batch, before and after it, is imported whole."""
        write_stories(tmp_path)
        with connection.execute_wrapper(refuse("reef 57 ")):
            run = Run(tmp_path, "--author", "Desk", "--tag", "reefs")
        assert run.errors == [
            f"{tmp_path / 'story-057.txt'}:1: the database refused the story (refused for the test)"
        ]
        assert run.row("text") == {"created": COUNT - 1, "updated": 0, "skipped": 0, "failed": 1}
        assert not Article.objects.filter(headline="Coral study 57 finds heat scars").exists()
        kept = COUNT - 1
        assert (Byline.objects.count(), Quote.objects.count(), Citation.objects.count()) == (
            kept,
            2 * kept,
            kept,
        )
        assert TaggedItem.objects.count() == kept
        assert not Quote.objects.filter(text__contains="reef 57 ").exists()

    def test_an_invalid_new_speaker_half_way_through_a_batch(self, tmp_path):
        """The speaker is found invalid after the batch's earlier stories created theirs: only its story fails."""
        items = [
            {
                "external_id": f"item-{n}",
                "headline": f"Item {n}",
                "quotes": [{"text": f"Said {n}.", "speaker": {"name": f"Person {n}"}}],
            }
            for n in range(COUNT)
        ]
        items[40]["quotes"][0]["speaker"]["orcid"] = "1234"
        path = tmp_path / "items.json"
        path.write_text(json.dumps(items))
        run = Run(path)
        assert run.errors == [
            f"{path}:item 41: speaker “Person 40”: orcid: An ORCID looks like 0000-0002-1825-0097."
        ]
        assert run.row("json")["created"] == COUNT - 1
        assert not Article.objects.filter(external_id="item-40").exists()
        assert not Speaker.objects.filter(name="Person 40").exists()
        assert Speaker.objects.count() == Quote.objects.count() == COUNT - 1

    def test_an_invalid_citation_half_way_through_a_batch(self, tmp_path):
        items = [
            {"external_id": f"item-{n}", "headline": f"Item {n}", "citations": [{"title": f"Paper {n}"}]}
            for n in range(COUNT)
        ]
        items[70]["citations"][0]["year"] = 1200
        path = tmp_path / "items.json"
        path.write_text(json.dumps(items))
        run = Run(path)
        assert run.errors == [
            f"{path}:item 71: citation 1: year: Ensure this value is greater than or equal to 1600."
        ]
        assert run.row("json")["created"] == COUNT - 1
        assert Citation.objects.count() == COUNT - 1
        assert not Article.objects.filter(external_id="item-70").exists()


class TestReimportChangesNothing:
    def test_twice(self, tmp_path):
        write_stories(tmp_path)
        assert Run(tmp_path, "--author", "Desk", "--tag", "reefs").row("text")["created"] == COUNT
        before = snapshot()
        again = Run(tmp_path, "--author", "Desk", "--tag", "reefs")
        assert again.row("text") == {"created": 0, "updated": 0, "skipped": COUNT, "failed": 0}
        assert snapshot() == before

    def test_with_update(self, tmp_path):
        write_stories(tmp_path)
        Run(tmp_path, "--author", "Desk", "--tag", "reefs")
        before = snapshot()
        again = Run(tmp_path, "--author", "Desk", "--tag", "reefs", "--update")
        assert again.row("text") == {"created": 0, "updated": 0, "skipped": COUNT, "failed": 0}
        assert snapshot() == before

    def test_after_a_batch_was_redone(self, tmp_path):
        """The rows a rolled-back batch had written are not remembered: the second run finds what is there."""
        write_stories(tmp_path)
        with connection.execute_wrapper(refuse("reef 57 ")):
            Run(tmp_path, "--author", "Desk", "--tag", "reefs")
        second = Run(tmp_path, "--author", "Desk", "--tag", "reefs")
        assert second.row("text") == {"created": 1, "updated": 0, "skipped": COUNT - 1, "failed": 0}
        before = row_counts()
        Run(tmp_path, "--author", "Desk", "--tag", "reefs")
        assert row_counts() == before


def test_the_same_headline_twice_in_one_batch_gets_two_slugs_without_a_redo(tmp_path):
    """Slugs taken earlier in the batch count as taken, though not written yet: no clash, no batch redone."""
    (tmp_path / "monday.txt").write_text("Weekly roundup\n\nMonday's news.\n")
    (tmp_path / "friday.txt").write_text("Weekly roundup\n\nFriday's news.\n")
    inserts = []

    def watch(execute, sql, params, many, context):
        inserts.extend([sql] if sql.startswith('INSERT INTO "articles_article"') else [])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        assert Run(tmp_path).row("text")["created"] == 2
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["weekly-roundup", "weekly-roundup-2"]
    assert len(inserts) == 1


def test_a_batch_costs_a_fixed_number_of_queries(tmp_path, django_assert_max_num_queries):
    """Lookups and inserts are made once per batch of 100, not once per story: about 20 queries a batch."""
    write_stories(tmp_path)
    with django_assert_max_num_queries(50):
        run = Run(tmp_path, "--author", "Desk", "--tag", "reefs")
    assert run.row("text")["created"] == COUNT


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is for PostgreSQL's planner")
def test_a_large_import_refreshes_the_planner_statistics(tmp_path):
    write_stories(tmp_path)
    Run(tmp_path, "--author", "Desk", "--tag", "reefs")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('articles_article', 'articles_quote', 'articles_citation', 'articles_byline', 'taggit_taggeditem')"
        )
        estimates = dict(cursor.fetchall())
    assert estimates == {
        "articles_article": COUNT,
        "articles_quote": 2 * COUNT,
        "articles_citation": COUNT,
        "articles_byline": COUNT,
        "taggit_taggeditem": COUNT,
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors are PostgreSQL's")
class TestSearchVectors:
    """A batch gives each new story its search vector in the INSERT, quotes included, instead of the triggers
    computing it once for the row and again for each quote: the vector must be the one the triggers make."""

    def vectors(self, recomputed):
        expression = (
            "articles_article_search_vector(id, headline, standfirst, body)"
            if recomputed
            else "search_vector"
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {expression}::text FROM articles_article ORDER BY id")
            return cursor.fetchall()

    def test_given_vectors_are_the_triggers_vectors(self, tmp_path):
        write_stories(tmp_path, 30)
        (tmp_path / "no-quotes.txt").write_text("Quiet reef\n\nNo one said a thing.\n")
        Run(tmp_path)
        stored = self.vectors(recomputed=False)
        assert sum("'care':" in vector for _id, vector in stored) == 30  # a word only the quotes have
        assert stored == self.vectors(recomputed=True)

    def test_quotes_written_later_still_reach_the_vector(self, tmp_path):
        """The trigger is only held off while the importer inserts quotes it already counted."""
        write_stories(tmp_path, 3)
        Run(tmp_path)
        article = Article.objects.order_by("pk").first()
        Quote.objects.create(
            article=article, text="Tardigrades everywhere", speaker=Speaker.objects.first(), position=9
        )
        assert "'tardigrad':" in dict(self.vectors(recomputed=False))[article.pk]
