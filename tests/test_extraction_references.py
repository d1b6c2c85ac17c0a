"""parse_reference / parse_references: the reference shapes editors paste, and what they must never lose."""

import hashlib
import json
import re

import pycrfsuite
import pytest

from articles.extraction import reference_crf
from articles.extraction.references import (
    FIELDS,
    parse_reference,
    parse_references,
    parse_with,
    prepare_for_training,
)
from articles.house_style import render_text
from articles.models import Citation

from .factories import ArticleFactory

SEED_REFERENCE = (
    "Reference: Ganesh, K., Basnet, H., Kaygusuz, Y. et al. L1CAM defines the regenerative origin of "
    "metastasis-initiating cells in colorectal cancer. Nature Cancer 1, 28-45 (2020),"
)


def test_keys_are_exactly_citation_fields():
    model_fields = {field.name for field in Citation._meta.get_fields()}
    assert set(parse_reference("anything")) == set(FIELDS)
    assert set(FIELDS) <= model_fields


def test_nature_style_from_the_seed():
    citation = parse_reference(SEED_REFERENCE)
    assert citation == {
        "authors": ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."],
        "et_al": True,
        "title": "L1CAM defines the regenerative origin of metastasis-initiating cells in colorectal cancer",
        "journal": "Nature Cancer",
        "volume": "1",
        "issue": "",
        "first_page": "28",
        "last_page": "45",
        "article_number": "",
        "year": 2020,
        "doi": "",
        "url": "",
        "pmid": "",
        "raw": (
            "Ganesh, K., Basnet, H., Kaygusuz, Y. et al. L1CAM defines the regenerative origin of "
            "metastasis-initiating cells in colorectal cancer. Nature Cancer 1, 28-45 (2020)"
        ),
        "kind": "journal_article",
        "study_status": "peer_reviewed",
    }


def test_nature_style_with_issue_doi_particles_hyphenated_initials_and_short_page_range():
    citation = parse_reference(
        "van der Berg, A., Lee, J.-H. & Smith, J. A. Does coffee keep mice awake? "
        "Proc. Natl Acad. Sci. USA 117 (4), 1234–56 (2019). https://doi.org/10.1073/pnas.1900001117"
    )
    assert citation["authors"] == ["van der Berg, A.", "Lee, J.-H.", "Smith, J. A."]
    assert citation["et_al"] is False
    assert citation["title"] == "Does coffee keep mice awake?"
    assert citation["journal"] == "Proc. Natl Acad. Sci. USA"
    assert (citation["volume"], citation["issue"]) == ("117", "4")
    assert (citation["first_page"], citation["last_page"]) == ("1234", "1256")
    assert citation["year"] == 2019
    assert citation["doi"] == "10.1073/pnas.1900001117"
    assert citation["url"] == ""


def test_apa_style():
    citation = parse_reference(
        "Okafor, C., & Lindqvist, M. (2021). Tidal marsh carbon after restoration. Estuaries, 44(3), 701–715. "
        "https://doi.org/10.1007/s12237-020-00001-2"
    )
    assert citation["authors"] == ["Okafor, C.", "Lindqvist, M."]
    assert citation["year"] == 2021
    assert citation["title"] == "Tidal marsh carbon after restoration"
    assert citation["journal"] == "Estuaries"
    assert (citation["volume"], citation["issue"], citation["first_page"], citation["last_page"]) == (
        "44",
        "3",
        "701",
        "715",
    )
    assert citation["doi"] == "10.1007/s12237-020-00001-2"


def test_vancouver_style_with_pmid():
    citation = parse_reference(
        "Okafor C, Lindqvist MA, Reyes P, et al. Tidal marsh carbon after restoration. Estuaries. "
        "2021 May;44(3):701-15. doi: 10.1007/s12237-020-00001-2. PMID: 33445566."
    )
    assert citation["authors"] == ["Okafor, C.", "Lindqvist, M. A.", "Reyes, P."]
    assert citation["et_al"] is True
    assert citation["title"] == "Tidal marsh carbon after restoration"
    assert citation["journal"] == "Estuaries"
    assert (citation["year"], citation["volume"], citation["issue"]) == (2021, "44", "3")
    assert (citation["first_page"], citation["last_page"]) == ("701", "715")
    assert citation["pmid"] == "33445566"
    assert citation["doi"] == "10.1007/s12237-020-00001-2"


