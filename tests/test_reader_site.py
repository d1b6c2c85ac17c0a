"""The reader site's parts: front page layout, section navigation, bylines, pull quotes, sharing, icons, size."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.urls import reverse

from articles.demo import load_demo
from articles.models import Article, Section

from .factories import ArticleFactory, BylineFactory, QuoteFactory, SectionFactory, SpeakerFactory
from .test_images import landscape_jpeg

pytestmark = pytest.mark.django_db

ARTICLE_PAGE_BUDGET = 40_000  # bytes of HTML and CSS, before compression


def json_ld(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_story_without_byline_is_the_publications(client, settings):
    settings.SITE_NAME = "The Lab Desk"
    story = ArticleFactory()
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<span class="staff">The Lab Desk staff</span>' in html
    assert json_ld(html)["author"] == [
        {"@type": "Organization", "name": "The Lab Desk", "url": "http://testserver/"}
    ]
    assert "By The Lab Desk staff" in client.get("/").content.decode()


def test_bylined_story_names_people_not_the_publication(client):
    byline = BylineFactory()
    html = client.get(byline.article.get_absolute_url()).content.decode()
    assert "staff</span>" not in html
    assert [author["@type"] for author in json_ld(html)["author"]] == ["Person"]


def test_section_links_are_read_from_the_cache_and_follow_renames(client, django_assert_max_num_queries):
    health = SectionFactory(name="Health", slug="health")
    story = ArticleFactory(section=health)
    # Two queries for the list page (count and stories) and one for bylines; none for the header's sections.
    with django_assert_max_num_queries(3):
        html = client.get("/").content.decode()
    assert '<a href="/section/health/">Health</a>' in html
    health.name = "Medicine"
    health.save()
    html = client.get(story.get_absolute_url()).content.decode()
    assert '<a href="/section/health/">Medicine</a>' in html
    health.delete()
    assert "/section/health/" not in client.get("/").content.decode()


def test_current_section_is_marked(client):
    section = SectionFactory(name="Space", slug="space")
    html = client.get(section.get_absolute_url()).content.decode()
    assert '<a href="/section/space/" aria-current="page">Space</a>' in html


def test_front_page_shows_every_story_once_lead_first(client):
    space, health = SectionFactory(name="Space"), SectionFactory(name="Health")
    stories = [ArticleFactory(section=space if n % 2 else health) for n in range(12)]
    html = client.get("/").content.decode()
    newest = Article.objects.published()[0]
    lead = html[html.index('class="teaser teaser-lead"') :]
    assert lead[: lead.index("</article>")].count(newest.headline) == 1
    for story in stories:
        assert html.count(f'<a href="{story.get_absolute_url()}">') == 1
    assert '<h2 class="rail-heading" id="rail-1"><a href="' in html


def test_page_one_is_linked_as_the_bare_list(client):
    ArticleFactory.create_batch(21)
    html = client.get("/?page=2").content.decode()
    assert '<a href="/" rel="prev">' in html
    SectionFactory(slug="ocean")
    results = client.get(reverse("articles:search") + "?q=science&page=2").content.decode()
    assert '<a href="/search/?q=science" rel="prev">' in results
    assert "page=1" not in html + results


def test_error_pages_have_no_canonical_link(client):
    response = client.get("/story/no-such-story/")
    assert response.status_code == 404
    assert 'rel="canonical"' not in response.content.decode()


def test_icons_and_manifest(client):
    html = client.get("/").content.decode()
    assert 'rel="apple-touch-icon"' in html and 'rel="manifest" href="/site.webmanifest"' in html
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 302 and favicon["Location"].endswith("img/favicon.ico")
    manifest = client.get("/site.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["name"] == "Newsroom"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon


def test_share_image_is_the_1200_pixel_rendition(client):
    story = ArticleFactory(hero_alt="A whale")
    story.hero_image.save("whale.jpg", ContentFile(landscape_jpeg()), save=True)
    html = client.get(story.get_absolute_url()).content.decode()
    wide = next(entry for entry in story.hero_renditions["hero"] if entry["width"] == 1200)
    url = f"http://testserver/media/{wide['jpg']}"
    assert f'<meta property="og:image" content="{url}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert f'<meta name="twitter:image" content="{url}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert json_ld(html)["image"][1] == url  # after the 1600-pixel one


def test_flagged_pull_quote_stands_beside_its_words_once():
    story = ArticleFactory(body="<p>One.</p><p>“Cells borrow repair kits,” she said.</p><p>Three.</p>")
    speaker = SpeakerFactory(name="Ana Lima")
    QuoteFactory(
        article=story, speaker=speaker, text="Cells borrow repair kits.", is_pull_quote=True, position=0
    )
    QuoteFactory(article=story, speaker=speaker, text="Not pulled.", position=1)
    blocks = Article.objects.for_detail().get(pk=story.pk).body_blocks
    assert [block.html for block in blocks] == [
        "<p>One.</p>",
        "<p>“Cells borrow repair kits,” she said.</p>",
        "<p>Three.</p>",
    ]
    assert [(block.pull_quote is not None, block.echoes_body) for block in blocks] == [
        (False, False),
        (True, True),
        (False, False),
    ]


def test_pull_quote_not_in_the_body_is_read_aloud(client):
    story = ArticleFactory(body="<p>One.</p><p>Two.</p><p>Three.</p>")
    QuoteFactory(article=story, text="Words said only to us.", is_pull_quote=True)
    html = client.get(story.get_absolute_url()).content.decode()
    assert html.count("Words said only to us.") == 2  # the pull quote, and the JSON-LD
    assert '<figure class="pull-quote">' in html
    assert html.index("<p>One.</p>") < html.index('<figure class="pull-quote">') < html.index("<p>Two.</p>")


def test_article_page_html_and_css_stay_small(client):
    load_demo()
    story = Article.objects.get(external_id="demo:l1cam-metastasis")
    html = client.get(story.get_absolute_url()).content
    with open(finders.find("css/site.css"), "rb") as css:
        size = len(html) + len(css.read())
    assert size < ARTICLE_PAGE_BUDGET, size


def test_demo_has_sections_pictures_and_a_pull_quote():
    load_demo()
    assert Section.objects.count() >= 4
    stories = Article.objects.published()
    assert sum(1 for story in stories if story.hero_picture) >= 6
    assert any(quote.is_pull_quote for story in stories for quote in story.quotes.all())
    assert any(not story.bylines.exists() for story in stories)
    assert load_demo() == 0  # a second load changes nothing it need not
