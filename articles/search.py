"""Site search: PostgreSQL full-text search with ranking and highlighted snippets, icontains elsewhere.

On PostgreSQL the stored `Article.search_vector` (headline A, standfirst B, body and quotes C, English
stemming) is kept current by triggers from migration 0002 and read through its GIN index. SQLite has no
full-text search worth the name here, so it gets a plain fallback that still puts headline matches first.
"""

import html
import json
import re
from datetime import timedelta

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Article

# Long enough for any real query; longer input is cut rather than handed to the parser whole.
MAX_QUERY_LENGTH = 200
MAX_FALLBACK_TERMS = 8
# Snippets: up to two passages of about 20 words around the matches.
SNIPPET_WORDS = 20
SNIPPET_FRAGMENTS = 2
# Ranking reads each candidate's whole search vector, which PostgreSQL keeps out of line (TOAST): for a word in
# much of the archive that is too slow. So results are ranked among the newest MAX_RANKED matches (10 pages).
MAX_RANKED = 200
# Costs per story, in the same unit, of the two ways to find the newest matches (measured with
# bench/bench_search.py): reading a match's row from the GIN index's list, or testing a story's vector while
# walking all stories newest first. Their ratio decides which way is cheaper for the expected number of matches.
ROW_VIA_INDEX_COST = 1
ROW_VIA_VECTOR_COST = 4

# Private-use characters mark the highlights inside the database's snippet, so the text around them can be
# escaped as a whole before the marks become <mark> tags.
MARK_START, MARK_STOP = "\ue000", "\ue001"


class WithoutMarks(Func):
    """The text with our two mark characters deleted, so a story can't carry marks of its own into a snippet."""

    function = "translate"
    output_field = TextField()

    def __init__(self, expression):
        super().__init__(expression, Value(MARK_START + MARK_STOP), Value(""))


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


def wanted_and_unwanted(query):
    """The query's words split as web search reads them: “-word” excludes; “or” and “and” are operators."""
    words = re.findall(r"(?<![\w-])-?\w+", query)[:MAX_FALLBACK_TERMS]
    wanted = [word for word in words if not word.startswith("-") and word.lower() not in {"or", "and"}]
    return wanted, [word[1:] for word in words if word.startswith("-")]


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
    matches = Article.objects.published().filter(search_vector=search_query)
    candidate_ids = list(_newest(matches).values_list("pk", flat=True)[:MAX_RANKED])
    # The candidates came from published() a moment ago; filtering on their ids alone keeps the pager's count
    # an index lookup.
    return (
        Article.objects.for_teasers()
        .filter(pk__in=candidate_ids)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            raw_snippet=SearchHeadline(
                WithoutMarks(Concat("standfirst", Value(" "), PlainText("body"), output_field=TextField())),
                highlight_query(query, search_query),
                config="english",
                start_sel=MARK_START,
                stop_sel=MARK_STOP,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=SNIPPET_FRAGMENTS,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


def highlight_query(query, search_query):
    """Any of the query's wanted words: a story found by its headline must still get its body words marked,
    which the whole query (all words, phrases) would not do in a passage holding only some of them."""
    words, _unwanted = wanted_and_unwanted(query)
    # Only runs of letters and digits reach the raw tsquery, so no input can make it malformed.
    return SearchQuery(" | ".join(words), search_type="raw", config="english") if words else search_query


def _newest(matches):
    """`matches` newest first, read the cheaper way for how many the planner expects.

    Walking the publication-date index stops after MAX_RANKED matches but must test every story's vector on the
    way, so it wins only for common words. Otherwise ordering by an expression that index cannot serve makes
    PostgreSQL take the matches from the GIN index and sort just those.
    """
    published = _estimated_rows(Article.objects.published())
    expected = _estimated_rows(matches)
    via_index = expected * ROW_VIA_INDEX_COST
    via_date_walk = min(published, MAX_RANKED * published / expected) * ROW_VIA_VECTOR_COST
    if via_date_walk < via_index:
        return matches.order_by("-published_at")
    shifted = ExpressionWrapper(F("published_at") + timedelta(0), output_field=DateTimeField())
    return matches.order_by(shifted.desc())


def _estimated_rows(queryset):
    """The planner's row estimate: a planning step, no scan (an exact count of a big archive is not cheap)."""
    (plan,) = json.loads(queryset.explain(format="json"))
    return max(1, plan["Plan"]["Plan Rows"])


def _fallback_search(query):
    """Every wanted word must appear in the headline, standfirst or body and no “-word” may; stories with a
    wanted word in the headline lead."""
    wanted, unwanted = wanted_and_unwanted(query)
    matches = Q()
    headline_hit = Q(pk__in=[])
    for term in wanted:
        matches &= Q(headline__icontains=term) | Q(standfirst__icontains=term) | Q(body__icontains=term)
        headline_hit |= Q(headline__icontains=term)
    for term in unwanted:
        matches &= ~Q(headline__icontains=term) & ~Q(standfirst__icontains=term) & ~Q(body__icontains=term)
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
            raw = _mark_terms(article.teaser_text, wanted_and_unwanted(clean_query(query))[0])
        article.snippet = _render_marks(raw)
    return articles


def _mark_terms(text, terms):
    text = _without_marks(text)
    if not terms:
        return text
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    return pattern.sub(lambda match: f"{MARK_START}{match.group(0)}{MARK_STOP}", text)


def _render_marks(raw):
    """Escape everything the database or the story gave us, then turn only our own marks into tags.

    The marks are read before anything is unescaped: a story's “&#xe000;” becomes the character only after,
    and is then dropped like any other mark character the text holds."""
    tags = {MARK_START: "<mark>", MARK_STOP: "</mark>"}
    pieces = re.split(f"([{MARK_START}{MARK_STOP}])", raw)
    return mark_safe(
        "".join(tags.get(piece) or escape(_without_marks(html.unescape(piece))) for piece in pieces)
    )


def _without_marks(text):
    return text.replace(MARK_START, "").replace(MARK_STOP, "")
