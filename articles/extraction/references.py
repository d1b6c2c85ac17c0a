"""Reference strings → structured citation fields.

`parse_reference` understands the shapes science desks paste: Nature style
(“Ganesh, K., Basnet, H. et al. Title. Nature Cancer 1, 28–45 (2020).”), APA
(“Ganesh, K., & Basnet, H. (2020). Title. Journal, 1(2), 28–45.”) and Vancouver/PubMed
(“Ganesh K, Basnet H, et al. Title. Nat Cancer. 2020;1(1):28-45. doi:… PMID: …”).
Whatever cannot be recognised stays in ``raw``, so nothing the editor pasted is lost; a field
that would not fit its Citation column is left empty rather than cut.

The returned keys are exactly Citation field names, so ``Citation(article=a, **parse_reference(s))`` works.
"""

import re

from ..models import Citation
from .reference_kind import kind_fields

FIELDS = (
    "authors", "et_al", "title", "journal", "volume", "issue", "first_page", "last_page",
    "article_number", "year", "doi", "url", "pmid", "raw", "kind", "study_status",
)  # fmt: skip

LABEL = re.compile(r"^\s*references?\s*:\s*", re.IGNORECASE)
NUMBERING = re.compile(r"^\s*(?:\[\d{1,3}\]|\d{1,3}[.)])\s+")
INLINE_NUMBERING = re.compile(r"\s+(?=(?:\[\d{1,3}\]|\d{1,3}\.)\s+[^\W\d_])")

DOI = re.compile(
    r"(?:https?://(?:dx\.)?doi\.org/|\bdoi\s*:?\s*)?(?P<doi>10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE
)
PMID = re.compile(r"\bPMID\s*:?\s*(?P<pmid>\d{1,10})\b", re.IGNORECASE)
ARXIV = re.compile(r"\barXiv:\s*(?P<id>\d{4}\.\d{4,5}(?:v\d+)?)", re.IGNORECASE)
PMCID = re.compile(r"\bPMCID\s*:?\s*PMC\d+\b\.?", re.IGNORECASE)
URL = re.compile(
    r"(?:\b(?:available (?:at|from)|retrieved from)\s*:?\s*)?(?P<url>https?://\S+)", re.IGNORECASE
)

UPPER = "".join(chr(c) for c in range(0x41, 0x250) if chr(c).isupper())
NAME_WORD = r"[^\W\d_][\w'’\-]*"
PARTICLES = r"(?:(?:van|von|de|der|den|da|di|du|del|della|dos|das|le|la|ter|ten|al|el|bin|y)\s+)*"
FAMILY = rf"{PARTICLES}{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}}"
# “Ganesh, K.”, “Lee, J.-H.”, “Smith, J. A.” — the comma and dotted initials make it an author.
NATURE_AUTHOR = re.compile(
    rf"\s*(?:(?:&|and)\s+)?(?P<family>{FAMILY}),\s+(?P<initials>[{UPPER}]\.(?:\s?-?\s?[{UPPER}]\.){{0,3}})"
)
# “Ganesh K”, “Smith JA” — PubMed/Vancouver, initials without dots.
VANCOUVER_AUTHOR = re.compile(rf"\s*(?P<family>{FAMILY})\s+(?P<initials>[{UPPER}]{{1,4}})(?=\s*[,.])")
AUTHOR_SEPARATOR = re.compile(r"\s*,\s*(?:(?:&|and)\s+)?|\s+(?=&|and\s)")
ET_AL = re.compile(r"\s*[,.]?\s*(?:et\s+al\.?|and\s+others)\s*,?", re.IGNORECASE)
LEADING_YEAR = re.compile(r"^\s*\.?\s*\((?P<year>\d{4})[a-z]?(?:,[^)]*)?\)\s*\.?\s*")

PAGES = r"e[A-Za-z]*\d[A-Za-z0-9]{0,20}|[A-Za-z]{0,4}\d+[A-Za-z]?(?:\s*[-–—]\s*[A-Za-z]{0,4}\d+[A-Za-z]?)?"
VOLUME = r"[A-Za-z]?\d+[A-Za-z]?"
ISSUE = r"\((?P<issue>[^()]{1,30})\)"
SOURCES = [
    # Nature: “Nature Cancer 1, 28–45 (2020)” or “Nature Cancer 1 (2), 28–45 (2020)”
    re.compile(
        rf"^(?P<head>.*?)\s+(?P<volume>{VOLUME})(?:\s*{ISSUE})?,\s*(?:(?:article|art\.?)\s*(?:no\.?\s*)?)?"
        rf"(?P<pages>(?:{PAGES}))\s*\((?P<year>\d{{4}})\)$",
        re.IGNORECASE,
    ),
    # Vancouver: “Nat Cancer. 2020 Jan;1(1):28-45”
    re.compile(
        rf"^(?P<head>.*?)\.?\s+(?P<year>\d{{4}})(?:\s+[A-Z][a-z]{{2}}(?:\s+\d{{1,2}})?)?;\s*(?P<volume>{VOLUME})?"
        rf"(?:\s*{ISSUE})?(?::\s*(?P<pages>(?:{PAGES})))?$"
    ),
    # APA (the year came after the authors): “Nature Cancer, 1(2), 28–45”
    re.compile(rf"^(?P<head>.*?),\s*(?P<volume>{VOLUME})\s*(?:{ISSUE})?(?:,\s*(?P<pages>(?:{PAGES})))?$"),
    # Online first, no volume yet: “Nature Cancer (2020)”
    re.compile(r"^(?P<head>.*?)\s*\((?P<year>\d{4})\)$"),
]
# A title ends at the first full stop (or ?/!) that does not close an initial such as “H. sapiens”.
TITLE_END = re.compile(r"(?<=[^\s.]{2}[.?!])\s+(?=\S)|(?<=[?!])\s+(?=\S)")
ANY_YEAR = re.compile(r"\((?P<year>1[6-9]\d{2}|20\d{2}|2100)\)")


