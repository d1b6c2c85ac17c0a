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
# Middle initials (“William J. Abbott”) belong to the name; a possessive (“Princeton’s”) never starts one.
NAME = rf"(?![^\s]*['’]s\b){CAPWORD}(?:\s+(?:{PARTICLE}\s+|[{UPPER}]\.\s+)?{CAPWORD}){{1,3}}"
VERBS = (
    r"(?:said|says|say|explained|explains|added|adds|told|tells|noted|notes|commented|comments|argued|"
    r"argues|warned|warns|stated|states|remarked|remarks|continued|continues|wrote|writes|asked|asks|"
    r"replied|replies|concluded|concludes|cautioned|cautions|observed|observes|insisted|insists|according\s+to)"
)
VERB = re.compile(VERBS)
QUOTE = re.compile(r'"(?P<straight>[^"\n]{2,}?)"|“(?P<curly>[^”\n]{2,}?)”')
# Repetitions are bounded (an organisation's name is a few words), which keeps a hostile megabyte of
# capitalised words linear instead of quadratic.
ABBREVIATION = re.compile(
    rf"(?P<long>{CAPWORD}(?:\s+(?:(?:of|for|and|the|de)\s+)?{CAPWORD}){{1,7}})\s*\((?P<short>[A-Z][A-Z&]{{1,9}})\)"
)
ORG_WORDS = (
    "Institute|University|College|Hospital|Centre|Center|Laboratory|Laboratories|Lab|School|Foundation|"
    "Museum|Agency|Council|Society|Observatory|Trust|Clinic|Academy|Survey|Service|Organisation|Organization|"
    "Commission|Department|Ministry|Gardens"
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
# An apposition is a role (“, a physician-scientist at SKI”), not a relative clause (“, who led the work”).
APPOSITION = re.compile(
    r"^\s*,\s*+(?!(?:who|whom|whose|which|that|where|when)\b)(?:(?:an?|the)\s+)?(?P<appos>[^.;“”\"]{2,150})"
)
NAME_RE = re.compile(NAME)
SURNAME_FIRST = re.compile(rf"\s*({CAPWORD})\b")
CAPWORD_RE = re.compile(rf"(?<![\w'’\-]){CAPWORD}(?![\w'’\-])")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WINDOW = 300
# Job titles that can open a sentence capitalised; endings chosen so given names (Peter, Jennifer) never match.
ROLE_NOUN = re.compile(r"[A-Z][a-z\-]*(?:ist|ician|omer|archer|eer|grapher|ologist|ysician)")
HONORIFIC = re.compile(r"^(?P<title>Dr|Prof|Professor|Mr|Mrs|Ms|Mx|Sir|Dame)\.?\s+")
# Academic titles say something about the speaker, so they become the role when nothing else does.
TITLE_ROLES = {"Prof": "professor", "Professor": "professor", "Dr": "Dr"}
PRONOUN_SAID = re.compile(rf"^\s*,?\s*(?:he|she|they)\s+{VERBS}\b")
# A sentence ends at . ? ! followed by a space, unless the full stop closes an initial (“William J. Abbott”).
SENTENCE_BREAK = re.compile(r"(?<![\s.][A-Z])[.?!]\s|”")
OPENING_MARKS = re.compile(r"^\s*[“\"]")


def extract_quotes(paragraphs):
    """Every attributed quotation in the story's paragraphs, in reading order, as StoryQuotes."""
    story = _Story(paragraphs)
    quotes = []
    last_speaker = None  # (name, role): who “she said” means
    for paragraph in _join_running_quotes(paragraphs):
        previous = None  # the attribution of the paragraph's previous quote
        for match in QUOTE.finditer(paragraph):
            quoted = (match["straight"] or match["curly"]).strip()
            words = quoted.rstrip(",").strip()
            if not words or not _is_quotation(quoted):
                continue
            attribution = _attribution(paragraph, match, story)
            if attribution == PRONOUN:
                attribution = last_speaker or story.last_person_before(paragraph, match.start())
            elif attribution is None and previous is not None:
                attribution = previous  # “…,” said X. “And more.”: the second quote is X's too
            if attribution is None:
                continue
            previous = last_speaker = attribution
            quotes.append(StoryQuote(text=words, speaker=_speaker(story, *attribution)))
    return quotes


PRONOUN = ("", None)


def _speaker(story, name, role):
    title = HONORIFIC.match(name)
    name = HONORIFIC.sub("", name)
    noun, name = _leading_role(name)
    name = story.full_name(name)
    if role is not None and (role_title := re.fullmatch(r"(?P<title>Dr|Prof|Professor)\.?", role.strip())):
        role, title = None, role_title
    if role is None:
        role = noun if noun is not None else TITLE_ROLES.get(title["title"]) if title else None
    role, affiliation = story.describe(name, role)
    return StorySpeaker(name, role, affiliation)


def _is_quotation(quoted):
    """Words someone said, as opposed to scare quotes (“junk” DNA) and titles (“Silent Spring”)."""
    if quoted[-1] in ".,!?…:;":
        return True
    words = quoted.split()
    if len(words) < 4:
        return False
    long_words = [word for word in words if len(word) > 3]
    return not all(word[0].isupper() for word in long_words)


def _join_running_quotes(paragraphs):
    """A quotation over several paragraphs opens each with a quote mark and closes only the last: join them."""
    joined = []
    for paragraph in paragraphs:
        if joined and _left_open(joined[-1]) and OPENING_MARKS.match(paragraph):
            joined[-1] = f"{joined[-1].rstrip()} {OPENING_MARKS.sub('', paragraph, count=1)}"
        else:
            joined.append(paragraph)
    return joined


def _left_open(paragraph):
    return paragraph.count("“") > paragraph.count("”") or paragraph.count('"') % 2 == 1


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

    def last_person_before(self, paragraph, position):
        """(name, None) for the last person the story names before this point, for a “he said”."""
        offset = self.text.find(paragraph)
        end = offset + position if offset >= 0 else len(self.text)
        people = [
            _leading_role(HONORIFIC.sub("", match.group(0)))[1]
            for match in NAME_RE.finditer(self.text, 0, end)
        ]
        people = [person for person in people if " " in person and _is_person(person)]
        return (people[-1], None) if people else None

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
    breaks = list(SENTENCE_BREAK.finditer(before))
    sentence_start = breaks[-1].end() if breaks else 0
    found = BEFORE.search(before[sentence_start:])
    if found and story.is_speaker(found["name"]):
        role = found["appos"] or _role_before(before[: sentence_start + found.start("name")])
        return found["name"], role
    after = paragraph[match.end() : match.end() + WINDOW]
    if PRONOUN_SAID.match(after):
        return PRONOUN
    found = AFTER_NAME_FIRST.match(after)
    if found and story.is_speaker(found["name"]):
        appos = APPOSITION.match(after[found.end() :])
        return found["name"], appos["appos"] if appos else None
    if found := AFTER_VERB_FIRST.match(after):
        tail = found["tail"]
        for name in NAME_RE.finditer(tail):
            if not _is_person(name.group(0)):
                continue
            role = tail[: name.start()].strip(" ,;:")
            speaker = name.group(0)
            if HONORIFIC.match(f"{role} "):
                speaker, role = f"{role} {speaker}", ""  # “said Dr. Theo Brennan”: the title is the name's
            role = re.sub(r"^(?:an?|the)\s+|^\S+['’]s$", "", role.rstrip("."))
            if not role and (appos := APPOSITION.match(tail[name.end() :])):
                role = appos["appos"]
            return speaker, role or None
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
        if (
            word.lower() in ROLE_STOP
            or VERB.fullmatch(word.lower())
            or not (ROLE_WORD.fullmatch(word) or word.isupper())
        ):
            break
        words.insert(0, word)
        if len(words) == 4 or starts_sentence:
            break
    return " ".join(words) or None


def _split_affiliation(role, abbreviations):
    """“physician-scientist at SKI” → (“physician-scientist”, “Sloan Kettering Institute”)."""
    role = re.sub(r"^(?:an?|the)\s+", "", " ".join(role.split()).strip(" .,;:"))
    if (organisation := ORGANISATION.fullmatch(role)) and organisation["org"][0].isupper():
        return "", organisation["org"]  # “, University of Kent”: only where they work
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
