"""The trained part of reference parsing: a CRF (python-crfsuite) that labels each token of a reference.

Labels: ``F`` first author's family name, ``G`` the author text before it (“Jane Q.” in “Jane Q. Smith”),
``A`` the rest of the author list, ``T`` title, ``J`` journal,
``Y`` year, ``V`` volume, ``P`` first page, ``O`` anything else. The model ships in ``reference_model/``
next to its training data (AnyStyle's labelled references, BSD-2-Clause: see the LICENSE there);
``manage.py train_reference_model`` rebuilds it byte for byte.

Training data gives each field's value, not each token's label, so :func:`labels_for` finds the values in
the reference to label its tokens. The journal names the training data gives are also a gazetteer: a stretch
of a reference that spells one is a feature of its tokens (see :class:`Gazetteer`).
"""

import hashlib
import json
import re
from collections import Counter
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pycrfsuite

CRFSUITE_VERSION = version("python-crfsuite")

MODEL_DIR = Path(__file__).parent / "reference_model"
MODEL_PATH = MODEL_DIR / "references.crfsuite"
TRAINING_PATH = MODEL_DIR / "training.jsonl"
MANIFEST_PATH = MODEL_DIR / "manifest.json"
# References in the layouts press releases use (Nature, ScienceDaily, Vancouver, APA, Chicago, Science), written
# for this project with invented names and titles: the shared set has few of them. Never used for scoring.
PRESS_PATH = MODEL_DIR / "press.jsonl"

# Letters joined by hyphens or apostrophes stay one token (“Pérez-Higueras”, “O'Neil”); “161-220” does not. So do
# letters with a combining or spacing accent that PDF copy leaves apart (“Arbel´aez”, “Ko\u0308llner”).
TOKEN = re.compile(r"\w+(?:['’\-‐´¨](?=[^\W\d_])\w+|[\u0300-\u036f]+\w*)*|\S")
# What ends the first author's name as printed: the shapes of the words before it tell “Mark C. Suchman”
# (family name last) from “Goss DL” (family name first).
NAME_ENDS = frozenset(",;:&()[]") | {"and", "et", "und", "y"}
SHAPE_RUNS = re.compile(r"(.)\1+")
# Typesetting tags some sources leave in a reference (“<italic>Nature</italic>”): markup, not text.
MARKUP = re.compile(r"</?(?:italic|i|em|b|bold|strong|sc|u)>", re.IGNORECASE)
TRAINING_PARAMS = {
    "c1": 0.05,
    "c2": 0.05,
    "max_iterations": 500,
    "feature.possible_transitions": True,
    "feature.minfreq": 2,
}
# “(11):3059–3071”, “: 197-204”, “, pp. 5–9” after a volume.
PAGES_AFTER_VOLUME = re.compile(
    r"\s*(?:\([^()]{1,20}\))?\s*[:,]\s*(?:pp?\.?\s*)?[A-Za-z]?\d+\s*[-–—‐]\s*[A-Za-z]?\d+"
)
FIELD_LABELS = (("title", "T"), ("journal", "J"), ("year", "Y"), ("volume", "V"), ("first_page", "P"))
QUOTES = set("\"“”„«»'‘’`")
# Labels of which a training reference has at most one run: each field is one stretch of the reference.
ONE_RUN = "FTJYVP"


def _words(text):
    return frozenset(text.split())


# Words that mark a journal's name, in full or abbreviated (“J.”, “Proc.”, “Geophys.”): a hint for the words the
# training data has seen too rarely to have learnt them.
JOURNAL_WORDS = _words(
    """
    acad academy acta adv advances am amer american ann annals annu annual appl applied arch archives assoc bull
    bulletin cahiers chem chemistry clin clinical commun communications comput curr current ecol econ environ eng
    engineering eur european exp gen geol geophys hist int intl j jour journal lett letters mag magazine math med
    medicine mol natl neurosci philos phys physics physiol proc proceedings psychol q quarterly rep reports res
    research rev review revista revue rivista sci science sciences ser series soc societe society stud studies
    trans transactions zeitschrift zh zool
    """
)
# Months and seasons (English, French, German, Spanish): a date beside the year, never a volume or a page.
MONTHS = _words(
    """
    jan january feb february mar march apr april may jun june jul july aug august sep sept september oct october
    nov november dec december spring summer fall autumn winter janvier février mars avril mai juin juillet août
    septembre octobre novembre décembre printemps été automne hiver januar februar märz juni juli oktober dezember
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    """
)
# Words that announce a volume, an issue or pages: the number after them is labelled by what they say.
MARKERS = {
    **dict.fromkeys(("vol", "volume", "vols", "bd", "jg", "t", "tome", "v"), "vol"),
    **dict.fromkeys(("no", "nr", "n", "n°", "nº", "issue", "heft", "fasc", "num"), "no"),
    **dict.fromkeys(("p", "pp", "pages", "page", "s", "pg", "pgs"), "pp"),
}
OPENERS, CLOSERS = set("([{"), set(")]}")


