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
from . import reference_crf
from .reference_kind import kind_fields

FIELDS = (
    "authors", "et_al", "title", "journal", "volume", "issue", "first_page", "last_page",
    "article_number", "year", "doi", "url", "pmid", "raw", "kind", "study_status",
)  # fmt: skip

LABEL = re.compile(r"^\s*references?\s*:\s*", re.IGNORECASE)
# “[12]”, “[12].”, “12.”, “12)”, “(12)” and “12-” before a reference number it in a list, and are not part of it.
NUMBERING = re.compile(r"^\s*(?:\[\d{1,3}\]\.?|\(\d{1,3}\)|\d{1,3}[.)]|\d{1,3}\s?-)\s+")
INLINE_NUMBERING = re.compile(r"\s+(?=(?:\[\d{1,3}\]|\d{1,3}\.)\s+[^\W\d_])")

DOI = re.compile(
    r"(?:https?://(?:dx\.)?doi\.\s?org/|\bdoi\s*[:>]?\s*)?(?P<doi>10\.[0-9]{4,9}/[^\s\"<>]+)", re.IGNORECASE
)
PMID = re.compile(r"\bPMID\s*:?\s*(?P<pmid>[0-9]{1,10})\b", re.IGNORECASE)
ARXIV = re.compile(r"\barXiv:\s*(?P<id>[0-9]{4}\.[0-9]{4,5}(?:v[0-9]+)?)", re.IGNORECASE)
PMCID = re.compile(r"\bPMCID\s*:?\s*PMC[0-9]+\b\.?", re.IGNORECASE)
URL = re.compile(
    r"(?:\b(?:available (?:at|from)|retrieved from)\s*:?\s*)?(?P<url>https?://\S+)", re.IGNORECASE
)

# Rules for what follows a field the CRF found (issue after volume, last page after first) and for authors.
ISSUE = re.compile(
    r"\s*(?:\((?P<paren>[^()]{1,30})\)|,?\s*(?:no|nr|issue)\.?\s*(?P<numbered>\w{1,30}))", re.I
)
LAST_PAGE = re.compile(r"\s*[-–—‑]\s*(?P<last>[A-Za-z]{0,4}\d+[A-Za-z]?)(?!\w)")
PAGE_PREFIX = re.compile(r"^pp?\.?(?=\d)")  # “p245” is page 245
ARTICLE_NUMBER = re.compile(r"e[A-Za-z]*\d[A-Za-z0-9]*")
JOURNAL_VOLUME = re.compile(r"[A-Z]?\d{1,4}[a-z]?")
ISSUE_MARKS = {")", "°", "º", "n", "no", "nr", "issue"}
DASHES = "-–—‑‐"
ANY_YEAR = re.compile(r"(?<![0-9])(?P<year>1[6-9][0-9]{2}|20[0-9]{2})(?![0-9])")
QUOTES = "\"“”„«»‘’`'"
ET_AL = re.compile(r"[\s,.]*\b(?:et\s+al\b\.?|and\s+others\b)\s*,?", re.IGNORECASE)
AUTHORS_BY_SEMICOLON = re.compile(r"\s*;\s*(?:(?:&|and)\s+)?")
AUTHORS_BY_COMMA = re.compile(r"\s*,\s*(?:(?:&|and)\s+)?|\s+(?:&|and)\s+")
INITIAL = re.compile(r"[^\W\d_]\.?(?:-[^\W\d_]\.?)?")
INITIALS_ONLY = re.compile(r"(?:[^\W\d_]\.?(?:-[^\W\d_]\.?)?\s*)+|[A-Z]{1,4}")
VANCOUVER_INITIALS = re.compile(r"[A-Z]{1,4}")
GIVEN_NAME = re.compile(r"[A-Z][a-zà-ÿ]+(?:[- ][A-Z][a-zà-ÿ]+)?")
PARTICLE = re.compile(r"van|von|de|der|den|da|di|du|del|della|dos|das|le|la|ter|ten|al|el|bin")


def empty_citation(raw=""):
    return {
        "authors": [], "et_al": False, "title": "", "journal": "", "volume": "", "issue": "",
        "first_page": "", "last_page": "", "article_number": "", "year": None, "doi": "", "url": "",
        "pmid": "", "raw": raw,
    }  # fmt: skip


def parse_reference(text: str) -> dict:
    """One reference string → a dict of Citation fields (unrecognised parts are only in ``raw``)."""
    return parse_with(text, reference_crf.tag)


