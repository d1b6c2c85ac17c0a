"""Reference parsing accuracy by k-fold cross-validation on the labelled references, and its cost per reference.

    .venv/bin/python bench/bench_references.py [--folds 5] [--data FILE] [--errors 20]

The references (by default the shipped copy of the shared set, articles/extraction/reference_model/training.jsonl)
are dealt into k folds by position (reference i goes to fold i mod k). For each fold a CRF is trained on the other
folds plus the press-layout references written for this project (press.jsonl, never scored), exactly as
`manage.py train_reference_model` trains the shipped one, and `parse_reference`'s pipeline runs on
the held-out fold with that model. The journal names the features look up are those of the training folds
only, as the shipped model's are those of its training data. So every figure is on references the model
never saw, and no held-out journal name is known to it unless a training reference names it too.

A field is right when it equals the label after collapsing white space and trimming the punctuation and quotes
that the labels themselves trim ("60," is labelled 60); the DOI ignores case. The first page counts an
article number ("e71131") as a first page, because Citation stores those apart.

Three differences are counted as right because the label says the same thing in another form (see
docs/references.md); the bench prints how many of each it accepted, and "every field right" both with and
without them:

- a first page printed with letters the labels drop: "R1250" and "e0165139" are labelled 1250 and 0165139;
- a DOI read out of a doi.org address that the labels file as a URL with no DOI, and a DOI labelled with the
  closing bracket of "(doi:10.1/x)" or "[doi>10.1/x]";
- a first author's family name with its particle ("van Zutphen", "de Vries"), labelled without it;
- a title or journal labelled with typesetting tags ("<italic>Nature</italic>"), which parse_reference drops.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")

import django

django.setup()

from articles.extraction import reference_crf  # noqa: E402
from articles.extraction.references import parse_with, prepare_for_training  # noqa: E402

FIELDS = ("first_author_family", "title", "journal", "year", "volume", "first_page", "doi")
TRIM = " \t.,;:\"“”„«»‘’`'"
OPENER = {")": "(", "]": "["}
PARTICLES = re.compile(r"(?:(?:van|von|de|der|den|di|da|du|del|della|le|la|ter|ten)\s+)+")


def normal(value):
    return " ".join(str(value or "").split()).strip(TRIM)


def equivalent(name, got, want, reference):
    """The label and the parse say the same in two forms (the module docstring lists them)."""
    if not got:
        return False
    if name == "first_page":
        return bool(want) and re.fullmatch(rf"[A-Za-z]{{1,2}}{re.escape(want)}", got) is not None
    if name == "doi":
        if not want:  # the whole address, not a DOI cut short by a space inside it
            address = rf"doi\.\s?org/{re.escape(got)}(?=[.,;)\]]*(?:$|\s+\W))"
            return re.search(address, reference, re.IGNORECASE) is not None
        closer = want[-1]
        return closer in OPENER and want.count(closer) > want.count(OPENER[closer]) and got == want[:-1]
    if name == "first_author_family":
        return PARTICLES.match(got) is not None and PARTICLES.sub("", got, count=1) == want
    return got == normal(reference_crf.strip_markup(want))


def predicted(citation):
    authors = citation["authors"]
    return {
        "first_author_family": authors[0].split(",")[0] if authors else "",
        "title": citation["title"],
        "journal": citation["journal"],
        "year": citation["year"] or "",
        "volume": citation["volume"],
        "first_page": citation["first_page"] or citation["article_number"],
        "doi": citation["doi"].lower(),
    }


def expected(row):
    return {**{name: row[name] for name in FIELDS}, "doi": (row["doi"] or "").lower()}


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--data", default=str(reference_crf.TRAINING_PATH))
    parser.add_argument("--errors", type=int, default=0, help="show this many wrongly parsed references")
    args = parser.parse_args()

    rows = reference_crf.read_training(args.data)
    press = reference_crf.read_training(reference_crf.PRESS_PATH)
    right = dict.fromkeys(FIELDS, 0)
    all_right = strictly_all_right = 0
    accepted = dict.fromkeys(FIELDS, 0)
    errors = []
    seconds = []
    with tempfile.TemporaryDirectory() as scratch:
        for fold in range(args.folds):
            model = Path(scratch) / f"fold{fold}.crfsuite"
            train = [row for i, row in enumerate(rows) if i % args.folds != fold] + press
            test = [row for i, row in enumerate(rows) if i % args.folds == fold]
            started = time.perf_counter()
            reference_crf.train(reference_crf.training_sequences(train, prepare_for_training), model)
            trained_in = time.perf_counter() - started
            tagger = reference_crf.tagger_for(model)
            # The journals the fold's model may know are the training folds' only.
            journals = reference_crf.Gazetteer(reference_crf.journal_names(train))

            def label(tokens, tagger=tagger, journals=journals):
                return reference_crf.decode(tagger, tokens, reference_crf.features(tokens, journals))

            started = time.perf_counter()
            citations = [parse_with(row["reference"], label) for row in test]
            seconds.append((time.perf_counter() - started) / len(test))
            for row, citation in zip(test, citations, strict=True):
                got, want = predicted(citation), expected(row)
                differ = [name for name in FIELDS if normal(got[name]) != normal(want[name])]
                wrong = [
                    name
                    for name in differ
                    if not equivalent(name, normal(got[name]), normal(want[name]), row["reference"])
                ]
                for name in FIELDS:
                    right[name] += name not in wrong
                    accepted[name] += name in differ and name not in wrong
                all_right += not wrong
                strictly_all_right += not differ
                if wrong:
                    errors.append((row["reference"], {name: (got[name], want[name]) for name in wrong}))
            print(
                f"fold {fold + 1}/{args.folds}: trained on {len(train)} in {trained_in:.0f} s, tested on {len(test)}"
            )

    total = len(rows)
    print(
        f"\n{total} references, {args.folds}-fold cross-validation (never scored on a fold it trained on)\n"
    )
    print("| field | accuracy |\n|---|---|")
    for name in FIELDS:
        print(f"| {name.replace('_', ' ')} | {100 * right[name] / total:.1f}% |")
    print(f"| **mean over fields** | **{100 * sum(right.values()) / (total * len(FIELDS)):.1f}%** |")
    print(f"\nEvery field right: {100 * all_right / total:.1f}% ({all_right} of {total})")
    print(
        f"Every field exactly as labelled: {100 * strictly_all_right / total:.1f}% ({strictly_all_right}); "
        "accepted as the same in another form: "
        + ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in accepted.items() if count)
    )
    print(f"parse_reference: {1e6 * statistics.mean(seconds):.0f} µs per reference (mean over folds)")
    for reference, wrong in errors[: args.errors]:
        print(f"\n{reference}")
        for name, (got, want) in wrong.items():
            print(f"  {name}: got {got!r}, want {want!r}")


if __name__ == "__main__":
    main()
