"""Plain-text stories in the desk's layout (an example: tests/fixtures/samples/metastasis-origins.txt).

First non-empty line: headline. Blank lines separate paragraphs; the first paragraph is the standfirst.
A paragraph starting ``Reference:``/``References:`` (and any reference-like paragraphs after it) becomes
structured citations; trailing “Continue reading”/“Read more” lines are dropped. Quotations stay in the
body and are also extracted, with their speakers, as Quotes.
"""

import re
from html import escape

from django.utils.text import slugify

from ..extraction.quotes import extract_quotes
from ..extraction.references import LABEL, parse_reference, parse_references
from ..models import Article
from .story import ArticleImportError, Story, decode_utf8

HEADLINE_LIMIT = Article._meta.get_field("headline").max_length
STANDFIRST_LIMIT = Article._meta.get_field("standfirst").max_length
BOILERPLATE = re.compile(
    r"^(?:continue reading|read more|read the full (?:story|article)|click here to read more)\W*$",
    re.IGNORECASE,
)


def parse(source):
    text = decode_utf8(source)
    headline, headline_line, paragraphs = _split(text)
    if headline is None:
        raise ArticleImportError(source.label, "no headline: the file has no text")
    if len(headline) > HEADLINE_LIMIT:
        raise ArticleImportError(
            source.label,
            f"headline is {len(headline)} characters long; the limit is {HEADLINE_LIMIT}",
            where=headline_line,
        )
    while paragraphs and BOILERPLATE.match(paragraphs[-1][0]):
        paragraphs.pop()
    citations, kept = [], []
    in_references = False
    for paragraph, lines in paragraphs:
        if LABEL.match(paragraph):
            in_references = True
            citations += parse_references("\n".join(lines))
        elif in_references and _looks_like_reference(paragraph):
            citations += parse_references("\n".join(lines))
        else:
            in_references = False
            kept.append(paragraph)
    standfirst = ""
    if kept and len(kept[0]) <= STANDFIRST_LIMIT:
        standfirst = kept.pop(0)
    yield Story(
        format="text",
        path=source.label,
        where=headline_line,
        external_id=_external_id(source, headline),
        headline=headline,
        standfirst=standfirst,
        body="".join(f"<p>{escape(paragraph, quote=False)}</p>" for paragraph in kept),
        quotes=extract_quotes([standfirst, *kept] if standfirst else kept),
        citations=citations,
        base_dir=source.base_dir,
    )


def _external_id(source, headline):
    """File name and headline: two files that share a headline are two stories, and editing a body keeps its id."""
    stem = slugify(source.path.stem if source.path else "stdin", allow_unicode=True)[:100]
    return f"text:{stem}/{slugify(headline, allow_unicode=True)}"[:255]


def _split(text):
    """(headline, its line number, [(paragraph text, its lines)])."""
    headline = headline_line = None
    paragraphs, current = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if headline is None:
            if line:
                headline, headline_line = " ".join(line.split()), number
            continue
        if line:
            current.append(line)
        elif current:
            paragraphs.append((" ".join(current), current))
            current = []
    if current:
        paragraphs.append((" ".join(current), current))
    return headline, headline_line, paragraphs


def _looks_like_reference(paragraph):
    citation = parse_reference(paragraph)
    return bool(citation["authors"] or citation["doi"] or citation["journal"])
