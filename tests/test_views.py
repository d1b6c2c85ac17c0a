import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import (
    ArticleFactory,
    AuthorFactory,
    BylineFactory,
    CitationFactory,
    QuoteFactory,
    SectionFactory,
    SpeakerFactory,
    full_story,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def twenty_teasers():
    """A full first page: 20 stories × 3 authors × 5 tags, plus one more for page 2."""
    authors = AuthorFactory.create_batch(3)
    stories = [ArticleFactory(tags=[f"t{i}" for i in range(5)]) for _ in range(21)]
    for story in stories:
        for position, author in enumerate(authors):
            BylineFactory(article=story, author=author, position=position)
    return stories, authors


class TestLists:
    def test_home_query_budget_and_content(self, client, twenty_teasers, django_assert_max_num_queries):
        _stories, authors = twenty_teasers
        with django_assert_max_num_queries(2):  # count, stories with sections and bylines (as JSON)
            response = client.get(reverse("articles:home"))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('<article class="teaser') == 20
        assert authors[2].name in html
        assert "Page 1 of 2" in html

    @pytest.mark.parametrize("kind", ["section", "tag", "author"])
    def test_filtered_list_query_budget(self, client, twenty_teasers, kind, django_assert_max_num_queries):
        stories, authors = twenty_teasers
        slug = {"section": stories[0].section.slug, "tag": "t0", "author": authors[0].slug}[kind]
        with django_assert_max_num_queries(2):  # heading with its story count, stories with their bylines
            response = client.get(reverse(f"articles:{kind}", kwargs={"slug": slug}))
        assert response.status_code == 200
        html = response.content.decode()
        # Every story has a section of its own, but all 21 carry tag t0 and the first author: 20 on page 1.
        members = [s for s in stories if s.section == stories[0].section] if kind == "section" else stories
        shown = [s for s in stories if s.headline in html]
        assert html.count('<article class="teaser') == len(shown) == min(len(members), 20)
        assert set(shown) <= set(members)

    @pytest.mark.parametrize("kind", ["section", "tag", "author"])
    def test_page_count_counts_published_stories_only(self, client, kind):
        section, author = SectionFactory(), AuthorFactory()
        for draft in [False] * 21 + [True] * 3:
            story = ArticleFactory(section=section, tags=["counted"], draft=draft)
            BylineFactory(article=story, author=author)
        url = {
            "section": section.get_absolute_url(),
            "tag": "/tag/counted/",
            "author": author.get_absolute_url(),
        }
        html = client.get(url[kind] + "?page=2").content.decode()
        assert "Page 2 of 2" in html
        assert html.count('class="teaser"') == 1

    def test_later_pages_keep_their_order_within_budget(self, client, django_assert_max_num_queries):
        now = timezone.now()
        for n in range(45):
            ArticleFactory(headline=f"Story {n:02}", published_at=now - timedelta(hours=n))
        with django_assert_max_num_queries(2):  # count; the page's stories, chosen by an ids subquery
            html = client.get(reverse("articles:home") + "?page=2").content.decode()
        shown = re.findall(r'class="teaser-headline"><a href="[^"]*">(Story \d+)</a>', html)
        assert shown == [f"Story {n:02}" for n in range(20, 40)]

    # Committed for real: inside a transaction the heading brings its count and the page takes the plain path.
    @pytest.mark.django_db(transaction=True)
    @pytest.mark.parametrize("tagged", [range(0, 45, 2), range(37, 45)], ids=["common", "rare-and-old"])
    def test_tag_first_page_is_the_tags_newest(
        self, client, monkeypatch, tagged, django_assert_max_num_queries
    ):
        """A tag page's first page looks through the newest TAG_WALK stories first: a tag on every other story
        is found there; one on old stories only is not, and the page falls back to the tag's items. Either way
        it lists the tag's 20 newest published stories (or all of them), newest first."""
        monkeypatch.setattr("articles.models.article.TAG_WALK", 40)
        now = timezone.now()
        for n in range(45):
            tags = ["walked"] if n in tagged else ["other"]
            ArticleFactory(headline=f"Story {n:02}", published_at=now - timedelta(hours=n), tags=tags)
        ArticleFactory(headline="Story draft", draft=True, tags=["walked"])
        # The heading; the page's stories by their ids; then, once per content state, the count and the header.
        with django_assert_max_num_queries(4):
            html = client.get(reverse("articles:tag", kwargs={"slug": "walked"})).content.decode()
        shown = re.findall(r'class="teaser-headline"><a href="[^"]*">(Story [^<]+)</a>', html)
        assert shown == [f"Story {n:02}" for n in tagged][:20]

    def test_section_lists_only_its_stories(self, client):
        mine, other = ArticleFactory(), ArticleFactory()
        response = client.get(mine.section.get_absolute_url())
        assert mine.headline in response.content.decode()
        assert other.headline not in response.content.decode()

    def test_teaser_links_the_story_once(self, client):
        story = ArticleFactory(headline="Whales sing in dialects")
        html = client.get("/").content.decode()
        assert html.count(f'href="{story.get_absolute_url()}"') == 1
        assert "Continue reading" not in html

    def test_unpublished_never_listed(self, client):
        ArticleFactory(draft=True, headline="Secret draft")
        ArticleFactory(published_at=timezone.now() + timedelta(hours=1), headline="Tomorrow's story")
        html = client.get("/").content.decode()
        assert "Secret draft" not in html and "Tomorrow" not in html

    def test_unknown_section_is_404(self, client):
        assert client.get("/section/nothing-here/").status_code == 404


class TestDetail:
    def test_full_story_query_budget_and_parts(self, client, django_assert_max_num_queries):
        article = full_story()
        # The story with its parts (bylines, tags, quotes, citations, corrections as JSON), related stories sharing
        # tags, and (as no other story shares them here) the newest of its section to fill the related list.
        with django_assert_max_num_queries(3):
            response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        # Quotes stand in the body as written; none is flagged as a pull quote, so none is repeated.
        assert html.count("<blockquote>") == 0
        assert html.count('<section class="people"') == 1
        assert "<i>Nature Cancer</i> <b>1</b>, 28–45 (2020)." in html
        assert 'href="https://doi.org/10.1038/s43018-019-0006-x"' in html
        assert html.count("<h1>") == 1
        assert html.count('rel="author"') == 3

    def test_quote_cites_speaker_role_and_affiliation(self, client):
        quote = QuoteFactory(
            speaker=SpeakerFactory(name="Joan Massagué", role="oncologist", affiliation="SKI")
        )
        html = client.get(quote.article.get_absolute_url()).content.decode()
        assert (
            f'<a href="{quote.speaker.get_absolute_url()}">Joan Massagué</a><span class="person-role">oncologist, SKI'
            in html
        )

    @pytest.mark.parametrize(
        "overrides",
        [
            {"draft": True},
            {"status": "review", "published_at": timezone.now() - timedelta(days=1)},
            {"published_at": timezone.now() + timedelta(days=1)},
        ],
        ids=["draft", "in-review", "scheduled"],
    )
    def test_unpublished_is_404(self, client, overrides):
        article = ArticleFactory(**overrides)
        response = client.get(article.get_absolute_url())
        assert response.status_code == 404
        assert article.headline not in response.content.decode()

    def test_injected_markup_is_inert(self, client):
        attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
        article = ArticleFactory(headline=f"Bad {attack}", standfirst=attack, body=f"<p>Body {attack}</p>")
        QuoteFactory(article=article, text=attack, speaker=SpeakerFactory(name=f"Evil {attack}", role=attack))
        CitationFactory(article=article, title=attack, journal=attack, authors=[attack])
        html = client.get(article.get_absolute_url()).content.decode()
        assert "<script>" not in html
        # Allowed only as escaped text: HTML entities on the page, \u003C/\u003E escapes in the JSON-LD.
        inert = html.replace("onerror=alert(1)&gt;", "").replace("onerror=alert(1)\\u003E", "")
        assert "onerror=alert" not in inert
        assert "&lt;script&gt;" in html


class TestSpeakerPage:
    def test_lists_published_quotes_only(self, client, django_assert_max_num_queries):
        speaker = SpeakerFactory(name="Karuna Ganesh")
        shown = QuoteFactory(speaker=speaker, text="Shown words")
        QuoteFactory(speaker=speaker, text="Hidden words", article=ArticleFactory(draft=True))
        with django_assert_max_num_queries(3):
            response = client.get(speaker.get_absolute_url())
        html = response.content.decode()
        assert "Shown words" in html and shown.article.headline in html
        assert "Hidden words" not in html


def test_unknown_page_uses_404_template(client):
    response = client.get("/story/does-not-exist/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