def test_article_number_and_journal_abbreviation_kept():
    citation = parse_reference("Ortega, T. Haze over H. sapiens worlds. Sci. Adv. 7, eabc1234 (2021).")
    assert citation["title"] == "Haze over H. sapiens worlds"
    assert citation["journal"] == "Sci. Adv."
    assert citation["article_number"] == "eabc1234"
    assert citation["first_page"] == ""


def test_unrecognised_text_is_kept_not_invented():
    citation = parse_reference("A conversation with the lab, spring 2019")
    assert citation["raw"] == "A conversation with the lab, spring 2019"
    assert citation["authors"] == []
    assert (citation["journal"], citation["doi"], citation["volume"]) == ("", "", "")


def test_values_that_would_not_fit_are_dropped_but_raw_keeps_them():
    long_title = "Word " * 150
    citation = parse_reference(f"Smith, J. {long_title}. Nature 1, 2 (3000).")
    for name in FIELDS:
        field = Citation._meta.get_field(name)
        if name != "raw" and isinstance(citation[name], str) and field.max_length:
            assert len(citation[name]) <= field.max_length, name
    assert citation["year"] is None
    assert long_title.strip() in citation["raw"]


def test_references_block_one_per_line():
    citations = parse_references(
        "References:\n"
        "1. Smith, J. Bees count to four. Nature 601, 12–15 (2022).\n\n"
        "2. Doe, A. & Roe, B. Ants do not. Cell 185, 100 (2022). https://example.org/ants\n"
    )
    assert [c["title"] for c in citations] == ["Bees count to four", "Ants do not"]
    assert citations[1]["authors"] == ["Doe, A.", "Roe, B."]
    assert citations[1]["url"] == "https://example.org/ants"


def test_references_block_numbered_on_one_line():
    citations = parse_references(
        "References: 1. Smith, J. Bees count. Nature 601, 12 (2022). 2. Doe, A. Ants do not. Cell 185, 100 (2022)."
    )
    assert [c["journal"] for c in citations] == ["Nature", "Cell"]


def test_empty_block():
    assert parse_references("Reference:   \n  ") == []


@pytest.mark.django_db
def test_result_saves_as_a_valid_citation():
    article = ArticleFactory()
    citation = Citation(article=article, **parse_reference(SEED_REFERENCE))
    citation.full_clean()
    citation.save()
    assert render_text(citation) == (
        "Ganesh, K., Basnet, H., Kaygusuz, Y. et al. L1CAM defines the regenerative origin of "
        "metastasis-initiating cells in colorectal cancer. Nature Cancer 1, 28–45 (2020)."
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Smith, J. et al. Bats hear colours. bioRxiv https://doi.org/10.1101/2020.01.01.123456 (2020).",
            {"authors": ["Smith, J."], "et_al": True, "title": "Bats hear colours", "journal": "bioRxiv",
             "year": 2020, "doi": "10.1101/2020.01.01.123456"},
        ),
        (
            "Okafor, C. et al. Reading reefs with sound. arXiv:2401.01234 (2024).",
            {"journal": "arXiv", "url": "https://arxiv.org/abs/2401.01234", "year": 2024},
        ),
        (
            "Reyes K. et al. A gut organoid platform. Nat Med 25, 1607–1614 (2019).",
            {"authors": ["Reyes, K."], "et_al": True, "title": "A gut organoid platform", "journal": "Nat Med"},
        ),
        (
            "Lee, J.-H., O’Brien, M. & García-López, Á. Déjà vu in mice. Cell Rep. 12, 100–110 (2015).",
            {"authors": ["Lee, J.-H.", "O’Brien, M.", "García-López, Á."], "title": "Déjà vu in mice"},
        ),
    ],
)  # fmt: skip
def test_more_shapes(text, expected):
    citation = parse_reference(text)
    assert {key: citation[key] for key in expected} == expected


