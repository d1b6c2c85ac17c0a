"""Related stories: shared tags first, then the same section, in two queries whose plans stay bounded without
statistics (see test_fresh_import_plans.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import ArticleFactory, SectionFactory, full_story

pytestmark = pytest.mark.django_db


def related_headlines(article):
    article = Article.objects.for_detail().get(pk=article.pk)
    return [story.headline for story in Article.objects.published().related_to(article, limit=4)]


def test_most_shared_tags_first_then_section_then_newest():
    health, space = SectionFactory(), SectionFactory()
    now = timezone.now()
    story = ArticleFactory(section=health, tags=["cancer", "genes", "cells"])
    ArticleFactory(
        headline="Two tags", section=space, tags=["cancer", "genes"], published_at=now - timedelta(days=5)
    )
    ArticleFactory(headline="One tag", section=space, tags=["cells"], published_at=now - timedelta(days=1))
    ArticleFactory(headline="Section only, new", section=health, published_at=now - timedelta(hours=2))
    ArticleFactory(headline="Section only, old", section=health, published_at=now - timedelta(days=9))
    ArticleFactory(headline="Unrelated", section=space, tags=["stars"])
    ArticleFactory(headline="Draft", section=health, tags=["cancer", "genes", "cells"], draft=True)
    assert related_headlines(story) == ["Two tags", "One tag", "Section only, new", "Section only, old"]


def test_story_without_tags_or_section():
    story = ArticleFactory(section=None)
    ArticleFactory(section=None)
    ArticleFactory(tags=["x"])
    assert related_headlines(story) == []


def test_detail_page_shows_related_within_budget(client, django_assert_max_num_queries):
    story = full_story(tags=5)
    for n in range(6):
        full_story(headline=f"Neighbour {n}", tags=2)
    # The story with its parts, and two for related stories.
    with django_assert_max_num_queries(3):
        html = client.get(story.get_absolute_url()).content.decode()
    assert html.count("Neighbour ") == 4
    assert '<h2 id="related-heading" class="rail-heading">Related stories</h2>' in html


def test_ranks_only_the_newest_stories_sharing_a_tag(monkeypatch):
    """The candidate window keeps the cost flat in the archive's size; an old story outside it is not ranked."""
    monkeypatch.setattr("articles.models.article.RELATED_CANDIDATES", 2)
    now = timezone.now()
    story = ArticleFactory(section=None, tags=["cancer", "genes", "cells"])
    ArticleFactory(
        headline="Old, all tags",
        section=None,
        tags=["cancer", "genes", "cells"],
        published_at=now - timedelta(days=30),
    )
    ArticleFactory(
        headline="New, one tag", section=None, tags=["cells"], published_at=now - timedelta(days=1)
    )
    ArticleFactory(
        headline="Newer, one tag", section=None, tags=["genes"], published_at=now - timedelta(hours=1)
    )
    assert related_headlines(story) == ["Newer, one tag", "New, one tag"]