def tokenize(text):
    """(token, start, end) for each token of text."""
    return [(match.group(), match.start(), match.end()) for match in TOKEN.finditer(text)]


def strip_markup(text):
    return MARKUP.sub("", text)


def _shape(token):
    shape = "".join("X" if c.isupper() else "x" if c.isalpha() else "d" if c.isdigit() else c for c in token)
    return SHAPE_RUNS.sub(r"\1\1", shape)


def _token_features(tokens):
    """The per-token part of the features (word, shape, what kind of number); context is added after."""
    words = []
    for token, _, _ in tokens:
        lower = token.lower()
        kind = "w"
        if token.isdigit():
            value = int(token)
            kind = "year" if len(token) == 4 and 1600 <= value <= 2100 else f"num{min(len(token), 5)}"
        elif len(token) == 1 and not token.isalnum():
            kind = "p"
        elif len(token) == 1 and token.isupper():
            kind = "init"
        words.append((lower, _shape(token), kind))
    return words


def journal_names(rows):
    """The journals the labelled rows name, as word tuples (“J. Biol. Chem.” → ("j", "biol", "chem")), each
    with how many rows name it: the gazetteer the ``journal_known`` features look names up in."""
    names = Counter(_journal_key(row.get("journal")) for row in rows)
    # A name of one or two letters (“D” of “Physical Review D” cut short) would match every initial.
    return Counter({key: count for key, count in names.items() if len("".join(key)) > 2})


def _journal_key(journal):
    words = tokenize(" ".join(strip_markup(journal or "").split()))
    return tuple(token.lower() for token, _, _ in words if token[0].isalnum())


@cache
def _shipped_journals():
    return Gazetteer(journal_names(read_training() + read_training(PRESS_PATH)))


class Gazetteer:
    """Journal names to find in a reference, word by word; ``without`` is one name to ignore when it is named
    only once (in training, a reference's own journal: the model must learn what a journal it has never seen
    looks like, as every new reference's may be)."""

    def __init__(self, names):
        self.names = names
        self.prefixes = {key[:end] for key in names for end in range(1, len(key) + 1)}

    def matches(self, tokens, without=()):
        """(first token, last token) of each known journal name in tokens, longest first, left to right."""
        words = [i for i, (token, _, _) in enumerate(tokens) if token[0].isalnum()]
        lowered = [tokens[i][0].lower() for i in words]
        found = []
        start = 0
        while start < len(words):
            best = 0
            for end in range(start + 1, len(words) + 1):
                key = tuple(lowered[start:end])
                if key not in self.prefixes:
                    break
                if self.names.get(key, 0) - (key == without) > 0:
                    best = end
            if best:
                found.append((words[start], words[best - 1]))
                start = best
            else:
                start += 1
        return found