def parse_with(text, label_tokens):
    """parse_reference with a given token labeller (the cross-validation bench passes each fold's model)."""
    raw = clean_reference(text)
    result = empty_citation(raw)
    rest = take_identifiers(raw, result)
    tokens = reference_crf.tokenize(rest)
    labels = _volume_before_pages(
        tokens, _volume_after_journal(tokens, _title_and_journal(tokens, list(label_tokens(tokens))))
    )
    runs = _runs(labels)

    if authors := runs.get("author"):
        start, end = tokens[authors[0][0]][1], tokens[authors[0][-1]][2]
        family = runs.get("F")
        first_family = rest[tokens[family[0][0]][1] : tokens[family[0][-1]][2]] if family else ""
        result["authors"], result["et_al"] = _authors(rest[start:end], first_family)
        if not result["et_al"] and ET_AL.match(rest, end):
            result["et_al"] = True
    for label, name in (("T", "title"), ("J", "journal")):
        if label in runs:
            first, last = _widest(runs[label], tokens)
            result[name] = _strip_field(rest[tokens[first][1] : tokens[last][2]])
            # An abbreviated journal keeps its last full stop (“Sci. Adv.”), as journals print it.
            if label == "J" and "." in result[name] and rest[tokens[last][2] :].startswith("."):
                result[name] += "."
    if not result["journal"] and result["url"].startswith("https://arxiv.org/"):
        result["journal"] = "arXiv"
    if "Y" in runs:
        result["year"] = _year(tokens[_publication_year(tokens, runs["Y"])][0])
    if result["year"] is None and result["journal"]:
        result["year"] = _year_outside_title(tokens, labels, rest)
    if "V" in runs:
        run = runs["V"][0]
        result["volume"] = rest[tokens[run[0]][1] : tokens[run[-1]][2]]
        if match := ISSUE.match(rest, tokens[run[-1]][2]):
            result["issue"] = (match["paren"] or match["numbered"] or "").strip()
    if "P" in runs:
        run = runs["P"][0]
        first = rest[tokens[run[0]][1] : tokens[run[-1]][2]]
        last_match = LAST_PAGE.match(rest, tokens[run[-1]][2])
        first, last = _split_pages(f"{first}-{last_match['last']}" if last_match else first)
        if not last and ARTICLE_NUMBER.fullmatch(first):
            result["article_number"] = first  # eLife/PLOS/Science Advances number articles, not pages
        else:
            result["first_page"], result["last_page"] = first, last
    return _fit_model(result | kind_fields(raw))


def clean_reference(text):
    """The reference as it will be kept in ``raw``: one line, without a “Reference:” label, numbering or
    typesetting tags."""
    raw = LABEL.sub("", " ".join(reference_crf.strip_markup(text or "").split())).strip().rstrip(",;").strip()
    return NUMBERING.sub("", raw)


def take_identifiers(raw, result):
    """Read the identifiers that rules can be certain of into result; return the text without them."""
    rest = raw
    if match := DOI.search(rest):
        result["doi"] = match["doi"].rstrip(".,;)]")
        rest = _cut(rest, match)
    if match := PMID.search(rest):
        result["pmid"] = match["pmid"]
        rest = _cut(rest, match)
    rest = PMCID.sub("", rest)
    if match := ARXIV.search(rest):
        result["url"] = f"https://arxiv.org/abs/{match['id']}"
        rest = f"{rest[: match.start()]} arXiv {rest[match.end() :]}"
    if not result["url"] and (match := URL.search(rest)):
        result["url"] = match["url"].rstrip(".,;)]")
        rest = _cut(rest, match)
    return rest.strip()


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


def _runs(labels):
    """Label → its runs of consecutive token positions; ``author`` joins the F, G and A labels."""
    runs = {}
    for i, label in enumerate(labels):
        for key in (label, "author") if label in "FGA" else (label,):
            if i and _same_run(key, labels[i - 1]):
                runs[key][-1].append(i)
            else:
                runs.setdefault(key, []).append([i])
    return runs


def _title_and_journal(tokens, labels):
    """A journal reference has both a title and a journal: when the model found only one of them and it runs
    over a full stop, the part before the last such stop is the title and the part after it the journal."""
    for present, missing in (("T", "J"), ("J", "T")):
        if missing in labels or present not in labels:
            continue
        run = max(_runs(labels)[present], key=len)
        if stops := _part_ends(tokens, run):
            _split_at(tokens, labels, run, stops[-1])
    return labels


def _publication_year(tokens, runs):
    """The token of the year, when the model labelled several: not one that opens or closes a range of numbers
    (“1805–1815” are pages, “(1995–2005)” a period in the title)."""
    for run in runs:
        i = run[0]
        if not (_in_range(tokens, i, 1) or _in_range(tokens, i, -1)):
            return i
    return runs[0][0]


def _in_range(tokens, i, step):
    dash, number = i + step, i + 2 * step
    return 0 <= number < len(tokens) and tokens[dash][0] in DASHES and tokens[number][0].isdigit()


def _year_outside_title(tokens, labels, rest):
    """When the model labelled no year: the first year-like number outside the authors and the title (“The
    Tamil Migration Cycle, 1830-1950”), else the first anywhere."""
    for (token, _, _), label in zip(tokens, labels, strict=True):
        if label not in "FGAT" and (match := ANY_YEAR.search(token)):
            return int(match["year"])
    return int(match["year"]) if (match := ANY_YEAR.search(rest)) else None


