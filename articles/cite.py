"""A story's references, and the story itself, as files reference managers import: BibTeX, RIS and CSL-JSON.

Each reference's kind picks its type in every format (BibTeX entry type, RIS ``TY``, CSL ``type``), so a WHO
report is filed as a report and a bioRxiv preprint as a preprint. Three rules hold in all three formats:
- a name is a person (family, given) or an organisation, exported whole and never split into parts;
- a shortened author list says so (BibTeX ``and others``, a final CSL ``{"literal": "others"}``, a RIS note);
- capitals that carry meaning (L1CAM, mRNA, CRISPR-Cas9) are protected from a style's case changes.
"""

import html
import json
import re

import bibtexparser
import rispy
from anyascii import anyascii
from bibtexparser.model import Entry, Field
from django.conf import settings

from .models.citation import Kind, Name

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "RIS"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "CSL-JSON"),
}

# kind → (BibTeX entry type, field holding the container, RIS TY, RIS container tag, CSL type, CSL container)
TYPES = {
    Kind.JOURNAL_ARTICLE: ("article", "journal", "JOUR", "journal_name", "article-journal", "container-title"),
    Kind.PREPRINT: ("misc", "howpublished", "UNPB", "secondary_title", "article", "container-title"),
    Kind.BOOK: ("book", "publisher", "BOOK", "publisher", "book", "publisher"),
    Kind.CHAPTER: ("incollection", "booktitle", "CHAP", "secondary_title", "chapter", "container-title"),
    Kind.REPORT: ("techreport", "institution", "RPRT", "publisher", "report", "publisher"),
    Kind.CONFERENCE_PAPER: (
        "inproceedings", "booktitle", "CPAPER", "secondary_title", "paper-conference", "container-title",
    ),
    Kind.DATASET: ("misc", "howpublished", "DATA", "publisher", "dataset", "publisher"),
    Kind.OTHER: ("misc", "howpublished", "GEN", "secondary_title", "document", "container-title"),
}  # fmt: skip
# BibTeX has no preprint or dataset type; the note keeps what the work is for readers of the file.
BIBTEX_NOTES = {Kind.PREPRINT: "Preprint", Kind.DATASET: "Dataset"}

# Characters XML, RIS lines and LaTeX cannot carry: C0 controls (tab and newline fold to spaces first).
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIAL = re.compile("|".join(re.escape(char) for char in _LATEX_SPECIALS))


def one_line(value):
    """The value on one line with no control characters: a newline ends a RIS tag, a NUL ends everything."""
    return " ".join(_CONTROLS.sub(" ", str(value)).split())


def _carries_case(word):
    """A word whose capitals carry meaning: a capital after its first letter or digit (L1CAM, mRNA, iPSC,
    CRISPR-Cas9, dual-RNA-guided, COVID-19). A word capitalised only at its start is left to the style."""
    letters = word.lstrip("([{\"'“‘")
    return any(char.isupper() for char in letters[1:])


def case_pieces(title):
    """The title as (text, protected) pieces: protected pieces are words whose capitals carry meaning."""
    pieces = []
    for word in re.split(r"(\s+)", one_line(title)):
        protected = _carries_case(word)
        if pieces and pieces[-1][1] == protected:
            pieces[-1] = (pieces[-1][0] + word, protected)
        else:
            pieces.append((word, protected))
    # Keep spaces outside protection, so "{L1CAM} defines" rather than "{L1CAM }defines".
    return [piece for piece in pieces if piece[0]]


def rich_title(title, escape=False):
    """The title as CSL rich text: case-carrying words in ``<span class="nocase">`` (the form citeproc-js,
    pandoc and citeproc-py honour). With `escape`, the text is HTML-escaped too, for a renderer that passes
    values through unescaped."""
    out = []
    for text, protected in case_pieces(title):
        if escape:
            text = html.escape(text, quote=False)
        if protected:
            stripped = text.rstrip()
            text = f'<span class="nocase">{stripped}</span>{text[len(stripped) :]}'
        out.append(text)
    return "".join(out)


# Keys


