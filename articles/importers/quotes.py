"""Quotations and who said them, from the plain prose of a story.

Recognises the usual attribution shapes around a double-quoted passage (straight or curly):
``NAME explained: "…"``, ``"…," says ROLE NAME.``, ``"…" said NAME, ROLE at AFFILIATION`` and
``"…," NAME said.`` A speaker's role and affiliation come from the attribution itself or, failing that,
from an earlier mention in the story (“led by oncologist Joan Massagué”), and abbreviations the story
defines (“Sloan Kettering Institute (SKI)”) are spelt out as affiliations. Quotes without an attribution
are left alone: a scare quote is not a Quote.
"""

import re

from .story import StoryQuote, StorySpeaker

UPPER = "".join(chr(c) for c in range(0x41, 0x250) if chr(c).isupper())
LOWER = "".join(chr(c) for c in range(0x61, 0x250) if chr(c).islower())
# A capitalised word with at least one lower-case letter: “Massagué”, “O’Neill”, not “SKI”.
CAPWORD = rf"[{UPPER}][{LOWER}{UPPER}'’\-]*[{LOWER}]"
PARTICLE = r"(?:van|von|de|da|del|der|di|du|le|la|dos|bin|al)"
NAME = rf"{CAPWORD}(?:\s+(?:{PARTICLE}\s+)?{CAPWORD}){{1,3}}"
VERBS = (
    r"(?:said|says|say|explained|explains|added|adds|told|tells|noted|notes|commented|comments|argued|"
    r"argues|warned|warns|stated|states|remarked|remarks|continued|continues|wrote|writes|asked|asks|"
    r"replied|replies|concluded|concludes|cautioned|cautions|observed|observes|insisted|insists)"
)
QUOTE = re.compile(r'"(?P<straight>[^"\n]{2,}?)"|“(?P<curly>[^”\n]{2,}?)”')
ABBREVIATION = re.compile(
    rf"(?P<long>{CAPWORD}(?:\s+(?:(?:of|for|and|the|de)\s+)?{CAPWORD})+)\s*\((?P<short>[A-Z][A-Z&]{{1,9}})\)"
)
ORG_WORDS = (
    "Institute|University|College|Hospital|Centre|Center|Laboratory|Laboratories|Lab|School|Foundation|"
    "Museum|Agency|Council|Society|Observatory|Trust|Clinic|Academy|Survey|Service|Organisation|Organization"
)
ORGANISATION = re.compile(
    rf"(?:the\s+)?(?P<org>(?:{CAPWORD}\s+(?:(?:of|for|and)\s+)?)*(?:{ORG_WORDS})(?:\s+(?:of|for)\s+(?:the\s+)?{CAPWORD}(?:\s+{CAPWORD})*)?)"
)
NOT_NAME_START = {
    "The", "A", "An", "In", "On", "At", "This", "These", "That", "Those", "Though", "While", "It", "We", "They",
    "He", "She", "But", "And", "Once", "When", "If", "As", "For", "From", "Our", "Their", "His", "Her", "Its",
}  # fmt: skip
ROLE_STOP = {
    "by", "the", "a", "an", "and", "led", "with", "from", "of", "to", "for", "at", "in", "on", "according", "as",
    "team", "that", "who", "when", "while", "but", "is", "was", "were", "are", "have", "has", "had", "his", "her",
    "their", "our", "its", "this", "these", "those", "he", "she", "they", "we", "it",
    "dr", "dr.", "prof", "prof.", "professor", "mr", "mrs", "ms", "mx", "sir", "dame",
}  # fmt: skip
ROLE_WORD = re.compile(r"[a-z][\w\-’']*")
AFFILIATION_SPLIT = re.compile(r"\s+(?:at|from|of|with)\s+(?=(?:the\s+)?[A-Z])")
BEFORE = re.compile(
    rf"(?P<name>{NAME}|{CAPWORD})(?:,\s*(?P<appos>[^,“”\"]{{2,150}}),)?\s+(?P<verb>{VERBS})\s*[:,]?\s*$"
)
AFTER_VERB_FIRST = re.compile(rf"^\s*,?\s*(?P<verb>{VERBS})\s+(?P<tail>[^“”\"]{{1,200}})")
AFTER_NAME_FIRST = re.compile(rf"^\s*,?\s*(?P<name>{NAME}|{CAPWORD})\s+(?P<verb>{VERBS})\b")
APPOSITION = re.compile(r"^\s*,\s*(?:(?:an?|the)\s+)?(?P<appos>[^.;“”\"]{2,150})")
NAME_RE = re.compile(NAME)
WINDOW = 300
HONORIFIC = re.compile(r"^(?:Dr|Prof|Professor|Mr|Mrs|Ms|Mx|Sir|Dame)\.?\s+")


