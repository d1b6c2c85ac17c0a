"""What sort of work a reference cites, from the words its text uses: a preprint server, "Report",
"In: … (eds)", "Proceedings". Anything without such a sign is taken to be a journal article, the commonest
reference in science news."""

import re

from ..models.citation import Kind, StudyStatus

# Checked in this order: "In: Proceedings of …" is a conference paper, "Report of the … Conference" a report.
SIGNS = [
    (
        Kind.PREPRINT,
        re.compile(
            r"\b(?:bio|med|chem|psy|soc|eco|earth|arXiv|Research\s?Square|SSRN|Preprints\.org)Rxiv\b|\barXiv\b"
            r"|\b(?:bioRxiv|medRxiv|ChemRxiv|PsyArXiv|SocArXiv|EarthArXiv|SSRN|Research Square|Preprints\.org)\b"
            r"|\bpreprint\b",
            re.IGNORECASE,
        ),
    ),
    (
        Kind.CONFERENCE_PAPER,
        re.compile(r"\b(?:Proceedings|Proc\.|Conference|Symposium|Workshop|Congress)\b", re.IGNORECASE),
    ),
    (
        Kind.CHAPTER,
        re.compile(
            r"\bIn:?\s.{0,200}?\((?:eds?|Eds?|editors?|Hrsg)\.?\)|\bIn:\s|\bedited by\b", re.IGNORECASE
        ),
    ),
    (
        Kind.REPORT,
        re.compile(r"\b(?:report|white paper|working paper|technical note|policy brief|guidelines?)\b", re.I),
    ),
    (
        Kind.DATASET,
        re.compile(r"\b(?:data ?set|\[data\]|Zenodo|Dryad|figshare|Dataverse)\b", re.IGNORECASE),
    ),
    (Kind.BOOK, re.compile(r"\bISBN\b|\b(?:University|Academic) Press\b|\bPress,\s*\d{4}\b", re.IGNORECASE)),
]


def guess_kind(text):
    for kind, pattern in SIGNS:
        if pattern.search(text or ""):
            return kind
    return Kind.JOURNAL_ARTICLE


# What a reader is told about the research: only a journal article is taken to be peer-reviewed.
STUDY_STATUS = {
    Kind.JOURNAL_ARTICLE: StudyStatus.PEER_REVIEWED,
    Kind.PREPRINT: StudyStatus.PREPRINT,
    Kind.CONFERENCE_PAPER: StudyStatus.CONFERENCE,
}


def kind_fields(text):
    """The kind, and the study status that goes with it (a preprint has not been peer-reviewed)."""
    kind = guess_kind(text)
    return {"kind": kind.value, "study_status": STUDY_STATUS.get(kind, StudyStatus.OTHER).value}