def test_sciencedaily_layout_keeps_title_and_journal_apart():
    citation = parse_reference(
        "Alessia Nava, Luca Bondioli, Rita Vargiu. Dental enamel records early weaning in Neolithic infants. "
        "Scientific Reports, 2024; 14 (1): 3120 DOI: 10.1038/s41598-024-00001-1"
    )
    assert citation["authors"] == ["Nava, A.", "Bondioli, L.", "Vargiu, R."]
    assert citation["title"] == "Dental enamel records early weaning in Neolithic infants"
    assert citation["journal"] == "Scientific Reports"
    assert (citation["year"], citation["volume"], citation["issue"]) == (2024, "14", "1")
    assert citation["first_page"] == "3120"
    assert citation["doi"] == "10.1038/s41598-024-00001-1"


def test_chicago_style():
    citation = parse_reference(
        "Marsh, Helen, and Tom Quill. “Glacier retreat and alpine soils.” Journal of Mountain Science 18, "
        "no. 2 (2021): 301–318."
    )
    assert citation["authors"] == ["Marsh, H.", "Quill, T."]
    assert citation["title"] == "Glacier retreat and alpine soils"
    assert citation["journal"] == "Journal of Mountain Science"
    assert (citation["volume"], citation["issue"], citation["year"]) == ("18", "2", 2021)
    assert (citation["first_page"], citation["last_page"]) == ("301", "318")


def test_shipped_model_is_what_the_training_command_builds():
    """The command trains on exactly these sequences; crfsuite is deterministic, so equal digests mean equal
    models (train_reference_model run twice writes the same bytes). Training itself takes half a minute, so the
    test checks the digest of the training input and of the model file against the manifest the command wrote."""
    manifest = json.loads(reference_crf.MANIFEST_PATH.read_text())
    rows = reference_crf.read_training() + reference_crf.read_training(reference_crf.PRESS_PATH)
    sequences = reference_crf.training_sequences(rows, prepare_for_training)
    assert reference_crf.training_digest(sequences) == manifest["training_digest"]
    assert hashlib.sha256(reference_crf.MODEL_PATH.read_bytes()).hexdigest() == manifest["model_sha256"]
    assert manifest["sequences"] == len(sequences)


def test_model_ships_with_the_training_data_licence():
    licence = (reference_crf.MODEL_DIR / "LICENSE").read_text()
    assert "Sylvester Keil" in licence
    assert "Redistributions in binary form must reproduce the above copyright notice" in licence


def test_identifiers_are_ascii_digits_only():
    # "\d" also matches Arabic-Indic and other digits, which no PubMed id, DOI or year is written in: such a
    # string must not become an identifier that resolves nowhere.
    citation = parse_reference(
        "Okafor C. Tidal marsh carbon after restoration. Estuaries. 2021;44(3):701-15. PMID: ٣٣٤٤٥٥٦٦."
    )
    assert citation["pmid"] == ""
    assert citation["year"] == 2021
    assert parse_reference("Okafor C. Marsh carbon. Estuaries. ٢٠٢١;44:701-15. doi:10.١٠٠٧/x")["doi"] == ""


@pytest.mark.parametrize("number", ["(7) ", "7- ", "7 - ", "[7]. ", "[7] ", "7. "])
def test_list_numbering_is_not_part_of_the_reference(number):
    citation = parse_reference(
        f"{number}Okafor C, Lindqvist MA. Tidal marsh carbon after restoration. Estuaries. 2021;44(3):701-15."
    )
    assert citation["raw"].startswith("Okafor C, Lindqvist MA.")
    assert citation["authors"] == ["Okafor, C.", "Lindqvist, M. A."]


def test_training_labels_place_a_page_printed_with_letters():
    """The labels give "R701" as 701: the model must still learn that "R701" is the first page."""
    text = "Okafor, C. Tidal marsh carbon after restoration. Am. J. Physiol. 44, R701–R715 (2021)."
    fields = {
        "first_author_family": "Okafor", "title": "Tidal marsh carbon after restoration",
        "journal": "Am. J. Physiol", "year": 2021, "volume": "44", "first_page": "701",
    }  # fmt: skip
    tokens, labels = reference_crf.labels_for(text, fields)
    assert dict(zip([token for token, _, _ in tokens], labels, strict=True))["R701"] == "P"