def extract_quotes(paragraphs):
    """Every attributed quotation in the story's paragraphs, in reading order, as StoryQuotes."""
    text = "\n\n".join(paragraphs)
    abbreviations = {m["short"]: re.sub(r"^The\s+", "", m["long"]) for m in ABBREVIATION.finditer(text)}
    names = _known_names(text)
    quotes = []
    for paragraph in paragraphs:
        for match in QUOTE.finditer(paragraph):
            words = (match["straight"] or match["curly"]).strip().rstrip(",").strip()
            attribution = _attribution(paragraph, match, names)
            if attribution is None or not words:
                continue
            name, role = attribution
            name = _full_name(HONORIFIC.sub("", name), names)
            if role is None:
                role = _role_from_mentions(text, name)
            role, affiliation = _split_affiliation(role or "", abbreviations)
            if not affiliation:
                affiliation = _affiliation_from_mentions(text, name, role, abbreviations)
            quotes.append(StoryQuote(text=words, speaker=StorySpeaker(name, role, affiliation)))
    return quotes


def _known_names(text):
    names = []
    for match in NAME_RE.finditer(text):
        candidate = HONORIFIC.sub("", match.group(0))
        if " " in candidate and _is_person(candidate) and candidate not in names:
            names.append(candidate)
    return names


def _is_person(candidate):
    words = candidate.split()
    return words[0] not in NOT_NAME_START and not re.search(ORG_WORDS, candidate)


def _full_name(name, names):
    """“Massagué” alone means the “Joan Massagué” the story named before."""
    if " " in name:
        return name
    return next((full for full in names if full.split()[-1] == name), name)


def _attribution(paragraph, match, names):
    """(speaker name, role or None) from the words around one quotation, or None when nobody is named."""
    # Attributions sit right beside the quotation; a bounded window keeps huge paragraphs linear.
    before = paragraph[max(0, match.start() - WINDOW) : match.start()]
    sentence_start = max(before.rfind(". "), before.rfind("? "), before.rfind("! "), before.rfind("”"))
    found = BEFORE.search(before[sentence_start + 1 :])
    if found and _is_speaker(found["name"], names):
        role = found["appos"] or _role_before(before[: sentence_start + 1 + found.start("name")])
        return found["name"], role
    after = paragraph[match.end() : match.end() + WINDOW]
    found = AFTER_NAME_FIRST.match(after)
    if found and _is_speaker(found["name"], names):
        appos = APPOSITION.match(after[found.end() :])
        return found["name"], appos["appos"] if appos else None
    if found := AFTER_VERB_FIRST.match(after):
        tail = found["tail"]
        for name in NAME_RE.finditer(tail):
            if not _is_person(name.group(0)):
                continue
            role = tail[: name.start()].strip(" .,;:")
            role = re.sub(r"^(?:an?|the)\s+", "", role)
            if not role and (appos := APPOSITION.match(tail[name.end() :])):
                role = appos["appos"]
            return name.group(0), role or None
    return None


def _is_speaker(name, names):
    if " " in name:
        return _is_person(name)
    return any(full.split()[-1] == name for full in names)


def _role_before(text):
    """The lower-case words right before a name: “led by oncologist” → “oncologist”."""
    words = []
    tokens = text.split()
    for index in range(len(tokens) - 1, -1, -1):
        word = tokens[index]
        starts_sentence = index == 0 or tokens[index - 1][-1] in ".!?"
        if starts_sentence and word[:1].isupper() and ROLE_WORD.fullmatch(word.lower()):
            word = word.lower()  # “Marine biologist Amara Osei …” opens the sentence
        if word.lower() in ROLE_STOP or not (ROLE_WORD.fullmatch(word) or word.isupper()):
            break
        words.insert(0, word)
        if len(words) == 4 or starts_sentence:
            break
    return " ".join(words) or None


def _role_from_mentions(text, name):
    surname = name.split()[-1]
    for mention in re.finditer(rf"(?<!\w)(?:{re.escape(name)}|{re.escape(surname)})(?!\w)", text):
        if role := _role_before(text[max(0, mention.start() - WINDOW) : mention.start()]):
            return role
        if (appos := APPOSITION.match(text[mention.end() : mention.end() + WINDOW])) and not re.match(
            VERBS, appos["appos"]
        ):
            return appos["appos"].split(",")[0].strip()
    return None


def _split_affiliation(role, abbreviations):
    """“physician-scientist at SKI” → (“physician-scientist”, “Sloan Kettering Institute”)."""
    role = " ".join(role.split()).strip(" .,;:")
    parts = AFFILIATION_SPLIT.split(role, maxsplit=1)
    if len(parts) == 2:
        role, affiliation = parts[0], re.sub(r"^the\s+", "", parts[1])
        affiliation = re.split(r"\s+and\s+(?=the\b|[a-z])", affiliation)[0].strip(" .,;")
        affiliation = re.sub(r"\s*\([A-Z&]{2,10}\)$", "", affiliation)
        return role, abbreviations.get(affiliation, affiliation)
    for short, long in abbreviations.items():
        if re.search(rf"\b{re.escape(short)}\b", role):
            return role, long
    return role, ""


def _affiliation_from_mentions(text, name, role, abbreviations):
    """The organisation named in the same sentence as the speaker, nearest to the name."""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        position = sentence.find(name)
        if position < 0:
            continue
        organisations = [
            (abs(m.start() - position), abbreviations.get(m["org"], m["org"]))
            for m in ORGANISATION.finditer(sentence)
        ]
        organisations += [
            (abs(m.start() - position), re.sub(r"^The\s+", "", m["long"]))
            for m in ABBREVIATION.finditer(sentence)
        ]
        if organisations:
            return min(organisations)[1]
    return ""
