"""Quotations and who said them, from the plain prose of a story.

Recognises the usual attribution shapes around a double-quoted passage (straight or curly):
``NAME explained: "…"``, ``"…," says ROLE NAME.``, ``"…" said NAME, ROLE at AFFILIATION`` and
``"…," NAME said.`` A speaker's role and affiliation come from the attribution itself or, failing that,
from an earlier mention in the story (“led by oncologist Joan Massagué”), and abbreviations the story
defines (“Sloan Kettering Institute (SKI)”) are spelt out as affiliations. Quotes without an attribution
are left alone: a scare quote is not a Quote.
"""

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass


@dataclass
class StorySpeaker:
    name: str
    role: str = ""
    affiliation: str = ""
    orcid: str = ""
    url: str = ""


@dataclass
class StoryQuote:
    text: str
    speaker: StorySpeaker
    role: str = ""  # only when the story describes the speaker differently from their record
    affiliation: str = ""
    is_pull_quote: bool = False


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
# Repetitions are bounded (an organisation's name is a few words), which keeps a hostile megabyte of
# capitalised words linear instead of quadratic.
ABBREVIATION = re.compile(
    rf"(?P<long>{CAPWORD}(?:\s+(?:(?:of|for|and|the|de)\s+)?{CAPWORD}){{1,7}})\s*\((?P<short>[A-Z][A-Z&]{{1,9}})\)"
)
ORG_WORDS = (
    "Institute|University|College|Hospital|Centre|Center|Laboratory|Laboratories|Lab|School|Foundation|"
    "Museum|Agency|Council|Society|Observatory|Trust|Clinic|Academy|Survey|Service|Organisation|Organization"
)
ORGANISATION = re.compile(
    rf"(?:the\s+)?(?P<org>(?:{CAPWORD}\s+(?:(?:of|for|and)\s+)?){{0,6}}(?:{ORG_WORDS})"
    rf"(?:\s+(?:of|for)\s+(?:the\s+)?{CAPWORD}(?:\s+{CAPWORD}){{0,4}})?)"
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
SURNAME_FIRST = re.compile(rf"\s*({CAPWORD})\b")
CAPWORD_RE = re.compile(rf"(?<![\w'’\-]){CAPWORD}(?![\w'’\-])")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WINDOW = 300
# Job titles that can open a sentence capitalised; endings chosen so given names (Peter, Jennifer) never match.
ROLE_NOUN = re.compile(r"[A-Z][a-z\-]*(?:ist|ician|omer|archer|eer|grapher|ologist|ysician)")
HONORIFIC = re.compile(r"^(?:Dr|Prof|Professor|Mr|Mrs|Ms|Mx|Sir|Dame)\.?\s+")


def extract_quotes(paragraphs):
    """Every attributed quotation in the story's paragraphs, in reading order, as StoryQuotes."""
    story = _Story(paragraphs)
    quotes = []
    for paragraph in paragraphs:
        for match in QUOTE.finditer(paragraph):
            words = (match["straight"] or match["curly"]).strip().rstrip(",").strip()
            attribution = _attribution(paragraph, match, story)
            if attribution is None or not words:
                continue
            name, role = attribution
            title, name = _leading_role(HONORIFIC.sub("", name))
            name = story.full_name(name)
            role = role if role is not None or title is None else title
            role, affiliation = story.describe(name, role)
            quotes.append(StoryQuote(text=words, speaker=StorySpeaker(name, role, affiliation)))
    return quotes


class _Story:
    """What one story says about its people and organisations, each fact worked out once however many quotes.

    Mentions are found through an index of capitalised words and sentences through their start offsets, so a
    story with thousands of names costs no more per name than a story with one.
    """

    def __init__(self, paragraphs):
        self.text = text = "\n\n".join(paragraphs)
        self.abbreviations = {
            m["short"]: re.sub(r"^The\s+", "", m["long"]) for m in ABBREVIATION.finditer(text)
        }
        self.by_surname = {}  # “Massagué” → “Joan Massagué”, the first person the story names so
        for match in NAME_RE.finditer(text):
            _title, candidate = _leading_role(HONORIFIC.sub("", match.group(0)))
            if " " in candidate and _is_person(candidate):
                self.by_surname.setdefault(candidate.split()[-1], candidate)
        self.word_at = defaultdict(list)  # capitalised word → where it stands
        for match in CAPWORD_RE.finditer(text):
            self.word_at[match.group(0)].append(match.start())
        self.sentence_starts = [0] + [m.end() for m in SENTENCE_END.finditer(text)]
        self._described = {}

    def full_name(self, name):
        """“Massagué” alone means the “Joan Massagué” the story named before."""
        return name if " " in name else self.by_surname.get(name, name)

    def is_speaker(self, name):
        return _is_person(name) if " " in name else name in self.by_surname

    def describe(self, name, role):
        """(role, affiliation): from the attribution's own words, else from earlier mentions of the person."""
        key = (name, role)
        if key not in self._described:
            role = role if role is not None else self._role_from_mentions(name)
            role, affiliation = _split_affiliation(role or "", self.abbreviations)
            self._described[key] = (role, affiliation or self._affiliation_from_mentions(name))
        return self._described[key]

    def _mentions(self, name):
        """(start, end) of each mention of the person, by full name or surname alone, in reading order."""
        surname = name.split()[-1]
        given = name[: -len(surname)]
        for position in self.word_at.get(surname, []):
            start = position - len(given)
            yield (
                (start if given and self.text[start:position] == given else position),
                position + len(surname),
            )

    def _role_from_mentions(self, name):
        text = self.text
        for start, end in self._mentions(name):
            if role := _role_before(text[max(0, start - WINDOW) : start]):
                return role
            appos = APPOSITION.match(text[end : end + WINDOW])
            if appos and not re.match(VERBS, appos["appos"]):
                return appos["appos"].split(",")[0].strip()
        return None

    def _affiliation_from_mentions(self, name):
        """The organisation named in the sentence of the person's first mention, nearest to the name."""
        for start, _end in self._mentions(name):
            index = bisect_right(self.sentence_starts, start) - 1
            first = self.sentence_starts[index]
            last = (
                self.sentence_starts[index + 1] if index + 1 < len(self.sentence_starts) else len(self.text)
            )
            sentence, position = self.text[first:last], start - first
            organisations = [
                (abs(m.start() - position), self.abbreviations.get(m["org"], m["org"]))
                for m in ORGANISATION.finditer(sentence)
            ]
            organisations += [
                (abs(m.start() - position), re.sub(r"^The\s+", "", m["long"]))
                for m in ABBREVIATION.finditer(sentence)
            ]
            if organisations:
                return min(organisations)[1]
        return ""


def _leading_role(name):
    """“Geneticist Priya Nair” (a role opening the sentence) → (“geneticist”, “Priya Nair”)."""
    words = name.split()
    if len(words) >= 3 and ROLE_NOUN.fullmatch(words[0]):
        return words[0].lower(), " ".join(words[1:])
    return None, name


def _is_person(candidate):
    words = candidate.split()
    return words[0] not in NOT_NAME_START and not re.search(ORG_WORDS, candidate)


def _attribution(paragraph, match, story):
    """(speaker name, role or None) from the words around one quotation, or None when nobody is named."""
    # Attributions sit right beside the quotation; a bounded window keeps huge paragraphs linear.
    before = paragraph[max(0, match.start() - WINDOW) : match.start()]
    sentence_start = max(before.rfind(". "), before.rfind("? "), before.rfind("! "), before.rfind("”"))
    found = BEFORE.search(before[sentence_start + 1 :])
    if found and story.is_speaker(found["name"]):
        role = found["appos"] or _role_before(before[: sentence_start + 1 + found.start("name")])
        return found["name"], role
    after = paragraph[match.end() : match.end() + WINDOW]
    found = AFTER_NAME_FIRST.match(after)
    if found and story.is_speaker(found["name"]):
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
        surname = SURNAME_FIRST.match(tail)  # “…,” said Massagué.
        if surname and story.is_speaker(surname[1]):
            return surname[1], None
    return None


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


def _split_affiliation(role, abbreviations):
    """“physician-scientist at SKI” → (“physician-scientist”, “Sloan Kettering Institute”)."""
    role = " ".join(role.split()).strip(" .,;:")
    parts = AFFILIATION_SPLIT.split(role, maxsplit=1)
    if len(parts) == 2:
        role, affiliation = parts[0], re.sub(r"^the\s+", "", parts[1])
        affiliation = re.split(r"\s+and\s+(?=the\b|[a-z])", affiliation)[0].strip(" .,;")
        affiliation = re.sub(r"\s*\([A-Z&]{2,10}\)$", "", affiliation)
        return role, abbreviations.get(affiliation, affiliation)
    for word in re.findall(r"[A-Z][A-Z&]+", role):
        if word in abbreviations:
            return role, abbreviations[word]
    return role, ""
