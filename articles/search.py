"""Site search: PostgreSQL full-text search with ranking and highlighted snippets, icontains elsewhere.

On PostgreSQL the stored `Article.search_vector` (headline A, standfirst B, body and quotes C, English
stemming) is kept current by triggers from migration 0002 and read through its GIN index. SQLite has no
full-text search worth the name here, so it gets a plain fallback that still puts headline matches first.
"""

import html
import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, Func, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Article

# Long enough for any real query; longer input is cut rather than handed to the parser whole.
MAX_QUERY_LENGTH = 200
MAX_FALLBACK_TERMS = 8
SNIPPET_WORDS = 35
# Private-use characters mark the highlights inside the database's snippet, so the text around them can be
# escaped as a whole before the marks become <mark> tags.
MARK_START, MARK_STOP = "\ue000", "\ue001"


class PlainText(Func):
    """The text of stored article HTML, using the same SQL function the search vector is built with."""

    function = "articles_plain_text"
    output_field = TextField()


def clean_query(raw):
    """The query as searched: whitespace collapsed, control characters dropped, at most MAX_QUERY_LENGTH."""
    printable = "".join(ch if ch.isprintable() else " " for ch in raw or "")
    return " ".join(printable.split())[:MAX_QUERY_LENGTH].strip()


def terms_of(query):
    """Words worth matching: runs of letters and digits, so punctuation-only queries have none."""
    return re.findall(r"\w+", query)[:MAX_FALLBACK_TERMS]


def search_articles(query):
    """Published stories matching `query`, best first. Each has a `snippet` attribute or annotation."""
    query = clean_query(query)
    if not terms_of(query):
        return Article.objects.none()
    if connection.vendor == "postgresql":
        return _postgresql_search(query)
    return _fallback_search(query)


def _postgresql_search(query):
    search_query = SearchQuery(query, search_type="websearch", config="english")
    return (
        Article.objects.published()
        .for_teasers()
        .filter(search_vector=search_query)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            raw_snippet=SearchHeadline(
                Concat("standfirst", Value(" "), PlainText("body"), output_field=TextField()),
                search_query,
                config="english",
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=SNIPPET_WORDS,
                min_words=15,
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


def _fallback_search(query):
    """Every term must appear in the headline, standfirst or body; stories with a term in the headline lead."""
    terms = terms_of(query)
    matches = Q()
    headline_hit = Q()
    for term in terms:
        matches &= Q(headline__icontains=term) | Q(standfirst__icontains=term) | Q(body__icontains=term)
        headline_hit |= Q(headline__icontains=term)
    return (
        Article.objects.published()
        .for_teasers()
        .filter(matches)
        .annotate(headline_first=Case(When(headline_hit, then=0), default=1, output_field=IntegerField()))
        .order_by("headline_first", "-published_at", "-pk")
    )


def attach_snippets(articles, query):
    """Give each article on the page a safe `snippet` with the matched words in <mark>."""
    for article in articles:
        raw = getattr(article, "raw_snippet", None)
        if raw is None:
            raw = _mark_terms(article.teaser_text, terms_of(clean_query(query)))
        article.snippet = _render_marks(raw)
    return articles


def _mark_terms(text, terms):
    if not terms:
        return text
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    return pattern.sub(lambda match: f"{MARK_START}{match.group(0)}{MARK_STOP}", text)


def _render_marks(raw):
    """Escape everything the database or the story gave us, then turn only our own marks into tags."""
    text = escape(html.unescape(raw))
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))