def features(tokens, journals=None, without=()):
    """CRF features for each token: itself, its neighbours, and where it stands in the reference.

    ``journals`` is the gazetteer of known journal names (by default the shipped training data's).
    """
    words = _token_features(tokens)
    count = len(tokens)
    known = [""] * count
    for first, last in (journals or _shipped_journals()).matches(tokens, without):
        words_in = sum(1 for i in range(first, last + 1) if words[i][2] != "p")
        size = "1" if words_in == 1 else "2" if words_in == 2 else "3"
        after = words[last + 1][2][0] if last + 1 < count else "$"
        for i in range(first, last + 1):
            known[i] = size + after
        if first:
            known[first - 1] = known[first - 1] or "before"
    # A full stop after a word of two or more letters ends a part; after an initial (“J.”) or what looks like
    # an abbreviation in a journal's name (“Geophys.”, “Res.”) it does not.
    ends_part = [
        token in ".?!" and i > 0 and _ends_sentence(tokens[i - 1][0])
        for i, (token, _, _) in enumerate(tokens)
    ]
    numbers_after = [False] * count
    year_after = [False] * count
    for i in range(count - 2, -1, -1):
        numbers_after[i] = numbers_after[i + 1] or words[i + 1][2][0] in "ny"
        year_after[i] = year_after[i + 1] or words[i + 1][2] == "year"
    # What each part (the text between two part-ending full stops) holds: a short part of words followed by
    # numbers reads as a journal, a long one as a title.
    part_of, part_sizes, part_numbers = [], [0], [False]
    for i, (_, _, kind) in enumerate(words):
        part_of.append(len(part_sizes) - 1)
        part_sizes[-1] += 1
        part_numbers[-1] = part_numbers[-1] or kind[0] in "ny"
        if ends_part[i]:
            part_sizes.append(0)
            part_numbers.append(False)
    lexicon = [(lower in JOURNAL_WORDS, lower in MONTHS) for lower, _, _ in words]
    name_end, name = _first_name_shape(tokens, words, ends_part)
    parts_left = sum(ends_part)
    result = []
    depth = quoted = parts = commas = 0
    seen_year = False
    marker = ""
    for i, ((token, _, _), (lower, shape, kind)) in enumerate(zip(tokens, words, strict=True)):
        part = part_of[i]
        size = part_sizes[part]
        feats = [
            "w=" + lower,
            "s=" + shape,
            "k=" + kind,
            "p3=" + lower[:3],
            "x3=" + lower[-3:],
            f"pos={10 * i // count:d}",
            f"parts={min(parts, 6):d}",
            f"left={min(parts_left, 6):d}",
            f"commas={min(commas, 3):d}",
            f"depth={min(depth, 1):d}",
            f"quoted={quoted:d}",
            f"year_seen={seen_year:d}",
            f"year_after={year_after[i]:d}",
            f"numbers_after={numbers_after[i]:d}",
            f"part_size={1 if size < 4 else 2 if size < 10 else 3}",
            f"part_numbers={part_numbers[part]:d}",
        ]
        if i < name_end:
            feats.append("name=" + name)
        if lexicon[i][0]:
            feats.append("journal_word")
        if known[i]:
            feats.append("journal_known=" + known[i])
        if lexicon[i][1]:
            feats.append("month")
        if marker and (kind != "w" or any(c.isdigit() for c in token)):
            feats.append("after=" + marker)
        if i == 0 or part_of[i - 1] != part:
            feats.append("part_first")
        if i + 1 == count or part_of[i + 1] != part:
            feats.append("part_last")
        if i:
            prev_lower, prev_shape, prev_kind = words[i - 1]
            feats += ["w-1=" + prev_lower, "s-1=" + prev_shape, "k-1k=" + prev_kind + kind]
            if lexicon[i - 1][0]:
                feats.append("journal_word-1")
            if lexicon[i - 1][1]:
                feats.append("month-1")
            if i > 1:
                feats += ["w-2=" + words[i - 2][0], "s-2=" + words[i - 2][1]]
        else:
            feats.append("BOS")
        if i + 1 < count:
            next_lower, next_shape, next_kind = words[i + 1]
            feats += ["w+1=" + next_lower, "s+1=" + next_shape, "kk+1=" + kind + next_kind]
            if lexicon[i + 1][0]:
                feats.append("journal_word+1")
            if lexicon[i + 1][1]:
                feats.append("month+1")
            if i + 2 < count:
                feats += ["w+2=" + words[i + 2][0], "s+2=" + words[i + 2][1]]
                if i + 3 < count:
                    feats.append("s+3=" + words[i + 3][1])
        else:
            feats.append("EOS")
        result.append(feats)
        if token in OPENERS:
            depth += 1
        elif token in CLOSERS:
            depth = max(depth - 1, 0)
        elif token in QUOTES:
            quoted = 1 - quoted
        elif token == ",":
            commas += 1
        elif ends_part[i]:
            parts += 1
            parts_left -= 1
            commas = 0
        if kind == "year":
            seen_year = True
        # The marker a number follows (“vol. 12”, “no 3”, “pp. 5”), across the full stop or colon after it.
        if lower in MARKERS:
            marker = MARKERS[lower]
        elif token not in ".:°º":
            marker = ""
    return result


def _first_name_shape(tokens, words, ends_part):
    """Where the first name as printed ends, and its shape: a word (W), a short capitalised one (U, “DL”), a
    long one (C, “ZHANG”), an initial (I), a lower-case particle (l), anything else (o); stops are left out."""
    shape = []
    end = 0
    for end, ((token, _, _), (lower, _, kind)) in enumerate(zip(tokens, words, strict=False)):
        if token in NAME_ENDS or lower in NAME_ENDS or ends_part[end] or len(shape) == 6:
            break
        if token == ".":
            continue
        if kind == "init":
            shape.append("I")
        elif token.isupper() and token.isalpha():
            shape.append("U" if len(token) <= 3 else "C")
        elif token[0].isupper():
            shape.append("W")
        else:
            shape.append("l" if token.isalpha() else "o")
    else:
        end = len(tokens)
    return end, "".join(shape)


