"""Property-based guard (Hypothesis): hostile values through every import format and the admin story form.

After each value, no public page, feed, sitemap or admin page answers 5xx, and a refused input leaves every row
count unchanged. The values: strings with control characters, NUL, right-to-left marks, private-use characters
and 10,000 characters; dates from year 1 to 9999 in zones up to ±14 hours; and such strings as tags, slugs,
DOIs and PMIDs. Examples per test: 12 here, 40 with CI=true (the "ci" profile).
"""

import json
import os
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.importers import import_paths
from articles.importers.saver import Options
from articles.models import Article, Status

from .admin_client import inline_management, read_form
from .factories import AuthorFactory, SpeakerFactory
from .importing import row_counts

pytestmark = pytest.mark.django_db

settings.register_profile(
    "default",
    max_examples=12,
    deadline=None,
    database=None,  # no example files in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.register_profile("ci", parent=settings.get_profile("default"), max_examples=40)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")

NASTY = [
    "\x00", "\x0b", "\x0c", "\x1b", "\u202e", "\u200f", "\u2066", "\ue000", "\ue001", "\ufeff", "\ufffe",
    "\ud7ff", "🐋", "١٢٣", "<script>alert(1)</script>", "&#0;", "&#xe000;", "javascript:", "%00", "../",
    "x" * 10_000, " ", "-", "!!!", "'", '"', "\\", "\r\n",
]  # fmt: skip
ZONES = [timezone(timedelta(hours=hours)) for hours in (-14, -9.5, 0, 5.75, 14)]

hostile_text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=12)), max_size=4).map("".join)
hostile_dates = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.sampled_from(ZONES)
    ),
    st.sampled_from([datetime(1, 1, 2, tzinfo=ZONES[-1]), datetime(9999, 12, 30, 23, 59, tzinfo=ZONES[0])]),
)
hostile_doi = st.one_of(hostile_text, hostile_text.map(lambda text: f"10.1234/{text}"))
hostile_pmid = st.one_of(hostile_text, st.sampled_from(["١٢٣", "１２３", "123", "0" * 13]))


def public_pages(client):
    """Every page a reader or a crawler can reach, for what is in the database now."""
    pages = [
        "/", "/robots.txt", "/feeds/rss/", "/feeds/atom/", "/corrections/", "/corrections/feed/", "/sitemap.xml",
        "/sitemap-stories.xml", "/sitemap-tags.xml", "/sitemap-sections.xml", "/sitemap-authors.xml",
        "/news-sitemap.xml",
    ]  # fmt: skip
    for article in Article.objects.prefetch_related("tags"):
        pages.append(article.get_absolute_url())
        pages += [f"/tag/{quote(tag.slug)}/" for tag in article.tags.all()]
        pages.append(f"/search/?q={quote(article.headline[:50])}")
    return pages


def admin_pages():
    pages = ["/admin/articles/article/", "/admin/articles/article/?q=%00", "/admin/taggit/tag/"]
    pages += [f"/admin/articles/article/{pk}/change/" for pk in Article.objects.values_list("pk", flat=True)]
    return pages


def assert_no_server_errors(client, admin_client):
    for page in public_pages(client):
        assert client.get(page).status_code < 500, page
    for page in admin_pages():
        assert admin_client.get(page).status_code < 500, page


@st.composite
def hostile_stories(draw):
    return {
        "headline": draw(hostile_text) or "h",
        "slug": draw(hostile_text),
        "standfirst": draw(hostile_text),
        "body": draw(hostile_text),
        "status": draw(st.sampled_from(["published", "draft", "review"])),
        "published_at": draw(hostile_dates),
        "embargo_until": draw(st.one_of(st.none(), hostile_dates)),
        "tags": draw(st.lists(hostile_text, max_size=3)),
        "quote": draw(hostile_text),
        "speaker": draw(hostile_text),
        "doi": draw(hostile_doi),
        "pmid": draw(hostile_pmid),
        "reference": draw(hostile_text),
    }


def as_json(story):
    return json.dumps(
        [
            {
                "external_id": "hostile",
                "headline": story["headline"],
                "slug": story["slug"],
                "standfirst": story["standfirst"],
                "body": story["body"],
                "status": story["status"],
                "published_at": story["published_at"].isoformat(),
                "embargo_until": story["embargo_until"].isoformat() if story["embargo_until"] else None,
                "tags": story["tags"],
                "quotes": [{"text": story["quote"] or "q", "speaker": {"name": story["speaker"] or "s"}}],
                "citations": [{"title": story["reference"], "doi": story["doi"], "pmid": story["pmid"]}],
            }
        ]
    )


