"""What reader pages keep per process under the content state (articles/cache.py): an article's related stories
and a list's number of stories. Kept, they cost no query; and they are exact: any committed write, made with
QuerySet.update() in this connection or another, and a scheduled story's publication time passing, show on the
next request.

The tests commit for real (transactional database), because the content version moves after commits; the page
cache is off, so every request renders."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.cache import content_state, kept
from articles.models import Article, Section, Status

from .factories import ArticleFactory, SectionFactory, full_story

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def page_cache_off(settings):
    settings.PAGE_CACHE_SECONDS = 0


def html(client, path, django_assert_max_num_queries=None, budget=None):
    if django_assert_max_num_queries is None:
        response = client.get(path)
    else:
        with django_assert_max_num_queries(budget):
            response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def elsewhere(write):
    """Run `write` on another connection, as another worker or manage.py shell would."""

    def run():
        try:
            write()
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()


@pytest.fixture
def neighbours():
    """A story and six sharing tags with it: four of them are its related stories."""
    story = full_story(tags=5, headline="The story itself")
    others = [full_story(headline=f"Neighbour {n}", tags=2) for n in range(6)]
    return story, others


def related_block(page):
    return page.split('id="related-heading"', 1)[1]


class TestRelatedStories:
    def test_kept_article_page_costs_one_query(self, client, neighbours, django_assert_max_num_queries):
        story, _others = neighbours
        # The story, the two related-stories queries and the header's section links, once per content state.
        first = html(client, story.get_absolute_url(), django_assert_max_num_queries, 4)
        assert related_block(first).count("Neighbour ") == 4
        second = html(client, story.get_absolute_url(), django_assert_max_num_queries, 1)
        assert second == first

    @pytest.mark.parametrize("where", ["here", "elsewhere"])
    def test_an_update_shows_on_the_next_request(self, client, neighbours, where):
        story, others = neighbours
        shown = [n for n in others if n.headline in related_block(html(client, story.get_absolute_url()))]
        renamed, unpublished = shown[0], shown[1]

        def write():
            Article.objects.filter(pk=renamed.pk).update(headline="Renamed neighbour")
            Article.objects.filter(pk=unpublished.pk).update(status=Status.DRAFT)

        write() if where == "here" else elsewhere(write)
        block = related_block(html(client, story.get_absolute_url()))
        assert "Renamed neighbour" in block
        assert unpublished.headline not in block
        assert block.count("<article") == 4  # filled up from the remaining neighbours

    def test_a_new_tag_on_another_story_shows(self, client, neighbours):
        story, _others = neighbours
        html(client, story.get_absolute_url())
        latecomer = ArticleFactory(headline="Latecomer", tags=[], section=None)
        tags = list(Tag.objects.filter(name__in=["tag-0", "tag-1", "tag-2", "tag-3", "tag-4"]))
        elsewhere(lambda: Article.objects.get(pk=latecomer.pk).tags.add(*tags))
        assert "Latecomer" in related_block(html(client, story.get_absolute_url()))

    def test_a_renamed_section_shows_in_the_related_teasers(self, client, neighbours):
        story, others = neighbours
        html(client, story.get_absolute_url())
        Section.objects.filter(pk=others[-1].section_id).update(name="Renamed desk")
        assert "Renamed desk" in related_block(html(client, story.get_absolute_url()))

    def test_a_scheduled_story_appears_on_time(self, client, neighbours):
        story, _others = neighbours
        start = timezone.now()
        ArticleFactory(
            headline="Scheduled neighbour",
            tags=[f"tag-{n}" for n in range(5)],
            published_at=start + timedelta(minutes=5),
        )
        with time_machine.travel(start, tick=False):
            assert "Scheduled neighbour" not in html(client, story.get_absolute_url())
            assert "Scheduled neighbour" not in html(client, story.get_absolute_url())
        with time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False):
            assert "Scheduled neighbour" in related_block(html(client, story.get_absolute_url()))


def teasers(page):
    return page.count('<article class="teaser')


class TestListCounts:
    @pytest.fixture
    def stories(self):
        section = SectionFactory(slug="desk")
        return [ArticleFactory(section=section, tags=["kept"]) for _ in range(20)]

    @pytest.mark.parametrize(
        ("path", "kept_budget"),
        [
            ("/", 1),
            (reverse("articles:tag", args=["kept"]), 2),
            (reverse("articles:section", args=["desk"]), 2),
        ],
    )
    def test_kept_count_costs_no_query(
        self, client, stories, path, kept_budget, django_assert_max_num_queries
    ):
        # The first request under a state also counts the stories and reads the header's section links.
        first = html(client, path, django_assert_max_num_queries, kept_budget + 2)
        assert "Page 1 of" not in first  # one page: no pagination
        second = html(client, path, django_assert_max_num_queries, kept_budget)
        assert second == first

    @pytest.mark.parametrize(
        "path", ["/", reverse("articles:tag", args=["kept"]), reverse("articles:section", args=["desk"])]
    )
    @pytest.mark.parametrize("where", ["here", "elsewhere"])
    def test_a_new_and_an_unpublished_story_change_the_count(self, client, stories, path, where):
        html(client, path)
        extra = ArticleFactory(section=stories[0].section, tags=["kept"])
        assert "Page 1 of 2" in html(client, path)

        def write():
            Article.objects.filter(pk__in=[extra.pk, stories[0].pk]).update(status=Status.DRAFT)

        write() if where == "here" else elsewhere(write)
        page = html(client, path)
        assert "Page 1 of" not in page
        assert teasers(page) == 19

    def test_page_two_and_past_the_end(self, client, stories):
        ArticleFactory(
            headline="On page two",
            section=stories[0].section,
            tags=["kept"],
            published_at=timezone.now() - timedelta(days=3),
        )
        html(client, "/")
        page = html(client, "/?page=2")
        assert "Page 2 of 2" in page and "On page two" in page
        assert client.get("/?page=3").status_code == 404
        assert client.get("/?page=0").status_code == 404
        assert client.get("/?page=x").status_code == 404

    def test_a_scheduled_story_counts_on_time(self, client, stories):
        start = timezone.now()
        ArticleFactory(section=stories[0].section, tags=["kept"], published_at=start + timedelta(minutes=5))
        with time_machine.travel(start, tick=False):
            for path in ["/", reverse("articles:tag", args=["kept"])]:
                assert "Page 1 of" not in html(client, path)
                assert "Page 1 of" not in html(client, path)
        with time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False):
            for path in ["/", reverse("articles:tag", args=["kept"])]:
                assert "Page 1 of 2" in html(client, path)


class TestContentState:
    def test_next_publication_is_the_first_scheduled_story(self):
        ArticleFactory()
        soon, later = timezone.now() + timedelta(hours=1), timezone.now() + timedelta(days=1)
        ArticleFactory(published_at=later)
        ArticleFactory(published_at=soon)
        ArticleFactory(published_at=soon - timedelta(minutes=5), draft=True)  # a draft is not scheduled
        story = Article.objects.published().with_content_state().first()
        first_scheduled = Article.objects.scheduled().order_by("published_at").first().published_at
        assert story.next_publication == first_scheduled == soon

    def test_the_version_moves_with_each_commit(self):
        story = ArticleFactory()
        before = content_state(Article.objects.with_content_state().get(pk=story.pk))
        Article.objects.filter(pk=story.pk).update(headline="Moved")
        after = content_state(Article.objects.with_content_state().get(pk=story.pk))
        assert after[0] == before[0] + 1

    def test_nothing_is_kept_inside_a_transaction(self, client, neighbours):
        """A transaction sees its own writes before their commit bumps the version."""
        story, others = neighbours
        with transaction.atomic():
            fetched = Article.objects.with_content_state().get(pk=story.pk)
            assert content_state(fetched) is None
            before = related_block(html(client, story.get_absolute_url()))
            shown = next(n for n in others if n.headline in before)
            Article.objects.filter(pk=shown.pk).update(headline="Renamed in the transaction")
            assert "Renamed in the transaction" in related_block(html(client, story.get_absolute_url()))
        assert kept.hits == 0


class TestFrame:
    """The head's links, the header and the footer are kept per process; what they show still follows the page."""

    def test_the_current_section_and_the_search_words_follow_the_page(self, client):
        section = SectionFactory(name="Space", slug="space")
        ArticleFactory(section=section)
        assert '<a href="/section/space/" aria-current="page">Space</a>' in html(client, "/section/space/")
        home = html(client, "/")
        assert '<a href="/section/space/">Space</a>' in home
        assert '<a href="/" aria-current="page">Latest</a>' in home
        assert 'value="dark matter"' in html(client, "/search/?q=dark+matter")
        assert 'name="q" value=""' in html(client, "/")

    def test_a_renamed_section_shows_in_the_header(self, client):
        section = SectionFactory(name="Space", slug="space")
        story = ArticleFactory(section=section)
        html(client, "/")
        html(client, story.get_absolute_url())
        section.name = "Astronomy"
        section.save()
        for path in ["/", story.get_absolute_url()]:
            assert '<a href="/section/space/">Astronomy</a>' in html(client, path)

    @pytest.mark.parametrize("where", ["here", "elsewhere"])
    def test_a_section_renamed_with_update_shows_in_the_header(self, client, where):
        """update() sends no signal, so the navigation cache's write-through never hears of it; nor does this
        process's cache hear of another worker's save when there is no Redis."""
        section = SectionFactory(name="Space", slug="space")
        story = ArticleFactory(section=section)
        for path in ["/", story.get_absolute_url()]:
            assert '<a href="/section/space/">Space</a>' in html(client, path).split("</header>", 1)[0]

        def rename():
            Section.objects.filter(pk=section.pk).update(name="Astronomy")

        rename() if where == "here" else elsewhere(rename)
        for path in ["/", story.get_absolute_url()]:
            # The header alone: the story's own teaser and byline link its section the same way.
            header = html(client, path).split("</header>", 1)[0]
            assert '<a href="/section/space/">Astronomy</a>' in header


