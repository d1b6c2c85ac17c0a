"""Help for editors in the admin: the body editor's toolbar, and checking quotes against the body."""

import html
import re
import unicodedata

from django.conf import settings

from .sanitize import clean_html, strip_tags

# The editor offers exactly the markup sanitize.ALLOWED_TAGS keeps, so nothing typed vanishes on save.
BODY_EDITOR_EXTENSIONS = {
    "Heading": {"levels": [2, 3, 4]},
    "Bold": True,
    "Italic": True,
    "Subscript": True,
    "Superscript": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Code": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "SpecialCharacters": True,
    "HTML": True,
}


# The one <style> element the editor (Tiptap, in django-prose-editor 0.28.0) injects: its base rules, among them
# the `white-space: pre-wrap` that keeps typed spaces as spaces. An upgrade that changes it fails the browser
# tests, whose message names the new hash.
EDITOR_STYLE_HASH = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"


def editor_content_security_policy():
    """The site's policy plus the editor's own style element, for the pages with the editor (None: no policy)."""
    if not settings.SECURE_CSP:
        return None
    style_src = settings.SECURE_CSP.get("style-src", settings.SECURE_CSP.get("default-src", []))
    return {**settings.SECURE_CSP, "style-src": [*style_src, EDITOR_STYLE_HASH]}


EMPTY_DOCUMENT = re.compile(r"^(<p>\s*</p>\s*)*$")


def clean_editor_html(value):
    """The editor's HTML through the site's one allow-list; the editor's empty paragraph counts as no body."""
    cleaned = clean_html(value)
    return "" if EMPTY_DOCUMENT.match(cleaned) else cleaned


# Straight and curly quotes, guillemets and primes all count as "a quote mark"; dashes as a hyphen.
QUOTE_MARKS = dict.fromkeys(map(ord, "\"'‘’‚‛“”„‟«»‹›′″`´"), None)
DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")
EDGE_PUNCTUATION = " .,;:!?-…"


def normalise_for_matching(text):
    """Text reduced to what a quote and the body must share: no markup, marks, case or spacing differences."""
    plain = html.unescape(strip_tags(text))
    plain = unicodedata.normalize("NFKC", plain).translate(QUOTE_MARKS).translate(DASHES)
    return " ".join(plain.casefold().split())


def quote_in_body(quote_text, body):
    """Whether the quote's words appear in the body, ignoring markup, quote marks and closing punctuation.

    A quote ending in a full stop is usually followed by “, she said” in the body, so the edges are trimmed.
    """
    needle = normalise_for_matching(quote_text).strip(EDGE_PUNCTUATION)
    return bool(needle) and needle in normalise_for_matching(body)


def quotes_not_in_body(article):
    """The article's quotes whose words are not in its body, in position order."""
    return [
        quote
        for quote in article.quotes.select_related("speaker")
        if not quote_in_body(quote.text, article.body)
    ]