def test_training_labels_tell_given_names_before_the_family_name_from_the_rest_of_the_authors():
    text = "Chidi A. Okafor and Maja Lindqvist. Tidal marsh carbon. Estuaries 44, 701–715 (2021)."
    fields = {
        "first_author_family": "Okafor", "title": "Tidal marsh carbon", "journal": "Estuaries",
        "year": 2021, "volume": "44", "first_page": "701",
    }  # fmt: skip
    tokens, labels = reference_crf.labels_for(text, fields)
    assert [token for token, _, _ in tokens[:8]] == [
        "Chidi",
        "A",
        ".",
        "Okafor",
        "and",
        "Maja",
        "Lindqvist",
        ".",
    ]
    assert labels[:8] == ["G", "G", "G", "F", "A", "A", "A", "O"]


def test_given_name_first_author():
    citation = parse_reference(
        "Chidi A. Okafor and Maja Lindqvist, “Tidal marsh carbon after restoration,” Estuaries 44, 701–715 (2021)."
    )
    assert citation["authors"] == ["Okafor, C. A.", "Lindqvist, M."]
    assert citation["title"] == "Tidal marsh carbon after restoration"


def test_typesetting_tags_are_not_text():
    citation = parse_reference(
        "Okafor, C. & Lindqvist, M. (2021). Tidal marsh carbon in <italic>Spartina</italic> meadows. "
        "<italic>Estuaries</italic>, 44(3), 701–715."
    )
    assert "<" not in citation["raw"]
    assert citation["title"] == "Tidal marsh carbon in Spartina meadows"
    assert citation["journal"] == "Estuaries"


def _labeller(labels):
    """A token labeller giving these labels (one letter a token), as the model might: it lets a test check the
    rules around the labels whatever the shipped model does with a given reference."""
    labels = labels.split()

    def label_tokens(tokens):
        assert len(tokens) == len(labels)
        return labels

    return label_tokens


def test_a_number_ending_the_journal_is_its_volume():
    """When the labeller runs the journal's name over the volume and finds no other volume, the number is the
    volume: no journal's name ends in one."""
    text = "Okafor, C. Tidal marsh carbon after restoration. Estuarine Letters B44, 701–715 (2021)."
    labels = "F A A O T T T T T O J J J O P O O O Y O O"
    citation = parse_with(text, _labeller(labels))
    assert (citation["journal"], citation["volume"], citation["first_page"]) == (
        "Estuarine Letters",
        "B44",
        "701",
    )


def test_training_leaves_out_labels_that_miss_a_printed_page_range():
    text = "Okafor C (2021) Tidal marsh carbon after restoration. Estuar Coast 44(3):701–715."
    fields = {
        "first_author_family": "Okafor", "title": "Tidal marsh carbon after restoration", "journal": "Estuar Coast",
        "year": 2021, "volume": "44", "first_page": "",
    }  # fmt: skip
    assert reference_crf.labels_for(text, fields) is None
    assert reference_crf.labels_for(text, fields | {"first_page": "701"}) is not None


def test_year_in_the_title_is_not_the_publication_year():
    text = "Okafor, C. Tidal marsh carbon, 1950–1990. Estuaries 44, 701–715, 2021."
    labels = "F A A O T T T T T T T O J V O P O O O O O"
    assert parse_with(text, _labeller(labels))["year"] == 2021


def test_year_like_page_range_is_not_the_publication_year():
    text = "Okafor, C. Tidal marsh carbon. IEEE Trans. Estuaries 44, 1805–1815 (2021)."
    labels = "F A A O T T T O J J J J V O Y O O O Y O O"
    assert parse_with(text, _labeller(labels))["year"] == 2021


def test_a_title_of_two_sentences_is_not_cut_before_the_journal():
    # Titles ask questions and run to two sentences; the model says where the title ends.
    text = (
        "Okafor CW, Reyes PL. 2015. Salt and light. Marsh grasses without a gardener? Current Opinion in Plant "
        "Biology 14: 283-289."
    )
    labels = "F A O A A O Y O T T T T T T T T T T J J J J J V O P O O O"
    citation = parse_with(text, _labeller(labels))
    assert citation["title"] == "Salt and light. Marsh grasses without a gardener?"
    assert citation["journal"] == "Current Opinion in Plant Biology"