class TestPublishedStory:
    """The article page's query written once per database gives what the ORM's would."""

    def test_same_story_parts_and_state_as_the_orm(self):
        story = full_story(quotes=2, citations=2, tags=3, section=SectionFactory(name="Desk"))
        fast = Article.objects.published_story(story.slug)
        orm = Article.objects.published().for_detail().with_content_state().get(slug=story.slug)
        fields = [field.attname for field in Article._meta.concrete_fields if field.name != "search_vector"]
        assert [getattr(fast, name) for name in fields] == [getattr(orm, name) for name in fields]
        assert fast.get_deferred_fields() == orm.get_deferred_fields() == {"search_vector"}
        assert Article.section.is_cached(fast)
        assert [getattr(fast.section, f.attname) for f in Section._meta.concrete_fields] == [
            getattr(orm.section, f.attname) for f in Section._meta.concrete_fields
        ]
        assert fast.parts_text == orm.parts_text
        assert [tag.name for tag in fast.tags.all()] == [tag.name for tag in orm.tags.all()]
        assert fast.content_version == orm.content_version

    def test_only_published_stories(self):
        draft = ArticleFactory(draft=True)
        scheduled = ArticleFactory(published_at=timezone.now() + timedelta(minutes=1))
        without_section = ArticleFactory(section=None)
        assert Article.objects.published_story(draft.slug) is None
        assert Article.objects.published_story(scheduled.slug) is None
        assert Article.objects.published_story("no-such-story") is None
        assert Article.objects.published_story(without_section.slug).section is None
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            assert Article.objects.published_story(scheduled.slug).pk == scheduled.pk
