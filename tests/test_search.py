"""Site search: ranking, the stored vector kept current by the database, snippets, hostile queries, paging."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.models import Article
from articles.search import MAX_QUERY_LENGTH, clean_query, search_articles

from .factories import ArticleFactory, AuthorFactory, BylineFactory, QuoteFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL only"
)


def found(query):
    return [article.headline for article in search_articles(query)]


class TestRanking:
    def test_headline_match_beats_body_match(self):
        # The body story is newer and says the word three times: the headline must still win.
        ArticleFactory(
            headline="Seabirds change course",
            standfirst="Tracking data from a colony.",
            body="<p>Glaciers calve. Glaciers melt. The glacier front moved.</p>",
            published_at=timezone.now() - timedelta(minutes=5),
        )
        ArticleFactory(
            headline="Glaciers are retreating faster",
            standfirst="Satellite records.",
            body="<p>Nothing else here.</p>",
            published_at=timezone.now() - timedelta(days=3),
        )
        ArticleFactory(headline="Unrelated story", body="<p>Bees.</p>")
        assert found("glaciers") == ["Glaciers are retreating faster", "Seabirds change course"]

    @postgresql_only
    def test_standfirst_beats_body(self):
        ArticleFactory(headline="One", standfirst="Nothing", body="<p>Coral reefs bleach.</p>")
        ArticleFactory(
            headline="Two",
            standfirst="Coral reefs recover.",
            body="<p>x</p>",
            published_at=timezone.now() - timedelta(days=9),
        )
        assert found("coral") == ["Two", "One"]

    @postgresql_only
    def test_english_stemming(self):
        ArticleFactory(headline="Wounds heal faster in the young", body="<p>Healing studied.</p>")
        assert found("wound healed") == ["Wounds heal faster in the young"]

    def test_only_published(self):
        ArticleFactory(headline="Comet visible tonight")
        ArticleFactory(headline="Comet draft", draft=True)
        ArticleFactory(headline="Comet scheduled", published_at=timezone.now() + timedelta(hours=2))
        assert found("comet") == ["Comet visible tonight"]

    def test_minus_excludes(self):
        ArticleFactory(headline="Whales sing", body="<p>Songs.</p>")
        ArticleFactory(headline="Whales and krill", body="<p>Krill swarms.</p>")
        assert found("whales -krill") == ["Whales sing"]

    def test_every_word_must_match(self):
        ArticleFactory(headline="Bats hunt moths", body="<p>Echoes.</p>")
        ArticleFactory(headline="Bats sleep", body="<p>Caves.</p>")
        assert found("bats moths") == ["Bats hunt moths"]


@postgresql_only
class TestVectorKeptCurrent:
    """Triggers keep the stored vector right however a story or quote is written."""

    def test_quote_added_after_the_story_is_found(self):
        article = ArticleFactory(headline="Interview", body="<p>Plain.</p>")
        assert found("serendipity") == []
        QuoteFactory(article=article, text="It was pure serendipity.")
        assert found("serendipity") == ["Interview"]

    def test_quote_edit_and_delete(self):
        quote = QuoteFactory(text="Astonishing results.", article=ArticleFactory(headline="Q"))
        quote.text = "Unremarkable results."
        quote.save()
        assert found("astonishing") == [] and found("unremarkable") == ["Q"]
        quote.delete()
        assert found("unremarkable") == []

    def test_bulk_update_and_html_stripped(self):
        article = ArticleFactory(headline="Before", body="<p>x</p>")
        Article.objects.filter(pk=article.pk).update(
            body='<p><a href="/strong">Tardigrades</a> &amp; ice</p>'
        )
        assert found("tardigrades") == ["Before"]
        assert found("strong") == []  # markup is not text
        assert found("amp") == []

    def test_vector_weights(self):
        article = ArticleFactory(headline="Owls", standfirst="Night", body="<p>Forest</p>")
        QuoteFactory(article=article, text="Mice")
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_vector::text FROM articles_article WHERE id = %s", [article.pk])
            vector = cursor.fetchone()[0]
        assert vector == "'forest':3C 'mice':4C 'night':2B 'owl':1A"


@postgresql_only
class TestRankedWindow:
    """Ranking runs over the newest MAX_RANKED matches, whichever way PostgreSQL is told to find them."""

    @pytest.fixture
    def archive(self):
        now = timezone.now()
        for n in range(8):
            ArticleFactory(
                headline=f"Report {n}", body="<p>Lichen grows.</p>", published_at=now - timedelta(days=n)
            )
        return ArticleFactory(headline="Lichen survives space", published_at=now - timedelta(days=30))

    @pytest.mark.parametrize("date_walk_cost", [0, 10**9], ids=["date-walk", "gin-index"])
    def test_newest_matches_ranked(self, archive, monkeypatch, date_walk_cost):
        monkeypatch.setattr(search, "MAX_RANKED", 5)
        monkeypatch.setattr(search, "ROW_VIA_VECTOR_COST", date_walk_cost)
        assert found("lichen") == ["Report 0", "Report 1", "Report 2", "Report 3", "Report 4"]

    def test_old_headline_match_wins_inside_the_window(self, archive, monkeypatch):
        monkeypatch.setattr(search, "MAX_RANKED", 20)
        assert found("lichen")[0] == "Lichen survives space"


class TestHostileQueries:
    @pytest.mark.parametrize(
        "query",
        [
            "",
            "   ",
            "!!!",
            "&|!:*()<>",
            '"',
            "-",
            "'; DROP TABLE articles_article; --",
            "\x00\x0b\x1f",
            "the",
            "a" * 100_000,
            "virus " * 5_000,
            '"exact phrase" or -minus',
            "-virus",
            "<script>alert(1)</script>",
        ],
        ids=lambda q: repr(q[:20]),
    )
    def test_page_answers_and_lists_only_matches(self, client, query):
        ArticleFactory(headline="Virus spreads in bats", body="<p>exact phrase here</p>")
        response = client.get(reverse("articles:search"), {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert response.context["query"] == clean_query(query)
        assert len(response.context["query"]) <= MAX_QUERY_LENGTH

    def test_empty_query_runs_no_search(self, client, django_assert_max_num_queries):
        ArticleFactory(headline="Anything")
        with django_assert_max_num_queries(0):
            response = client.get(reverse("articles:search"))
        assert "Type a word or two" in response.content.decode()

    def test_no_match_says_so(self, client):
        response = client.get(reverse("articles:search"), {"q": "zyxwvut"})
        assert "No published stories match “zyxwvut”" in response.content.decode()


class TestResultsPage:
    def test_snippet_marks_terms_and_escapes_markup(self, client):
        ArticleFactory(
            headline="Volcano wakes",
            standfirst="",
            body="<p>The volcano &lt;script&gt;alert(1)&lt;/script&gt; rumbled all night.</p>",
        )
        html = client.get(reverse("articles:search"), {"q": "volcano"}).content.decode()
        assert "<mark>" in html
        assert "<mark>volcano</mark>" in html.lower()
        assert "<script>" not in html
        assert "alert(1)" in html  # the story's text survives, as text

    def test_words_marked_when_only_some_are_in_the_text(self, client):
        ArticleFactory(
            headline="Coral bleaching spreads",
            standfirst="",
            body="<p>Divers counted bleached corals on every reef they visited this spring.</p>",
        )
        response = client.get(reverse("articles:search"), {"q": "coral bleaching -whales"})
        (article,) = response.context["articles"]
        # PostgreSQL marks whole stemmed words; the SQLite fallback marks the typed letters.
        assert "<mark>coral" in article.snippet
        assert "<mark>bleached</mark>" in article.snippet or connection.vendor != "postgresql"
        assert "whales" not in article.snippet

    def test_paginated_with_query_kept(self, client, django_assert_max_num_queries):
        authors = AuthorFactory.create_batch(2)
        for n in range(23):
            article = ArticleFactory(headline=f"Meteor shower {n}", tags=["sky", "night"])
            for position, author in enumerate(authors):
                BylineFactory(article=article, author=author, position=position)
        # PostgreSQL: two planner estimates, the candidates, the count, the page, bylines.
        with django_assert_max_num_queries(6):
            response = client.get(reverse("articles:search"), {"q": "meteor"})
        html = response.content.decode()
        assert html.count('class="teaser"') == 20
        assert "23 stories found." in html
        assert 'href="?q=meteor&amp;page=2"' in html
        assert authors[1].name in html
        page_two = client.get(reverse("articles:search"), {"q": "meteor", "page": 2})
        assert page_two.content.decode().count('class="teaser"') == 3

    def test_results_page_is_not_indexed(self, client):
        html = client.get(reverse("articles:search"), {"q": "x"}).content.decode()
        assert '<meta name="robots" content="noindex">' in html