def empty_citation(raw=""):
    return {
        "authors": [], "et_al": False, "title": "", "journal": "", "volume": "", "issue": "",
        "first_page": "", "last_page": "", "article_number": "", "year": None, "doi": "", "url": "",
        "pmid": "", "raw": raw,
    }  # fmt: skip


def parse_reference(text: str) -> dict:
    """One reference string → a dict of Citation fields (unrecognised parts are only in ``raw``)."""
    raw = LABEL.sub("", " ".join((text or "").split())).strip().rstrip(",;").strip()
    raw = NUMBERING.sub("", raw)
    result = empty_citation(raw)
    rest = raw

    if match := DOI.search(rest):
        result["doi"] = match["doi"].rstrip(".,;)")
        rest = _cut(rest, match)
    if match := PMID.search(rest):
        result["pmid"] = match["pmid"]
        rest = _cut(rest, match)
    rest = PMCID.sub("", rest)
    if match := ARXIV.search(rest):
        result["url"] = f"https://arxiv.org/abs/{match['id']}"
        rest = f"{rest[: match.start()]} arXiv {rest[match.end() :]}"
    if not result["url"] and (match := URL.search(rest)):
        result["url"] = match["url"].rstrip(".,;")
        rest = _cut(rest, match)
    rest = rest.strip().rstrip(".,; ").strip()

    rest = _take_authors(rest, result)
    if match := LEADING_YEAR.match(rest):
        result["year"] = int(match["year"])
        rest = rest[match.end() :]
    rest = rest.strip().lstrip(".,; ").rstrip(".,; ")

    for pattern in SOURCES:
        if match := pattern.match(rest):
            _take_source(match, result)
            break
    else:
        result["title"] = rest
        if result["year"] is None and (year := ANY_YEAR.search(raw)):
            result["year"] = int(year["year"])
    return _fit_model(result | kind_fields(raw))


def parse_references(text: str) -> list[dict]:
    """A ``Reference:``/``References:`` block (one reference per line, or numbered on one line) → citations."""
    body = LABEL.sub("", (text or "").strip())
    references = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        pieces = INLINE_NUMBERING.split(line) if NUMBERING.match(line) else [line]
        references.extend(parse_reference(piece) for piece in pieces if piece.strip())
    return [reference for reference in references if reference["raw"]]


def _cut(text, match):
    return f"{text[: match.start()]} {text[match.end() :]}"


def _take_authors(text, result):
    """Consume the author list (and “et al.”) from the start of text; return what follows it."""
    for pattern, vancouver in ((NATURE_AUTHOR, False), (VANCOUVER_AUTHOR, True)):
        authors, position = [], 0
        while match := pattern.match(text, position):
            authors.append(_format_author(match["family"], match["initials"], vancouver))
            position = match.end()
            separator = AUTHOR_SEPARATOR.match(text, position)
            if separator is None or ET_AL.match(text, position):
                break
            position = separator.end()
        if not authors:
            continue
        et_al = ET_AL.match(text, position)
        if vancouver and not et_al and not text[position:].lstrip().startswith("."):
            continue  # a PubMed author list ends in “et al.” or a full stop; anything else was a title
        result["authors"], result["et_al"] = authors, bool(et_al)
        return text[et_al.end() if et_al else position :]
    return text


def _format_author(family, initials, vancouver):
    if vancouver:
        initials = " ".join(f"{letter}." for letter in initials)
    else:
        initials = re.sub(r"\s*-\s*", "-", re.sub(rf"\.\s*(?=[{UPPER}])", ". ", initials.strip()))
    return f"{family.strip()}, {initials}"


def _take_source(match, result):
    groups = match.groupdict()
    # A journal's own final full stop (“Sci. Adv.”) is kept; the Vancouver pattern leaves out its separator.
    head = (groups.get("head") or "").strip().rstrip(",")
    pieces = TITLE_END.split(head, maxsplit=1)
    if len(pieces) == 2:
        result["title"], result["journal"] = pieces[0].rstrip("."), pieces[1].strip().rstrip(",")
    else:
        result["journal"] = head
    result["volume"] = groups.get("volume") or ""
    result["issue"] = (groups.get("issue") or "").strip()
    if groups.get("year"):
        result["year"] = int(groups["year"])
    pages = groups.get("pages") or ""
    first, last = _split_pages(pages)
    if first and not last and re.fullmatch(r"e[A-Za-z]*\d[A-Za-z0-9]*", first):
        result["article_number"] = first  # eLife/PLOS/Science Advances number articles, not pages
    else:
        result["first_page"], result["last_page"] = first, last


def _split_pages(pages):
    parts = [part.strip() for part in re.split(r"[-–—]", pages, maxsplit=1)]
    first = parts[0] if parts else ""
    last = parts[1] if len(parts) > 1 else ""
    # “1234–56” is printed shorthand for 1234–1256.
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def _fit_model(result):
    """Drop any value its Citation column would refuse, so the dict always saves; raw keeps the original."""
    for name in FIELDS:
        field = Citation._meta.get_field(name)
        value = result[name]
        if isinstance(value, str) and field.max_length and len(value) > field.max_length and name != "raw":
            result[name] = ""
    if result["year"] is not None and not 1600 <= result["year"] <= 2100:
        result["year"] = None
    if result["doi"] and not re.fullmatch(r"10\.[0-9]{4,9}/\S+", result["doi"]):
        result["doi"] = ""
    return result