def citation_keys(citations):
    """{citation pk: key} for one story's references: “ganesh2020”, ASCII by transliteration (Nießner →
    niessner), with a, b, … added where two would collide (“ganesh2020a”, “ganesh2020b”)."""
    bases = {citation.pk: _key_base(citation) for citation in citations}
    counts = {}
    for base in bases.values():
        counts[base] = counts.get(base, 0) + 1
    seen, keys = {}, {}
    for pk, base in bases.items():
        if counts[base] == 1:
            keys[pk] = base
        else:
            seen[base] = seen.get(base, 0) + 1
            keys[pk] = f"{base}{_letters(seen[base])}"
    return keys


def _key_base(citation):
    names = citation.names
    head = names[0].family if names else citation.journal or "ref"
    if names and names[0].is_organisation:
        head = "".join(word[0] for word in head.split() if word[:1].isalnum()) or head
    ascii_head = re.sub(r"[^a-z0-9]", "", anyascii(head).lower())[:30] or "ref"
    return f"{ascii_head}{citation.year or ''}"


def _letters(n):
    letters = ""
    while n:
        n, remainder = divmod(n - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters


def citation_key(citation):
    """The key this reference has among its story's references."""
    siblings = (
        list(type(citation).objects.filter(article_id=citation.article_id)) if citation.article_id else []
    )
    siblings = siblings or [citation]
    return citation_keys(siblings).get(citation.pk) or _key_base(citation)


# BibTeX


def latex_text(value):
    """Text safe in a braced BibTeX value for biber and for classic BibTeX with LaTeX: specials escaped,
    straight double quotes as LaTeX quotes (a bare " is active under babel's German and others)."""
    return _latex_escape(one_line(value))


def _latex_escape(text):
    text = _LATEX_SPECIAL.sub(lambda match: _LATEX_SPECIALS[match.group()], text)
    return re.sub(r'(^|[\s(\[{])"', r"\1``", text).replace('"', "''")


def bibtex_title(title):
    pieces = []
    for text, protected in case_pieces(title):
        if protected:
            stripped = text.rstrip()
            pieces.append(f"{{{_latex_escape(stripped)}}}{text[len(stripped) :]}")
        else:
            pieces.append(_latex_escape(text))
    return "".join(pieces)


def bibtex_name(name):
    if name.is_organisation or " and " in f" {name.family.lower()} ":
        # Braced whole, so "World Health Organization" is not read as "Organization, World Health".
        person = f"{{{latex_text(name.family)}}}"
    else:
        person = latex_text(name.family)
    return f"{person}, {latex_text(name.given)}" if name.given else person


def _write_bibtex(entry_type, key, fields):
    library = bibtexparser.Library()
    library.add(Entry(entry_type, key, [Field(name, value) for name, value in fields.items() if value]))
    return bibtexparser.write_string(library)


def to_bibtex(citation, key=None):
    entry_type, container, *_ = TYPES[Kind(citation.kind)]
    authors = [bibtex_name(name) for name in citation.names]
    if citation.et_al:
        authors.append("others")
    fields = {
        "author": " and ".join(authors),
        "title": bibtex_title(citation.title),
        container: latex_text(citation.journal),
        "volume": latex_text(citation.volume),
        "number": latex_text(citation.issue),
        "pages": latex_text(citation.page_range("--")),
        "year": citation.year or "",
        "doi": latex_text(citation.doi),
        "url": latex_text(citation.url),
        "pmid": latex_text(citation.pmid),
        "note": BIBTEX_NOTES.get(citation.kind, ""),
    }
    return _write_bibtex(entry_type, key or citation_key(citation), fields)


# RIS


class _RisWriter(rispy.RisWriter):
    """RIS as reference managers expect it: each record starts with its TY line (no numbered header)."""

    def set_header(self, count):
        return ""


def _ris(record):
    text = rispy.dumps([{key: value for key, value in record.items() if value}], implementation=_RisWriter)
    return text.lstrip("\n")


def to_ris(citation, key=None):
    _, _, ris_type, container, *_ = TYPES[Kind(citation.kind)]
    record = {
        "type_of_reference": ris_type,
        "authors": [one_line(name) for name in citation.names],
        "title": one_line(citation.title),
        container: one_line(citation.journal),
        "volume": one_line(citation.volume),
        "number": one_line(citation.issue),
        "start_page": one_line(citation.first_page or citation.article_number),
        "end_page": one_line(citation.last_page),
        "year": str(citation.year or ""),
        "doi": one_line(citation.doi),
        "urls": [one_line(url) for url in [citation.url or citation.doi_url] if url],
    }
    if citation.et_al:
        record["notes"] = ["Author list shortened (et al.)."]
    return _ris(record)


# CSL-JSON


def csl_name(name):
    if name.is_organisation:
        return {"literal": one_line(name.family)}
    return (
        {"family": one_line(name.family), "given": one_line(name.given)}
        if name.given
        else {"family": one_line(name.family)}
    )


def csl_item(citation, key=None):
    """One CSL-JSON item (the format Zotero, Mendeley, pandoc and citeproc read)."""
    *_, csl_type, container = TYPES[Kind(citation.kind)]
    authors = [csl_name(name) for name in citation.names]
    if citation.et_al:
        # The form pandoc and citeproc-js print as "et al."; without it the file claims a complete list.
        authors.append({"literal": "others"})
    item = {
        "id": key or citation_key(citation),
        "type": csl_type,
        "title": rich_title(citation.title),
        "author": authors,
        container: one_line(citation.journal),
        "volume": one_line(citation.volume),
        "issue": one_line(citation.issue),
        "page": one_line(citation.page_range("-")),
        "DOI": one_line(citation.doi),
        "URL": one_line(citation.url or citation.doi_url),
        "PMID": one_line(citation.pmid),
    }
    if citation.year:
        item["issued"] = {"date-parts": [[citation.year]]}
    return {key: value for key, value in item.items() if value}


def to_csl_json(citation, key=None):
    return json.dumps([csl_item(citation, key)], ensure_ascii=False, indent=2)


WRITERS = {"bib": to_bibtex, "ris": to_ris, "json": to_csl_json}


def export(citation, fmt):
    """(text, content type, file name) for a download, or KeyError for an unknown format."""
    content_type, _label = FORMATS[fmt]
    key = citation_key(citation)
    return WRITERS[fmt](citation, key), content_type, f"{key}.{fmt}"


# The story itself, as a newspaper article with the site as its container


def story_names(article):
    """The story's bylines as Names; a story with no byline is by the publication."""
    names = []
    for author in article.byline_authors:
        given, _, family = author.name.rpartition(" ")
        names.append(Name(family=family, given=given) if given else Name(family=family, is_organisation=True))
    return names or [Name(family=settings.SITE_NAME, is_organisation=True)]


def _story_key(article):
    names = story_names(article)
    head = re.sub(r"[^a-z0-9]", "", anyascii(names[0].family).lower())[:30] or "story"
    return f"{head}{article.published_at.year if article.published_at else ''}"


def story_bibtex(article, url):
    published = article.published_at
    fields = {
        "author": " and ".join(bibtex_name(name) for name in story_names(article)),
        "title": bibtex_title(article.headline),
        "journal": latex_text(settings.SITE_NAME),
        "year": published.year if published else "",
        "month": published.month if published else "",
        "date": published.date().isoformat() if published else "",
        "url": latex_text(url),
        "note": "News article",
    }
    return _write_bibtex("article", _story_key(article), fields)


def story_ris(article, url):
    published = article.published_at
    return _ris(
        {
            "type_of_reference": "NEWS",
            "authors": [one_line(name) for name in story_names(article)],
            "title": one_line(article.headline),
            "secondary_title": one_line(settings.SITE_NAME),
            "section": one_line(article.section.name) if article.section else "",
            "year": str(published.year) if published else "",
            "date": published.strftime("%Y/%m/%d") if published else "",
            "urls": [url],
        }
    )


def story_csl_item(article, url):
    published = article.published_at
    item = {
        "id": _story_key(article),
        "type": "article-newspaper",
        "title": rich_title(article.headline),
        "author": [csl_name(name) for name in story_names(article)],
        "container-title": settings.SITE_NAME,
        "section": article.section.name if article.section else "",
        "URL": url,
    }
    if published:
        item["issued"] = {"date-parts": [[published.year, published.month, published.day]]}
    return {key: value for key, value in item.items() if value}


STORY_WRITERS = {
    "bib": story_bibtex,
    "ris": story_ris,
    "json": lambda article, url: json.dumps([story_csl_item(article, url)], ensure_ascii=False, indent=2),
}


def export_story(article, fmt, url):
    """(text, content type, file name) for the story's own citation file."""
    content_type, _label = FORMATS[fmt]
    return STORY_WRITERS[fmt](article, url), content_type, f"{_story_key(article)}.{fmt}"
