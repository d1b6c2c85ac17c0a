"""Story fragments (articles/fragments.py): kept by their content, so whatever changes what a fragment shows is
on the next page, however it was changed, and an edit re-renders only the fragments that show what it changed.

Changes here go through QuerySet.update(): no save(), no signal, no lock_version bump, as an import, a migration
or another process might write them.
"""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import fragments
from articles.models import Article, Author, Citation, Correction, Quote, Section, Speaker

from .factories import (
    ArticleFactory,
    AuthorFactory,
    BylineFactory,
    CitationFactory,
    CorrectionFactory,
    QuoteFactory,
    SectionFactory,
    SpeakerFactory,
    full_story,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_store():
    fragments.store.clear()
    yield
    fragments.store.clear()


def page(client, path, django_assert_max_num_queries, budget):
    with django_assert_max_num_queries(budget):
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def story():
    """A story with every part its block shows: a pull quote, a reference, a correction, tags, a section."""
    article = ArticleFactory(
        section=SectionFactory(name="Cell biology"), tags=["metastasis"], body="<p>Cells wake up.</p>"
    )
    BylineFactory(article=article, author=AuthorFactory(name="Ada Writer"))
    QuoteFactory(
        article=article,
        speaker=SpeakerFactory(name="Joan Massagué"),
        text="They sleep for years.",
        is_pull_quote=True,
    )
    CitationFactory(article=article, title="L1CAM defines the regenerative origin")
    CorrectionFactory(article=article, text="An earlier version misspelt the gene.")
    return article


class TestArticlePage:
    def test_every_part_in_one_query_and_kept(self, client, story, django_assert_max_num_queries):
        first = page(client, story.get_absolute_url(), django_assert_max_num_queries, 4)
        renders = fragments.store.renders
        second = page(client, story.get_absolute_url(), django_assert_max_num_queries, 4)
        assert fragments.store.renders == renders  # the story block came from the store
        assert first == second
        for shown in (
            "Ada Writer",
            "Cell biology",
            "Joan Massagué",
            "They sleep for years.",
            "L1CAM",
            "misspelt",
        ):
            assert shown in second

    @pytest.mark.parametrize(
        "change, shown",
        [
            (lambda a: Author.objects.filter(bylines__article=a).update(name="Ada Renamed"), "Ada Renamed"),
            (
                lambda a: Section.objects.filter(pk=a.section_id).update(name="Tumour biology"),
                "Tumour biology",
            ),
            (lambda a: Speaker.objects.filter(quotes__article=a).update(name="J. Massagué"), "J. Massagué"),
            (lambda a: Quote.objects.filter(article=a).update(text="They wake up."), "They wake up."),
            (lambda a: Citation.objects.filter(article=a).update(title="A new title"), "A new title"),
            (
                lambda a: Correction.objects.filter(article=a).update(text="The gene was named."),
                "The gene was named.",
            ),
            (lambda a: Tag.objects.filter(name="metastasis").update(name="dormancy"), "dormancy"),
            (lambda a: Article.objects.filter(pk=a.pk).update(body="<p>Rewritten.</p>"), "<p>Rewritten.</p>"),
        ],
        ids=["author", "section", "speaker", "quote", "citation", "correction", "tag", "body"],
    )
    def test_a_change_shows_on_the_next_request(
        self, client, story, change, shown, django_assert_max_num_queries
    ):
        assert shown not in page(client, story.get_absolute_url(), django_assert_max_num_queries, 4)
        change(story)
        assert shown in page(client, story.get_absolute_url(), django_assert_max_num_queries, 4)

    def test_new_and_deleted_parts_show(self, client, story, django_assert_max_num_queries):
        url = story.get_absolute_url()
        page(client, url, django_assert_max_num_queries, 4)
        CorrectionFactory(article=story, text="A second correction.")
        Citation.objects.filter(article=story).delete()
        html = page(client, url, django_assert_max_num_queries, 4)
        assert "A second correction." in html and "L1CAM" not in html

    def test_going_public_by_the_clock_changes_the_block(self, client, story, editor_client):
        """The block offers "Cite this story" only when public; a scheduled story's time comes without a write."""
        Article.objects.filter(pk=story.pk).update(published_at=timezone.now() + timedelta(seconds=1))
        assert "Cite this story" not in editor_client.get(story.get_absolute_url()).content.decode()
        time.sleep(1.1)
        assert "Cite this story" in client.get(story.get_absolute_url()).content.decode()

    def test_an_author_rename_rerenders_only_the_stories_that_show_them(
        self, client, django_assert_max_num_queries
    ):
        ada, bo = AuthorFactory(name="Ada"), AuthorFactory(name="Bo")
        by_ada = full_story(authors=0)
        BylineFactory(article=by_ada, author=ada)
        by_bo = full_story(authors=0)
        BylineFactory(article=by_bo, author=bo)
        for article in (by_ada, by_bo):
            page(client, article.get_absolute_url(), django_assert_max_num_queries, 4)
        Author.objects.filter(pk=ada.pk).update(name="Ada Lovelace")
        renders = fragments.store.renders
        page(client, by_bo.get_absolute_url(), django_assert_max_num_queries, 4)
        assert fragments.store.renders == renders
        assert "Ada Lovelace" in page(client, by_ada.get_absolute_url(), django_assert_max_num_queries, 4)
        # Her story's block, link-preview metadata and JSON-LD name her; the related teasers (Bo's) do not.
        assert fragments.store.renders == renders + 3


class TestLists:
    @pytest.fixture
    def twenty(self):
        section = SectionFactory(name="Space", slug="space")
        author = AuthorFactory(name="Ada Writer", slug="ada")
        stories = [ArticleFactory(section=section, headline=f"Story {n}", tags=["stars"]) for n in range(20)]
        for article in stories:
            BylineFactory(article=article, author=author)
        return stories

    @pytest.mark.parametrize("path", ["/", "/section/space/", "/tag/stars/", "/author/ada/"])
    def test_an_edit_rerenders_one_teaser(self, client, twenty, path, django_assert_max_num_queries):
        page(client, path, django_assert_max_num_queries, 3)
        renders = fragments.store.renders
        page(client, path, django_assert_max_num_queries, 3)
        assert fragments.store.renders == renders  # every teaser from the store
        Article.objects.filter(pk=twenty[5].pk).update(headline="Story five, edited")
        html = page(client, path, django_assert_max_num_queries, 3)
        assert "Story five, edited" in html
        assert fragments.store.renders == renders + 1

    @pytest.mark.parametrize("path", ["/", "/section/space/", "/tag/stars/", "/author/ada/"])
    def test_a_kept_listing_follows_the_order_and_the_layout(self, client, twenty, path):
        """The listing of a page (its layout, every teaser) is kept under its stories' content: a story moved to
        the top, or to another section (another rail on the home page), is where it belongs on the next request."""
        client.get(path)
        moved = twenty[7]
        Article.objects.filter(pk=moved.pk).update(published_at=timezone.now() + timedelta(seconds=-1))
        html = client.get(path).content.decode()
        assert html.index(moved.headline) < min(html.index(f"{s.headline}<") for s in twenty if s != moved)
        if path == "/":
            Article.objects.filter(pk=twenty[12].pk).update(section=SectionFactory(name="Oceans"))
            html = client.get(path).content.decode()
            assert '<h2 class="rail-heading" id="rail-2"><a href="/section/' in html
            assert "Oceans</a></h2>" in html

    def test_an_author_rename_rerenders_their_teasers_only(
        self, client, twenty, django_assert_max_num_queries
    ):
        other = AuthorFactory(name="Bo Other")
        twenty[0].bylines.update(author=other)
        tag_page = reverse("articles:tag", args=["stars"])  # a plain grid: every teaser shows its byline
        page(client, tag_page, django_assert_max_num_queries, 3)
        renders = fragments.store.renders
        Author.objects.filter(pk=other.pk).update(name="Bo Renamed")
        html = page(client, tag_page, django_assert_max_num_queries, 3)
        assert "Bo Renamed" in html and "Bo Other" not in html
        assert fragments.store.renders - renders == html.count("Bo Renamed") == 1

    def test_a_section_rename_shows_in_every_teaser(self, client, twenty, django_assert_max_num_queries):
        page(client, "/", django_assert_max_num_queries, 3)
        Section.objects.update(name="Astronomy")
        html = page(client, "/", django_assert_max_num_queries, 3)
        assert "Space</a>" not in html.split("<main", 1)[1].split("</main>")[0]
        assert "Astronomy</a></p>" in html


class TestNotKept:
    def test_the_editors_preview_of_unsaved_changes_is_never_stored(self, editor_client, story):
        from .admin_client import change_url, read_form

        data = read_form(editor_client.get(change_url(story)))
        data["headline"] = "Unsaved headline"
        preview = reverse("admin:articles_article_preview", args=[story.pk])
        kept = len(fragments.store.items)
        html = editor_client.post(preview, data).content.decode()
        assert "<h1>Unsaved headline</h1>" in html
        assert len(fragments.store.items) == kept
        assert "Unsaved headline" not in editor_client.get(story.get_absolute_url()).content.decode()

    def test_a_story_fetched_without_its_parts_is_rendered_not_stored(self, story):
        html = fragments.story(Article.objects.get(pk=story.pk))
        assert "L1CAM" in html and not fragments.store.items


def test_the_store_keeps_the_most_recently_used_within_its_size():
    store = fragments.Store(max_chars=10)
    store.put("a", "12345")
    store.put("b", "12345")
    assert store.get("a") == "12345"  # now the most recently used
    store.put("c", "123")
    assert store.get("b") is None and store.get("a") == "12345" and store.get("c") == "123"
    assert store.chars == 8
