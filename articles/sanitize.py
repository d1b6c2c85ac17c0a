"""The one allow-list of article markup, applied with nh3 to every body that reaches the database."""

import nh3

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "a", "em", "strong", "i", "b", "sub", "sup", "blockquote", "cite", "q",
    "ul", "ol", "li", "figure", "figcaption", "img", "hr", "code", "pre", "abbr", "table", "thead",
    "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "type"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(html):
    """Reduce untrusted HTML to article markup: scripts, styles, event handlers and odd URLs go."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_web_citations_only,
    ).strip()


def _web_citations_only(tag, attribute, value):
    """A quotation's source is a web page: nh3 does not check `cite` against URL_SCHEMES."""
    if attribute == "cite" and not value.strip().lower().startswith(("http://", "https://")):
        return None
    return value


def strip_tags(html):
    """Plain text from HTML, for teasers, meta descriptions and reading time."""
    if not html:
        return ""
    return nh3.clean(html, tags=set(), attributes={}).strip()