def _volume_after_journal(tokens, labels):
    """A journal's name does not end in a number: when the model ran the journal over the volume (“Early Music
    42”, “J. R. Stat. Soc. B39”) and found no other volume, that number is the volume."""
    if "V" in labels or labels.count("J") < 2:
        return labels
    last = max(i for i, label in enumerate(labels) if label == "J")
    if JOURNAL_VOLUME.fullmatch(tokens[last][0]):
        labels[last] = "V"
    return labels


def _volume_before_pages(tokens, labels):
    """“27(17):10507” and “3:131” print the volume, its issue in brackets and a colon before the first page:
    when the model found pages but no volume (“Langmuir. 2011. 27(17):10507–13”), that number is it."""
    if "V" in labels or "P" not in labels:
        return labels
    i = labels.index("P") - 1
    if i < 1 or tokens[i][0] != ":":
        return labels
    i -= 1
    if tokens[i][0] == ")" and i >= 3 and tokens[i - 2][0] == "(":
        i -= 3
    # Not an issue: “(71)3:”, “n°13:”.
    before = tokens[i - 1][0].lower() if i else ""
    if labels[i] == "O" and JOURNAL_VOLUME.fullmatch(tokens[i][0]) and before not in ISSUE_MARKS:
        labels[i] = "V"
    return labels


def _part_ends(tokens, run):
    return [i for i in run[1:-1] if tokens[i][0] in ".?!" and len(tokens[i - 1][0]) > 1]


def _split_at(tokens, labels, run, stop):
    for i in run:
        labels[i] = "T" if i < stop else "J" if i > stop else "T" if tokens[i][0] in "?!" else "O"


def _widest(runs, tokens):
    """The longest run, joined to neighbouring runs of the same label across one punctuation mark."""
    longest = max(runs, key=len)
    first, last = longest[0], longest[-1]
    for run in runs:
        if run[0] == last + 2 and not tokens[last + 1][0].isalnum():
            last = run[-1]
    for run in reversed(runs):
        if run[-1] == first - 2 and not tokens[first - 1][0].isalnum():
            first = run[0]
    return first, last


def _same_run(key, previous_label):
    return previous_label in "FGA" if key == "author" else previous_label == key


def _strip_field(value):
    # A bracket left open at the end (“Soins cadres(”) opened what the field does not hold.
    return value.strip().strip("".join(QUOTES)).rstrip(".,;: ([").strip().strip("".join(QUOTES)).strip()


def _year(token):
    return int(token) if token.isdigit() and len(token) == 4 else None


def _authors(text, first_family):
    """An author list as printed → (["Family, I.", …], et_al). The CRF found the first family name."""
    et_al = bool(ET_AL.search(text))
    text = ET_AL.sub(" ", text)
    separator = AUTHORS_BY_SEMICOLON if ";" in text else AUTHORS_BY_COMMA
    parts = [part.strip(" ,") for part in separator.split(text)]
    names = []  # [family, given] pairs
    for part in filter(None, parts):
        if names and not names[-1][1] and INITIALS_ONLY.fullmatch(part):
            names[-1][1] = part
        elif (
            len(names) == 1 and not names[0][1] and names[0][0] == first_family and GIVEN_NAME.fullmatch(part)
        ):
            names[0][1] = part  # Chicago: “De Smet, Brecht”
        else:
            names.append(_split_name(part))
    if names and first_family and not names[0][0].endswith(first_family):
        given = names[0][1] or names[0][0].replace(first_family, "").strip()
        names[0] = [first_family, given if given != first_family else ""]
    return [_format_author(family, given) for family, given in names if family], et_al


def _split_name(part):
    """One author as printed, without a comma → [family, given] (“Smith JA”, “J. A. Smith”, “Jane van Dam”)."""
    words = part.replace(".", ". ").split()
    if len(words) > 1 and VANCOUVER_INITIALS.fullmatch(words[-1]):
        return [" ".join(words[:-1]), words[-1]]
    start = len(words) - 1
    while start > 0 and PARTICLE.fullmatch(words[start - 1]):
        start -= 1
    return [" ".join(words[start:]), " ".join(words[:start])]


def _format_author(family, given):
    initials = []
    for word in re.sub(r"\.(?=[^\s-])", ". ", given).split():
        if VANCOUVER_INITIALS.fullmatch(word):
            initials += [f"{letter}." for letter in word]
        else:
            initials.append(
                "-".join(f"{piece.strip('.')[0]}." for piece in word.split("-") if piece.strip("."))
            )
    family = family.strip(" .,")
    return f"{family}, {' '.join(initials)}" if initials else family


def _cut(text, match):
    return f"{text[: match.start()]} {text[match.end() :]}"


def _split_pages(pages):
    pages = PAGE_PREFIX.sub("", pages)
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


def prepare_for_training(reference):
    """The text the CRF sees for a reference: what parse_reference hands it after the rules have run."""
    return take_identifiers(clean_reference(reference), empty_citation())