def test_a_bracket_left_open_at_the_end_of_a_field_is_dropped():
    text = "Okafor C. Night shifts on the ward. Soins cadres (2019) 12: 40-45."
    labels = "F A O T T T T T O J J J Y O V O P O O O"
    assert parse_with(text, _labeller(labels))["journal"] == "Soins cadres"


def _toy_tagger(path, sequences):
    """A CRF trained here on a few sequences of made-up tokens, to show what decode does with a model's labels."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for words, labels in sequences:
        trainer.append(_toy_features(words), labels.split())
    trainer.train(str(path))
    return reference_crf.tagger_for(path)


def _toy_features(words):
    return [{"w=" + word: 1.0} for word in words.split()]


def _toy_tokens(words):
    return [(word, 0, 0) for word in words.split()]


def test_decoding_keeps_each_field_in_one_run(tmp_path):
    """Every training reference has each field in one run, but the likeliest labels need not (a title cut in two
    at a misread “sp. n.,”): decode never returns a field in two pieces."""
    # A model that has learnt that a full stop inside a title is no part of it.
    sequences = [("w w . w w", "T T O T T"), ("w w . j j", "T T O J J"), ("w . w w", "T O T T")]
    tagger = _toy_tagger(tmp_path / "model.crfsuite", sequences)
    words = "w w . w w"
    assert tagger.tag(_toy_features(words)) == ["T", "T", "O", "T", "T"]

    labels = "".join(reference_crf.decode(tagger, _toy_tokens(words), _toy_features(words)))
    assert len(labels) == 5
    assert all(len(re.findall(f"{label}+", labels)) <= 1 for label in reference_crf.ONE_RUN), labels
    assert reference_crf.decode(tagger, [], []) == []


def test_decoding_finds_a_title_when_the_model_found_only_a_journal(tmp_path):
    # Every training reference has a title: the likeliest stretch before the journal becomes it.
    sequences = [("a . w w . j", "F O O O O J"), ("a . t t . j", "F O T T O J")]
    tagger = _toy_tagger(tmp_path / "model.crfsuite", sequences)
    words = "a . w w . j"
    assert "T" not in tagger.tag(_toy_features(words))
    assert reference_crf.decode(tagger, _toy_tokens(words), _toy_features(words)) == [
        "F",
        "O",
        "T",
        "T",
        "O",
        "J",
    ]


def test_the_number_before_an_issue_and_a_colon_is_the_volume():
    text = "Okafor C. Marsh carbon. Estuaries. 2011. 27(17): 105-113."
    labels = "F A O T T O J O Y O O O O O O P O O O"
    citation = parse_with(text, _labeller(labels))
    assert (citation["volume"], citation["issue"], citation["first_page"]) == ("27", "17", "105")
    # An issue printed after a bracketed volume, or after “n°”, is not a volume.
    text = "Okafor C. Marsh carbon. Estuaries n°13: 105-113."
    assert parse_with(text, _labeller("F A O T T O J O O O O P O O O"))["volume"] == ""


def test_known_journal_names_are_found_word_by_word():
    rows = [
        {"journal": "J. Biol. Chem."},
        {"journal": "J Biol Chem"},
        {"journal": "Estuaries"},
        {"journal": "D"},
    ]
    names = reference_crf.journal_names(rows)
    assert names == {("j", "biol", "chem"): 2, ("estuaries",): 1}
    gazetteer = reference_crf.Gazetteer(names)
    tokens = reference_crf.tokenize(
        "Okafor C. D. Marsh carbon. J Biol. Chem. 44, 701 (2021); Estuaries 2, 3."
    )
    assert [(tokens[first][0], tokens[last][0]) for first, last in gazetteer.matches(tokens)] == [
        ("J", "Chem"),
        ("Estuaries", "Estuaries"),
    ]
    # In training, a reference's own journal counts only when another reference names it too: the model
    # learns to read journals it has never seen, as it must.
    assert len(gazetteer.matches(tokens, without=("estuaries",))) == 1
    assert len(gazetteer.matches(tokens, without=("j", "biol", "chem"))) == 2
    features = reference_crf.features(tokens, gazetteer)
    assert "journal_known=3p" in features[[token for token, _, _ in tokens].index("Biol")]
