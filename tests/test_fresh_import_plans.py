"""Straight after a large import PostgreSQL has no statistics for the new rows (autovacuum may be off or slow to
start), and a plan chosen blind once ran a related-stories query for 328 s. Pages must stay fast without them."""

import json
import random
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from articles.importers import ANALYZE_AFTER
from articles.models import Article, Author, Byline, Citation, Quote, Section, Speaker, Status

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="about PostgreSQL's planner"),
    pytest.mark.django_db,
]

STORIES = 2000


def import_like_the_bench(n=STORIES):
    """The shape of the benchmark corpus: 12 subjects as tags, 6 sections, 6 authors and 6 speakers shared by
    every story, written in bulk as an import does."""
    rng = random.Random(7)
    sections = Section.objects.bulk_create(
        Section(name=f"Section {i}", slug=f"section-{i}") for i in range(6)
    )
    authors = Author.objects.bulk_create(Author(name=f"Author {i}", slug=f"author-{i}") for i in range(6))
    speakers = [Speaker.objects.create(name=f"Speaker {i}") for i in range(6)]
    tags = Tag.objects.bulk_create(Tag(name=f"subject {i}", slug=f"subject-{i}") for i in range(12))
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            headline=f"Story {i}",
            slug=f"story-{i}",
            standfirst="A standfirst.",
            body="<p>" + "words " * 400 + "</p>",
            status=Status.PUBLISHED,
            published_at=now - timedelta(minutes=i),
            section=sections[i % 6],
        )
        for i in range(n)
    )
    article_type = ContentType.objects.get_for_model(Article)
    TaggedItem.objects.bulk_create(
        TaggedItem(content_type=article_type, object_id=article.pk, tag=tag)
        for article in articles
        for tag in rng.sample(tags, 3)
    )
    Byline.objects.bulk_create(
        Byline(article=article, author=author, position=p)
        for article in articles
        for p, author in enumerate(rng.sample(authors, 2))
    )
    Quote.objects.bulk_create(
        Quote(article=article, position=p, text="Words.", speaker=speaker)
        for article in articles
        for p, speaker in enumerate(rng.sample(speakers, 2))
    )
    Citation.objects.bulk_create(
        Citation(article=article, position=0, title="A paper") for article in articles
    )
    return articles


def test_article_page_without_statistics_answers_within_200_ms(client):
    articles = import_like_the_bench()
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'articles_article'")
        assert cursor.fetchone()[0] < STORIES, "the tables must not have been analysed"
        # Every query of the page must finish within the budget, or PostgreSQL cancels it and the page fails.
        cursor.execute("SET LOCAL statement_timeout = 200")
    try:
        for article in (articles[0], articles[STORIES // 2], articles[-1]):
            response = client.get(article.get_absolute_url())
            assert response.status_code == 200
            assert response.content.decode().count('class="related"') == 1
    finally:
        with connection.cursor() as cursor:
            # The deferred constraint checks of the 2,000 rows run at the end of the test, unhurried.
            cursor.execute("SET LOCAL statement_timeout = 0")


def test_a_large_import_leaves_fresh_statistics(tmp_path):
    stories = [
        {
            "external_id": f"bulk:{i}",
            "headline": f"Bulk story {i}",
            "standfirst": "One line.",
            "body": "<p>Words.</p>",
            "tags": [f"subject {i % 12}"],
        }
        for i in range(ANALYZE_AFTER)
    ]
    (tmp_path / "stories.json").write_text(json.dumps(stories))
    call_command("import_articles", str(tmp_path), stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN ('articles_article', 'taggit_taggeditem')"
        )
        assert dict(cursor.fetchall()) == {
            "articles_article": ANALYZE_AFTER,
            "taggit_taggeditem": ANALYZE_AFTER,
        }