def _ends_sentence(word):
    return len(word) > 1 and not (word[0].isupper() and word[1:].islower() and len(word) <= 7)


@cache
def _tagger():
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL_PATH))
    return tagger


def tag(tokens):
    """One label per token, from the shipped model (loaded once per process)."""
    return decode(_tagger(), tokens, features(tokens))


def decode(tagger, tokens, xseq):
    """The model's likeliest labels, with each field in one run, as in every training reference.

    When the likeliest sequence splits a field (a title cut in two at the “sp. n.,” inside it, a second year in
    the journal's name), the likeliest of the sequences that join its runs or keep only one of them is taken.
    Few references need it, so the cost of scoring candidates is rarely paid.
    """
    if not xseq:
        return []
    tagger.set(xseq)
    labels = tagger.tag()
    for label in ONE_RUN:
        runs = _label_runs(labels, label)
        if len(runs) < 2:
            continue
        joined = labels[:]
        joined[runs[0][0] : runs[-1][1]] = [label] * (runs[-1][1] - runs[0][0])
        candidates = [joined] + [_keep_run(tagger, labels, runs, keep, label) for keep in runs]
        labels = max(candidates, key=tagger.probability)
    if "J" in labels and "T" not in labels and not _runs_over_a_part(labels, tokens, "J"):
        # Every training reference has a title as well as a journal: the likeliest stretch to be it. (A journal
        # that runs over a full stop holds the title: parse_reference splits it there.)
        labels = max(_title_candidates(labels, tokens), key=tagger.probability, default=labels)
    return labels


def _runs_over_a_part(labels, tokens, label):
    """Whether label runs over a full stop or question mark after a word (references.py splits it there)."""
    inside = [i for i, current in enumerate(labels) if current == label][1:-1]
    return any(tokens[i][0] in ".?!" and len(tokens[i - 1][0]) > 1 for i in inside)


def _title_candidates(labels, tokens):
    """labels with a title made of a stretch the model left unlabelled, or of the end of the author list after
    one of its commas or full stops (“Birch, A Case Study of Group Ideology”)."""
    word = [token[0].isalnum() for token, _, _ in tokens]
    stretches = _label_runs(labels, "O")
    for start, end in _label_runs(labels, "A"):
        stretches += [(i + 1, end) for i in range(start, end) if not word[i]]
    candidates = []
    journal = labels.index("J")
    for start, end in stretches:
        end = min(end, journal)
        while start < end and not word[start]:
            start += 1
        while end > start and not word[end - 1]:
            end -= 1
        if start < end:
            candidates.append(labels[:start] + ["T"] * (end - start) + labels[end:])
    return candidates


def _label_runs(labels, label):
    """(start, end) of each run of label in labels, end exclusive."""
    runs = []
    for i, current in enumerate(labels):
        if current == label:
            if runs and runs[-1][1] == i:
                runs[-1][1] = i + 1
            else:
                runs.append([i, i + 1])
    return runs


def _keep_run(tagger, labels, runs, keep, label):
    """labels with every run of label but keep given the likeliest other label at each of its positions."""
    others = [other for other in tagger.labels() if other != label]
    kept = labels[:]
    for run in runs:
        if run is not keep:
            for i in range(*run):
                kept[i] = max(others, key=lambda other, i=i: tagger.marginal(other, i))
    return kept


