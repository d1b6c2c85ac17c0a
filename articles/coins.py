"""COinS: each reference as an OpenURL ContextObject in a ``span.Z3988``, so Zotero's and similar browser
connectors offer to save the cited papers from the story page (https://en.wikipedia.org/wiki/COinS)."""

from urllib.parse import urlencode

from .cite import one_line
from .models.citation import Kind

JOURNAL, BOOK = "info:ofi/fmt:kev:mtx:journal", "info:ofi/fmt:kev:mtx:book"
# kind → (metadata format, genre): OpenURL has journal and book formats, each with its own genres.
GENRES = {
    Kind.JOURNAL_ARTICLE: (JOURNAL, "article"),
    Kind.PREPRINT: (JOURNAL, "preprint"),
    Kind.BOOK: (BOOK, "book"),
    Kind.CHAPTER: (BOOK, "bookitem"),
    Kind.REPORT: (BOOK, "report"),
    Kind.CONFERENCE_PAPER: (BOOK, "proceeding"),
    Kind.DATASET: (BOOK, "document"),
    Kind.OTHER: (BOOK, "document"),
}


def context_object(citation):
    """The reference as an OpenURL 1.0 KEV ContextObject (the value of the span's title attribute)."""
    fmt, genre = GENRES[Kind(citation.kind)]
    pairs = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", fmt), ("rft.genre", genre)]
    title = one_line(citation.title)
    container = one_line(citation.journal)
    if fmt == JOURNAL:
        pairs += [("rft.atitle", title), ("rft.jtitle", container)]
    elif genre == "book" or genre == "report":
        pairs += [("rft.btitle", title), ("rft.pub", container)]
    else:
        pairs += [("rft.atitle", title), ("rft.btitle", container)]
    names = citation.names
    if names and not names[0].is_organisation:
        pairs += [("rft.aulast", one_line(names[0].family)), ("rft.aufirst", one_line(names[0].given))]
    for name in names:
        pairs.append(("rft.aucorp" if name.is_organisation else "rft.au", one_line(name)))
    pairs += [
        ("rft.volume", one_line(citation.volume)),
        ("rft.issue", one_line(citation.issue)),
        ("rft.spage", one_line(citation.first_page)),
        ("rft.epage", one_line(citation.last_page)),
        ("rft.artnum", one_line(citation.article_number)),
        ("rft.date", str(citation.year or "")),
    ]
    if citation.doi:
        pairs.append(("rft_id", f"info:doi/{one_line(citation.doi)}"))
    if citation.pmid:
        pairs.append(("rft_id", f"info:pmid/{one_line(citation.pmid)}"))
    if citation.url:
        pairs.append(("rft_id", one_line(citation.url)))
    return urlencode([(key, value) for key, value in pairs if value])
