"""RSS 2.0 and Atom feeds, read back with feedparser as a feed reader would."""

import io
from datetime import timedelta

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from .factories import ArticleFactory, AuthorFactory, BylineFactory, SectionFactory

pytestmark = pytest.mark.django_db

FEEDS = ["feed-rss", "feed-atom"]


def png_bytes(size=(120, 80)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#336699").save(buffer, "PNG")
    return buffer.getvalue()


def read_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


@pytest.fixture
def newsroom():
    """Three published stories in two sections, a draft and a scheduled story; the newest has a hero image."""
    health, space = SectionFactory(name="Health", slug="health"), SectionFactory(name="Space", slug="space")
    writer, other = AuthorFactory(name="Priya Raman"), AuthorFactory(name="Tomás Ortega")
    now = timezone.now()
    newest = ArticleFactory(
        headline="Newest: gut cells rebuild",
        standfirst="Cells marked by L1CAM repair the gut lining.",
        section=health,
        tags=["cancer", "cell biology"],
        published_at=now - timedelta(hours=1),
    )
    newest.hero_image.save("hero.png", ContentFile(png_bytes()), save=True)
    middle = ArticleFactory(headline="Middle: a hazy planet", section=space, tags=["exoplanets"])
    middle.published_at = now - timedelta(hours=5)
    middle.save()
    oldest = ArticleFactory(
        headline="Oldest: rivers and plastic", section=health, published_at=now - timedelta(days=2)
    )
    BylineFactory(article=newest, author=writer, position=0)
    BylineFactory(article=middle, author=other, position=0)
    BylineFactory(article=oldest, author=writer, position=0)
    BylineFactory(article=oldest, author=other, position=1)
    ArticleFactory(headline="Draft never in feeds", draft=True, section=health, tags=["cancer"])
    ArticleFactory(headline="Scheduled story", section=health, published_at=now + timedelta(hours=3))
    return {"newest": newest, "middle": middle, "oldest": oldest, "writer": writer, "health": health}


class TestLatest:
    @pytest.mark.parametrize("name", FEEDS)
    def test_entries_newest_first_without_unpublished(self, client, newsroom, name):
        feed = read_feed(client, reverse(f"articles:{name}"))
        assert [entry.title for entry in feed.entries] == [
            "Newest: gut cells rebuild",
            "Middle: a hazy planet",
            "Oldest: rivers and plastic",
        ]
        assert feed.feed.title == "Newsroom: latest stories"

    @pytest.mark.parametrize("name", FEEDS)
    def test_entry_fields(self, client, newsroom, name):
        entry = read_feed(client, reverse(f"articles:{name}")).entries[0]
        article = newsroom["newest"]
        assert entry.link == f"http://testserver{article.get_absolute_url()}"
        assert entry.summary == "Cells marked by L1CAM repair the gut lining."
        assert entry.author == "Priya Raman"
        assert {tag.term for tag in entry.tags} == {"Health", "cancer", "cell biology"}
        enclosure = entry.enclosures[0]
        assert enclosure.href == f"http://testserver{article.hero_image.url}"
        assert enclosure.type == "image/png"
        assert int(enclosure.length) == article.hero_image.size > 0
        assert entry.published_parsed[:5] == article.published_at.utctimetuple()[:5]

    def test_two_authors_named(self, client, newsroom):
        entry = read_feed(client, reverse("articles:feed-rss")).entries[2]
        assert entry.author == "Priya Raman, Tomás Ortega"

    @pytest.mark.parametrize("name", FEEDS)
    def test_query_budget_constant_in_stories(self, client, name, django_assert_max_num_queries):
        authors = AuthorFactory.create_batch(3)
        for _ in range(30):
            article = ArticleFactory(tags=["a", "b", "c"])
            for position, author in enumerate(authors):
                BylineFactory(article=article, author=author, position=position)
        # Stories, bylines with authors, tags, references: one query each, however many stories.
        with django_assert_max_num_queries(4):
            feed = read_feed(client, reverse(f"articles:{name}"))
        assert len(feed.entries) == 30

    def test_control_characters_do_not_break_the_feed(self, client):
        ArticleFactory(headline="Bad\x0bheadline\x1f", standfirst="Form\x0cfeed")
        for name in FEEDS:
            entry = read_feed(client, reverse(f"articles:{name}")).entries[0]
            assert entry.title == "Badheadline"
            assert entry.summary == "Formfeed"

    def test_markup_in_headline_is_text(self, client):
        ArticleFactory(headline="<script>alert(1)</script> & more")
        response = client.get(reverse("articles:feed-rss"))
        assert b"<script>" not in response.content
        assert feedparser.parse(response.content).entries[0].title == "<script>alert(1)</script> & more"


class TestFiltered:
    @pytest.mark.parametrize("fmt", ["rss", "atom"])
    def test_section(self, client, newsroom, fmt):
        feed = read_feed(client, reverse(f"articles:section-{fmt}", kwargs={"slug": "health"}))
        assert [entry.title for entry in feed.entries] == [
            "Newest: gut cells rebuild",
            "Oldest: rivers and plastic",
        ]
        assert feed.feed.title == "Newsroom: Health"

    @pytest.mark.parametrize("fmt", ["rss", "atom"])
    def test_tag(self, client, newsroom, fmt):
        feed = read_feed(client, reverse(f"articles:tag-{fmt}", kwargs={"slug": "cancer"}))
        assert [entry.title for entry in feed.entries] == ["Newest: gut cells rebuild"]

    @pytest.mark.parametrize("fmt", ["rss", "atom"])
    def test_author(self, client, newsroom, fmt):
        slug = newsroom["writer"].slug
        feed = read_feed(client, reverse(f"articles:author-{fmt}", kwargs={"slug": slug}))
        assert [entry.title for entry in feed.entries] == [
            "Newest: gut cells rebuild",
            "Oldest: rivers and plastic",
        ]

    @pytest.mark.parametrize("kind", ["section", "tag", "author"])
    def test_unknown_slug_is_404(self, client, kind):
        assert client.get(reverse(f"articles:{kind}-rss", kwargs={"slug": "nope"})).status_code == 404

    def test_list_pages_advertise_their_feeds(self, client, newsroom):
        html = client.get(newsroom["health"].get_absolute_url()).content.decode()
        assert 'type="application/rss+xml" title="Newsroom: Health (RSS)" href="/section/health/rss/"' in html
        assert 'href="/section/health/atom/"' in html