def labels_for(text, fields):
    """Token labels for a training reference, found by locating each labelled value in its text.

    Returns None when a value cannot be placed, so that reference is left out of training.
    """
    tokens = tokenize(text)
    spans = {}
    taken = []

    def free(start, end):
        return all(end <= s or start >= e for s, e in taken)

    def place(label, value, whole_word, after=0):
        if not value:
            return True
        pattern = re.escape(value)
        if whole_word:
            pattern = rf"(?<!\w){pattern}(?!\w)"
        matches = [m for m in re.finditer(pattern, text) if free(m.start(), m.end())]
        if not matches and label == "P":
            # The labels drop a page's letters: “R1250”, “e0165139”, “p245” and “A44” are labelled 1250,
            # 0165139, 245 and 44. The model learns the page as printed.
            pattern = rf"(?<!\w)[A-Za-z]{{1,2}}{re.escape(value)}(?!\w)"
            matches = [m for m in re.finditer(pattern, text) if free(m.start(), m.end())]
        if not matches:
            return False
        later = [m for m in matches if m.start() >= after]
        match = (later or matches)[0]
        spans[label] = (match.start(), match.end())
        taken.append(spans[label])
        return True

    if _pages_left_out(text, fields):
        return None
    for name, label in FIELD_LABELS:
        value = str(fields.get(name) or "")
        after = 0
        if label == "V" and "J" in spans:
            after = spans["J"][1]
        elif label == "P":
            after = spans.get("V", spans.get("J", (0, 0)))[1]
        if not place(label, value, whole_word=label in "YVP", after=after):
            return None
    if not place("F", fields.get("first_author_family") or "", whole_word=True):
        return None

    labels = ["O"] * len(tokens)
    for label, (start, end) in spans.items():
        for i, (_, token_start, token_end) in enumerate(tokens):
            if token_start >= start and token_end <= end:
                labels[i] = label
    # The author list: the unlabelled tokens around the first author's family name.
    family = [i for i, label in enumerate(labels) if label == "F"]
    if family:
        low = family[0]
        while low > 0 and labels[low - 1] == "O":
            low -= 1
        high = family[-1]
        while high + 1 < len(labels) and labels[high + 1] == "O":
            high += 1
        while low < family[0] and not tokens[low][0][0].isalnum():
            low += 1
        while high > family[-1] and not tokens[high][0][0].isalnum():
            high -= 1
        for i in range(low, high + 1):
            if labels[i] == "O":
                labels[i] = "G" if i < family[0] else "A"
    return tokens, labels


def _pages_left_out(text, fields):
    """A few labels give no first page for a reference that prints a page range right after its volume
    (“Clay Miner 51:197–204”): learning from them would teach the model that such pages are not pages."""
    volume = str(fields.get("volume") or "")
    if fields.get("first_page") or not volume:
        return False
    volumes = re.finditer(rf"(?<!\w){re.escape(volume)}(?!\w)", text)
    return any(PAGES_AFTER_VOLUME.match(text, match.end()) for match in volumes)


def read_training(path=TRAINING_PATH):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def training_sequences(rows, prepare):
    """(features, labels) for every row whose fields could be placed in its text, in the rows' order.

    The gazetteer is the rows' own journals, each row's left out when no other row names it.
    """
    journals = Gazetteer(journal_names(rows))
    sequences = []
    for row in rows:
        # The text is cleaned before labelling (parse_reference cleans it too), so the values are as well.
        fields = {
            key: " ".join(strip_markup(value).split()) if isinstance(value, str) else value
            for key, value in row.items()
        }
        labelled = labels_for(prepare(row["reference"]), fields)
        if labelled is not None:
            tokens, labels = labelled
            sequences.append((features(tokens, journals, _journal_key(row.get("journal"))), labels))
    return sequences


def training_digest(sequences):
    """SHA-256 of everything crfsuite is given: the parameters, its version and every sequence in order."""
    digest = hashlib.sha256(json.dumps([TRAINING_PARAMS, CRFSUITE_VERSION], sort_keys=True).encode())
    for feats, labels in sequences:
        digest.update(json.dumps([feats, labels], ensure_ascii=False).encode())
    return digest.hexdigest()


def train(sequences, model_path):
    """Train a model on the sequences. crfsuite's L-BFGS is deterministic: the same sequences, in the same order,
    give the same model file, so :func:`training_digest` stands for the model it produces."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for feats, labels in sequences:
        trainer.append(feats, labels)
    trainer.set_params(TRAINING_PARAMS)
    trainer.train(str(model_path))


def build(prepare, model_path=MODEL_PATH, manifest_path=MANIFEST_PATH):
    """Rebuild the shipped model from the shipped training data, with a manifest of what it was built from.

    ``prepare`` is references.prepare_for_training: the model learns from the text parse_reference gives it.
    """
    sequences = training_sequences(read_training() + read_training(PRESS_PATH), prepare)
    train(sequences, model_path)
    manifest = {
        "training_digest": training_digest(sequences),
        "model_sha256": hashlib.sha256(Path(model_path).read_bytes()).hexdigest(),
        "sequences": len(sequences),
        "params": TRAINING_PARAMS,
        "python_crfsuite": CRFSUITE_VERSION,
    }
    Path(manifest_path).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def tagger_for(model_path):
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    return tagger
