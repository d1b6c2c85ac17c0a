"""Quotes and their speakers: every common attribution form, on text written for these tests."""

from articles.extraction.quotes import extract_quotes


def spoken(*paragraphs):
    return [
        (q.text, q.speaker.name, q.speaker.role, q.speaker.affiliation)
        for q in extract_quotes(list(paragraphs))
    ]


def test_said_name_role_at_affiliation():
    assert spoken(
        "“The reef recovered faster than any model predicted,” said Amara Osei, a marine ecologist at the "
        "University of Ghana."
    ) == [
        (
            "The reef recovered faster than any model predicted",
            "Amara Osei",
            "marine ecologist",
            "University of Ghana",
        )
    ]


def test_name_said_after_the_quote():
    assert spoken("“We did not expect the ice to move at all,” Lars Ekberg said.") == [
        ("We did not expect the ice to move at all", "Lars Ekberg", "", "")
    ]


def test_name_said_colon_before_the_quote():
    assert spoken("Mei Tanaka said: “The signal was there in every sample we took.”") == [
        ("The signal was there in every sample we took.", "Mei Tanaka", "", "")
    ]


def test_pronoun_resolves_to_the_last_named_speaker():
    quotes = spoken(
        "“Nobody had looked at the roots before,” said Priya Raman, a botanist at Kew Gardens.",
        "The roots hold more carbon than the trunks, the team found.",
        "“It changes how we count forests,” she said.",
    )
    assert quotes[1] == ("It changes how we count forests", "Priya Raman", "botanist", "Kew Gardens")


def test_pronoun_after_a_long_quote():
    long_quote = "We measured every tree on the plot, twice a year, for a decade, " * 4
    quotes = spoken(
        "Ecologist Samuel Osei Mensah led the survey for the Ghana Forestry Commission.",
        f"“{long_quote.strip()},” he said.",
    )
    assert [(q[0][:11], q[1]) for q in quotes] == [("We measured", "Samuel Osei Mensah")]


def test_according_to():
    assert spoken(
        "The samples are older than expected, “by at least two thousand years,” according to Hugo Moreau, "
        "a geochronologist at the University of Lyon."
    ) == [("by at least two thousand years", "Hugo Moreau", "geochronologist", "University of Lyon")]


def test_quote_running_over_several_paragraphs():
    quotes = spoken(
        "Elena Kowalski, a physicist at Warsaw University, said: “The first paragraph of what she said.",
        "“The second paragraph, still her words.”",
        "The paper appears in Nature.",
    )
    assert quotes == [
        (
            "The first paragraph of what she said. The second paragraph, still her words.",
            "Elena Kowalski",
            "physicist",
            "Warsaw University",
        )
    ]


def test_quote_inside_a_longer_paragraph():
    quotes = spoken(
        "The lake froze three weeks late this year. The team drilled cores at six sites. “Every core told the same "
        "story,” said Ingrid Larsen, who led the fieldwork. They now plan a second season."
    )
    assert quotes == [("Every core told the same story", "Ingrid Larsen", "", "")]


def test_scare_quotes_and_titles_are_not_quotes():
    assert (
        spoken(
            "The so-called “junk” DNA matters, Diego Castillo says “junk” is the wrong word.",
            "Castillo wrote “The Hidden Genome” in 2019, and Nadia Haddad said “Silent Spring” changed her mind.",
        )
        == []
    )


def test_titles_move_into_the_role():
    assert spoken("“Sleep is not optional,” said Prof. Theo Brennan.") == [
        ("Sleep is not optional", "Theo Brennan", "professor", "")
    ]
    assert spoken(
        "“Sleep is not optional,” said Dr. Theo Brennan, a neurologist at Trinity College Dublin."
    ) == [("Sleep is not optional", "Theo Brennan", "neurologist", "Trinity College Dublin")]


def test_role_never_keeps_the_verb_and_is_not_cut_at_an_initial():
    assert spoken("“The teeth tell us when weaning began,” Alessia Nava said, University of Kent.") == [
        ("The teeth tell us when weaning began", "Alessia Nava", "", "University of Kent")
    ]
    assert spoken(
        "“It is a clean result,” said Princeton’s William J. Abbott, a professor of chemistry at Princeton University."
    ) == [("It is a clean result", "William J. Abbott", "professor of chemistry", "Princeton University")]
