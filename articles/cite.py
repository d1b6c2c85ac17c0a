"""A story's references as files reference managers import: BibTeX, RIS and CSL-JSON.

Each writer takes one `Citation` and returns text. Values are flattened to one line first, because a newline
ends a RIS tag and an unbalanced brace ends a BibTeX value; nothing else in a reference needs changing.
"""

import json
import re

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field
from django.utils.text import slugify

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "RIS"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "CSL-JSON"),
}


def one_line(value):
    return " ".join(str(value).split())


def citation_key(citation):
    """“ganesh2020” style keys: first author's family name and the year, ASCII only."""
    family = citation.authors[0].split(",")[0] if citation.authors else citation.journal or "ref"
    key = slugify(family).replace("-", "") or "ref"
    return f"{key}{citation.year or ''}"


def split_name(name):
    """“Ganesh, K.” → family and given; a name without a comma is kept whole as the family name."""
    family, _, given = name.partition(",")
    return one_line(family), one_line(given)


def to_bibtex(citation):
    authors = [one_line(name) for name in citation.authors]
    if citation.et_al:
        authors.append("others")
    fields = {
        "author": " and ".join(authors),
        "title": citation.title,
        "journal": citation.journal,
        "volume": citation.volume,
        "number": citation.issue,
        "pages": citation.page_range("--"),
        "year": citation.year or "",
        "doi": citation.doi,
        "url": citation.url,
        "pmid": citation.pmid,
    }
    library = bibtexparser.Library()
    library.add(
        Entry(
            "article",
            citation_key(citation),
            [Field(name, _bibtex_value(value)) for name, value in fields.items() if value],
        )
    )
    return bibtexparser.write_string(library)


def _bibtex_value(value):
    # Braces delimit BibTeX values and must balance; a reference never needs them, so they go.
    return re.sub(r"[{}]", "", one_line(value))


def to_ris(citation):
    record = {
        "type_of_reference": "JOUR",
        "authors": [one_line(name) for name in citation.authors],
        "title": one_line(citation.title),
        "journal_name": one_line(citation.journal),
        "volume": one_line(citation.volume),
        "number": one_line(citation.issue),
        "start_page": one_line(citation.first_page or citation.article_number),
        "end_page": one_line(citation.last_page),
        "year": str(citation.year or ""),
        "doi": citation.doi,
        "urls": [citation.url or citation.doi_url] if citation.url or citation.doi_url else [],
    }
    if citation.et_al:
        record["notes"] = ["Author list shortened (et al.)."]
    return rispy.dumps([{key: value for key, value in record.items() if value}])


def csl_item(citation):
    """One CSL-JSON item (the format Zotero, Mendeley and citeproc read)."""
    item = {
        "id": citation_key(citation),
        "type": "article-journal",
        "title": citation.title,
        "author": [_csl_name(name) for name in citation.authors],
        "container-title": citation.journal,
        "volume": citation.volume,
        "issue": citation.issue,
        "page": citation.page_range("-"),
        "DOI": citation.doi,
        "URL": citation.url or citation.doi_url,
        "PMID": citation.pmid,
    }
    if citation.year:
        item["issued"] = {"date-parts": [[citation.year]]}
    return {key: value for key, value in item.items() if value}


def _csl_name(name):
    family, given = split_name(name)
    return {"family": family, "given": given} if given else {"family": family}


def to_csl_json(citation):
    return json.dumps([csl_item(citation)], ensure_ascii=False, indent=2)


WRITERS = {"bib": to_bibtex, "ris": to_ris, "json": to_csl_json}


def export(citation, fmt):
    """(text, content type, file name) for a download, or KeyError for an unknown format."""
    content_type, _label = FORMATS[fmt]
    return WRITERS[fmt](citation), content_type, f"{citation_key(citation)}.{fmt}"
