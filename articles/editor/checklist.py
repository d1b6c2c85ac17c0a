"""The editorial checklist: what editors ask of a science story before it goes out, computed from the story as
its form stands. Items marked `blocks` are publishing rules (the server refuses to publish until they pass);
the others are advice.

Links are checked for what can be known without fetching them (a server must not fetch addresses typed by a
writer on every keystroke): an empty or malformed address, a scheme readers can't follow, a link to one of our
own stories that doesn't exist.
"""

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils import timezone

from ..editing import normalise_for_matching, quote_in_body
from ..models import Article

# Search engines show about 60 characters of a title; past 70 it is cut.
HEADLINE_MAX = 70
HEADLINE_MIN = 20


@dataclass
class Item:
    label: str
    ok: bool
    blocks: bool = False
    detail: str = ""


class LinkReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")


def broken_links(body):
    """The body's links that can't work, each with the reason."""
    reader = LinkReader()
    reader.feed(body)
    problems, internal_slugs = [], {}
    for href in reader.links:
        href = href.strip()
        if not href:
            problems.append("a link with no address")
            continue
        parts = urlsplit(href)
        if parts.scheme in ("http", "https"):
            if not parts.netloc or " " in href or "." not in parts.netloc:
                problems.append(f"“{href}” is not a complete web address")
        elif parts.scheme == "mailto":
            if "@" not in parts.path:
                problems.append(f"“{href}” has no e-mail address")
        elif parts.scheme:
            problems.append(f"“{href}”: readers can't follow {parts.scheme}: links")
        elif href.startswith("/"):
            try:
                match = resolve(parts.path)
            except Resolver404:
                problems.append(f"“{href}” is no page on this site")
            else:
                if match.url_name == "detail" and match.namespace == "articles":
                    internal_slugs[match.kwargs["slug"]] = href
        elif not href.startswith("#"):
            problems.append(f"“{href}” is missing http:// or https://")
    if internal_slugs:
        found = set(Article.objects.filter(slug__in=internal_slugs).values_list("slug", flat=True))
        problems += [
            f"“{href}” is no story of ours" for slug, href in internal_slugs.items() if slug not in found
        ]
    return problems


def surname(name):
    words = normalise_for_matching(name).split()
    return words[-1] if words else ""


def checklist(story):
    """The checklist for an UnsavedStory (or anything read like one)."""
    article = story.article
    body = article.body or ""
    items = []

    missing_alt = article.image_problems()
    items.append(Item("Alt text for every image", not missing_alt, blocks=True, detail=" ".join(missing_alt)))

    length = len(article.headline.strip())
    items.append(
        Item(
            f"Headline fits search results ({HEADLINE_MIN}–{HEADLINE_MAX} characters)",
            HEADLINE_MIN <= length <= HEADLINE_MAX,
            detail=f"{length} characters.",
        )
    )
    items.append(Item("A standfirst", bool(article.standfirst.strip()), blocks=True))
    items.append(Item("At least one byline", story.bylines.count() > 0, blocks=True))

    plain_body = normalise_for_matching(body)
    for number, quote in enumerate(story.quotes, 1):
        items.append(Item(f"Quote {number} appears in the body as written", quote_in_body(quote.text, body)))
        name = quote.speaker.name
        items.append(
            Item(
                f"Quote {number}'s speaker, {name}, is named in the body", surname(name) in plain_body.split()
            )
        )

    for number, citation in enumerate(story.citations, 1):
        items.append(
            Item(
                f"Reference {number} has a DOI or a title",
                bool(citation.doi.strip() or citation.title.strip()),
                blocks=True,
            )
        )
        items.append(
            Item(
                f"Reference {number} has a DOI, or a journal and year",
                bool(citation.doi.strip() or (citation.journal.strip() and citation.year)),
            )
        )
        items.append(
            Item(f"Reference {number} says whether it was peer-reviewed", bool(citation.study_status))
        )

    embargo = article.embargo_problem(article.published_at or timezone.now())
    items.append(Item("Embargo respected by the publication time", not embargo, blocks=True, detail=embargo))

    links = broken_links(body)
    items.append(Item("No broken links in the body", not links, detail="; ".join(links)))
    return items
