"""The one allow-list of article markup, applied with nh3 to every body that reaches the database."""

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "h5", "h6", "a", "em", "strong", "i", "b", "sub", "sup", "blockquote", "cite",
    "q", "ul", "ol", "li", "dl", "dt", "dd", "figure", "figcaption", "img", "hr", "code", "pre", "kbd", "samp",
    "abbr", "del", "ins", "address", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr",
    "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "type"},
    "blockquote": {"cite"},
    "del": {"datetime"},
    "ins": {"datetime"},
    "col": {"span"},
    "colgroup": {"span"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# html5ever never nests links, so a link's content runs to the first </a>.
LINK_WITHOUT_HREF = re.compile(r"<a\b(?![^>]*\shref=)[^>]*>([\s\S]*?)</a>")


def clean_html(html):
    """Reduce untrusted HTML to article markup: scripts, styles, event handlers and odd URLs go."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_web_citations_only,
    )
    # A link whose address was missing or refused is only its text: nh3 would leave <a rel=…>, which is invalid.
    return LINK_WITHOUT_HREF.sub(r"\1", cleaned).strip()


def _web_citations_only(tag, attribute, value):
    """A quotation's source is a web page: nh3 does not check `cite` against URL_SCHEMES."""
    if attribute == "cite" and not value.strip().lower().startswith(("http://", "https://")):
        return None
    return value


def strip_tags(markup):
    """Plain text from HTML, for teasers, meta descriptions and reading time: entities decoded (“&amp;” is
    “&”), so templates escape it once, as they do any text."""
    if not markup:
        return ""
    return html.unescape(nh3.clean(markup, tags=set(), attributes={})).strip()
