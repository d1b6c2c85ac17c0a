"""Sitemaps, the Google News sitemap and robots.txt, parsed as XML and text."""

from datetime import timedelta

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from django.utils import timezone

from .factories import ArticleFactory, AuthorFactory, BylineFactory, SectionFactory

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
BASE = "http://testserver"


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return [loc.text for loc in root.iterfind(".//sm:loc", NS)]


@pytest.fixture
def stories():
    now = timezone.now()
    live_section, empty_section = SectionFactory(slug="health"), SectionFactory(slug="empty")
    author, idle_author = AuthorFactory(slug="priya"), AuthorFactory(slug="idle")
    fresh = ArticleFactory(headline="Fresh & new", section=live_section, tags=["cancer"])
    old = ArticleFactory(section=live_section, published_at=now - timedelta(days=3))
    draft = ArticleFactory(draft=True, section=empty_section, tags=["secret"])
    BylineFactory(article=fresh, author=author)
    BylineFactory(article=draft, author=idle_author)
    return {"fresh": fresh, "old": old, "draft": draft}


def test_index_lists_every_sitemap(client, stories):
    assert set(locations(client, reverse("sitemap-index"))) == {
        f"{BASE}/sitemap-{name}.xml" for name in ("stories", "sections", "tags", "authors")
    }


def test_stories_are_the_published_ones(client, stories, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        urls = locations(client, "/sitemap-stories.xml")
    assert sorted(urls) == sorted(f"{BASE}{stories[key].get_absolute_url()}" for key in ("fresh", "old"))


def test_sections_tags_authors_only_with_published_stories(client, stories, django_assert_max_num_queries):
    expected = {
        "sections": [f"{BASE}/section/health/"],
        "tags": [f"{BASE}/tag/cancer/"],
        "authors": [f"{BASE}/author/priya/"],
    }
    for name, urls in expected.items():
        with django_assert_max_num_queries(2):
            assert locations(client, f"/sitemap-{name}.xml") == urls


def test_index_query_budget(client, django_assert_max_num_queries):
    for _ in range(5):
        BylineFactory(article=ArticleFactory(tags=["a", "b"]))
    with django_assert_max_num_queries(8):
        assert len(locations(client, reverse("sitemap-index"))) == 4


def test_news_sitemap_has_the_last_48_hours(client, stories, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("news-sitemap"))
    root = ElementTree.fromstring(response.content)
    entries = root.findall("sm:url", NS)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext("sm:loc", namespaces=NS) == f"{BASE}{stories['fresh'].get_absolute_url()}"
    assert entry.findtext("news:news/news:title", namespaces=NS) == "Fresh & new"
    assert entry.findtext("news:news/news:publication/news:name", namespaces=NS) == "Newsroom"
    assert entry.findtext("news:news/news:publication/news:language", namespaces=NS) == "en"
    published = entry.findtext("news:news/news:publication_date", namespaces=NS)
    assert published == timezone.localtime(stories["fresh"].published_at).replace(microsecond=0).isoformat()


def test_news_sitemap_survives_control_characters(client):
    ArticleFactory(headline="Odd\x0bheadline <b>")
    root = ElementTree.fromstring(client.get(reverse("news-sitemap")).content)
    assert root.findtext("sm:url/news:news/news:title", namespaces=NS) == "Oddheadline <b>"


def test_robots_points_to_the_sitemaps(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert f"Sitemap: {BASE}/news-sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "User-agent: *" in lines