def as_text(story):
    return f"{story['headline']}\n\n{story['standfirst']}\n\n“{story['quote']},” said {story['speaker']}.\n\n{story['body']}\n"


def as_wxr(story):
    moment = (
        story["published_at"].astimezone(UTC) if story["published_at"].year > 1 else story["published_at"]
    )
    tags = "".join(f'<category domain="post_tag"><![CDATA[{tag}]]></category>' for tag in story["tags"])
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/'
        'content/" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Blog</title>'
        f"<link>https://blog.example.org</link><item><title>{escape(story['headline'])}</title>"
        f"<content:encoded><![CDATA[{story['body']}]]></content:encoded><wp:post_id>1</wp:post_id>"
        f"<wp:post_date_gmt>{moment:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt><wp:post_name>{escape(story['slug'])}"
        f"</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>{tags}</item></channel></rss>"
    )


def as_feed(story):
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed</title>'
        f"<link>https://feed.example.org/</link><item><title>{escape(story['headline'])}</title>"
        f"<link>https://feed.example.org/{quote(story['slug'])}</link><guid>hostile</guid>"
        f"<description>{escape(story['body'])}</description>"
        f"<pubDate>{story['published_at']:%a, %d %b %Y %H:%M:%S %z}</pubDate></item></channel></rss>"
    )


FORMATS = {
    "json": (".json", as_json),
    "text": (".txt", as_text),
    "wxr": (".xml", as_wxr),
    "feed": (".rss", as_feed),
}


@pytest.mark.parametrize("kind", sorted(FORMATS))
@given(story=hostile_stories())
def test_hostile_imports(kind, story, tmp_path_factory, client, admin_client):
    extension, write = FORMATS[kind]
    path = tmp_path_factory.mktemp(kind) / f"story{extension}"
    path.write_text(write(story), encoding="utf-8", errors="surrogatepass")
    before = row_counts()
    report = import_paths([str(path)], Options(status=Status.PUBLISHED if kind == "text" else None))
    if report.errors:
        assert row_counts() == before, report.errors
    assert_no_server_errors(client, admin_client)


@given(story=hostile_stories())
def test_hostile_admin_story_form(story, client, admin_client):
    data = read_form(admin_client.get("/admin/articles/article/add/"))
    moment = story["published_at"]
    data.update(
        {
            "headline": story["headline"],
            "slug": story["slug"],
            "standfirst": story["standfirst"],
            "body": story["body"],
            "tags": ", ".join(story["tags"]),
            "status": Status.PUBLISHED if story["status"] == "published" else Status.DRAFT,
            "published_at_0": f"{moment.day:02}/{moment.month:02}/{moment.year:04}",
            "published_at_1": f"{moment:%H:%M:%S}",
            "embargo_until_0": f"{story['embargo_until']:%d/%m/}{story['embargo_until'].year:04}"
            if story["embargo_until"]
            else "",
            "embargo_until_1": "00:00:00" if story["embargo_until"] else "",
            **inline_management("bylines", 1),
            "bylines-0-author": str(AuthorFactory().pk),
            "bylines-0-position": "0",
            **inline_management("quotes", 1),
            "quotes-0-text": story["quote"],
            "quotes-0-speaker": str(SpeakerFactory().pk),
            "quotes-0-position": "0",
            **inline_management("citations", 1),
            "citations-0-title": story["reference"],
            "citations-0-doi": story["doi"],
            "citations-0-pmid": story["pmid"],
            "citations-0-position": "0",
            "citations-0-study_status": "peer_reviewed",
            "citations-0-kind": data.get("citations-__prefix__-kind", "article"),
        }
    )
    before = row_counts()
    response = admin_client.post("/admin/articles/article/add/", data)
    assert response.status_code < 500
    if response.status_code == 200:
        assert {k: v for k, v in row_counts().items() if k not in ("Author", "Speaker")} == {
            k: v for k, v in before.items() if k not in ("Author", "Speaker")
        }
    assert_no_server_errors(client, admin_client)
