"""JSON-LD, Open Graph, Twitter cards, canonical links, titles and descriptions, as crawlers read them."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from articles.demo import load_demo
from articles.models import Article, Author, Section, Speaker

from .factories import ArticleFactory, CorrectionFactory, QuoteFactory, SpeakerFactory
from .test_feeds import png_bytes

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
SEED = "demo:l1cam-metastasis"


class HeadReader(HTMLParser):
    """Collects <title>, <meta>, <link rel=canonical> and JSON-LD scripts from a page."""

    def __init__(self):
        super().__init__()
        self.title, self.meta, self.canonical, self.json_ld = "", {}, [], []
        self._in_title = self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "meta" and ("name" in attrs or "property" in attrs):
            self.meta.setdefault(attrs.get("name") or attrs["property"], []).append(attrs.get("content"))
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        self._in_title = self._in_title and tag != "title"
        self._in_json_ld = self._in_json_ld and tag != "script"

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._in_json_ld:
            self.json_ld[-1] += data


def read_head(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    reader = HeadReader()
    reader.feed(response.content.decode())
    return reader


@pytest.fixture
def seed_story():
    load_demo()
    return Article.objects.get(external_id=SEED)


def test_seed_story_json_ld_field_by_field(client, seed_story):
    correction = CorrectionFactory(
        article=seed_story, text="An earlier version gave the wrong journal volume.", kind="correction"
    )
    seed_story.refresh_from_db()
    head = read_head(client, seed_story.get_absolute_url())
    assert len(head.json_ld) == 1
    data = json.loads(head.json_ld[0])
    url = f"{BASE}/story/{seed_story.slug}/"
    logo = f"{BASE}/static/img/logo.png"

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Metastasis starts with cells that hijack wound healing, study finds"
    assert data["description"] == seed_story.standfirst
    assert data["url"] == url
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["datePublished"] == seed_story.published_at.isoformat()
    assert data["dateModified"] == seed_story.updated_at.isoformat()
    # The hero's renditions, widest first; the demo draws a 1280-pixel picture.
    hero = seed_story.hero_renditions["hero"]
    assert data["image"] == [f"{BASE}/media/{entry['jpg']}" for entry in reversed(hero)]
    assert [entry["width"] for entry in hero] == [480, 960, 1200, 1280]
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Priya Raman",
            "url": f"{BASE}/author/priya-raman/",
            "jobTitle": "Health correspondent",
        }
    ]
    assert data["publisher"] == {
        "@type": "NewsMediaOrganization",
        "name": "Newsroom",
        "url": f"{BASE}/",
        "logo": {"@type": "ImageObject", "url": logo, "width": 600, "height": 60},
    }
    assert sorted(data["keywords"]) == ["cancer", "cell biology", "metastasis"]
    assert data["articleSection"] == "Health"
    assert data["inLanguage"] == "en-GB"
    assert data["citation"] == [
        {
            "@type": "ScholarlyArticle",
            "name": "L1CAM defines the regenerative origin of metastasis-initiating cells in colorectal cancer",
            "description": "Ganesh, K., Basnet, H., Kaygusuz, Y. et al. L1CAM defines the regenerative origin of "
            "metastasis-initiating cells in colorectal cancer. Nature Cancer 1, 28–45 (2020).",
            "author": [
                {"@type": "Person", "name": "Ganesh, K."},
                {"@type": "Person", "name": "Basnet, H."},
                {"@type": "Person", "name": "Kaygusuz, Y."},
            ],
            "isPartOf": {
                "@type": "PublicationVolume",
                "volumeNumber": "1",
                "isPartOf": {"@type": "Periodical", "name": "Nature Cancer"},
            },
            "pagination": "28–45",
            "datePublished": "2020",
            "identifier": {
                "@type": "PropertyValue",
                "propertyID": "DOI",
                "value": "10.1038/s43018-019-0006-x",
            },
            "sameAs": "https://doi.org/10.1038/s43018-019-0006-x",
        }
    ]
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "Correction: An earlier version gave the wrong journal volume.",
            "datePublished": correction.created_at.isoformat(),
            "url": f"{url}#correction-{correction.pk}",
        }
    ]
    massague = Speaker.objects.get(normalised_name="joan massague")
    ganesh = Speaker.objects.get(normalised_name="karuna ganesh")
    assert data["hasPart"] == [
        {
            "@type": "Quotation",
            "text": "Metastasis looks like tissue regeneration happening in the wrong place.",
            "creator": {
                "@type": "Person",
                "name": "Joan Massagué",
                "url": f"{BASE}{massague.get_absolute_url()}",
                "jobTitle": "oncologist",
                "affiliation": {"@type": "Organization", "name": "Sloan Kettering Institute"},
            },
        },
        {
            "@type": "Quotation",
            "text": "They are no longer the tumour they came from.",
            "creator": {
                "@type": "Person",
                "name": "Karuna Ganesh",
                "url": f"{BASE}{ganesh.get_absolute_url()}",
                "jobTitle": "physician-scientist",
                "affiliation": {"@type": "Organization", "name": "Sloan Kettering Institute"},
            },
        },
    ]


def test_json_ld_cannot_close_its_script(client):
    attack = "</script><script>alert(1)</script>"
    article = ArticleFactory(headline=attack, standfirst=attack)
    QuoteFactory(article=article, text=attack, speaker=SpeakerFactory(name=attack))
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["headline"] == attack
    assert data["hasPart"][0]["creator"]["name"] == attack


def test_social_cards_with_hero_image(client):
    article = ArticleFactory(headline="Bees dance", standfirst="A waggle tells the way.", tags=["bees"])
    article.hero_alt = "A bee on a comb"
    article.hero_image.save("bee.png", ContentFile(png_bytes()), save=True)
    head = read_head(client, article.get_absolute_url())
    # The test picture is narrower than 1200 pixels: its widest rendition stands in.
    image = f"{BASE}/media/{article.hero_renditions['hero'][-1]['jpg']}"
    assert head.meta["og:type"] == ["article"]
    assert head.meta["og:title"] == ["Bees dance"]
    assert head.meta["og:description"] == ["A waggle tells the way."]
    assert head.meta["og:url"] == [f"{BASE}{article.get_absolute_url()}"]
    assert head.meta["og:image"] == [image]
    assert head.meta["og:image:alt"] == ["A bee on a comb"]
    assert head.meta["article:tag"] == ["bees"]
    assert head.meta["twitter:card"] == ["summary_large_image"]
    assert head.meta["twitter:image"] == [image]
    assert json.loads(head.json_ld[0])["image"] == [image]
    assert head.canonical == [f"{BASE}{article.get_absolute_url()}"]
    assert head.title == "Bees dance · Newsroom"


def every_public_page(seed_story):
    speaker = Speaker.objects.first()
    return [
        reverse("articles:home"),
        seed_story.get_absolute_url(),
        Section.objects.get(slug="health").get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "cancer"}),
        Author.objects.get(slug="priya-raman").get_absolute_url(),
        speaker.get_absolute_url(),
        reverse("articles:search"),
        reverse("articles:search") + "?q=metastasis",
        reverse("articles:corrections"),
    ]


def test_every_page_has_title_description_and_canonical(client, seed_story):
    titles, pages = set(), every_public_page(seed_story)
    for url in pages:
        head = read_head(client, url)
        assert head.title.strip().endswith("Newsroom"), url
        titles.add(head.title)
        (description,) = head.meta["description"]
        assert 20 <= len(description) <= 200, url
        (canonical,) = head.canonical
        assert canonical == BASE + url.split("?")[0], url
        assert head.meta["og:url"] == [canonical], url
    assert len(titles) == len(pages)


def test_canonical_keeps_page_number_only(client):
    ArticleFactory.create_batch(21)
    head = read_head(client, "/?page=2&utm_source=x")
    assert head.canonical == [f"{BASE}/?page=2"]
    assert head.title == "Newsroom · page 2"
