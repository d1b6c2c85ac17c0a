"""Plain-text import: the seed story exactly as the issue states it, and the desk's own layout rules."""

import pytest

from articles.importers.story import Source
from articles.importers.text import parse
from articles.models import Article, Citation, Quote, Speaker, Status

from .factories import SpeakerFactory
from .importing import FIXTURES, SEED_STORY, Run

pytestmark = pytest.mark.django_db


class TestSeed:
    @pytest.fixture
    def article(self):
        run = Run(SEED_STORY)
        assert run.ok, run.err
        return Article.objects.get()

    def test_headline_standfirst_and_status(self, article):
        assert article.headline == "Researchers discover the origins of metastasis"
        assert article.standfirst.startswith("A team of scientists from the Sloan Kettering Institute (SKI)")
        assert article.standfirst.endswith("could lead to the development of new cancer treatments.")
        assert article.status == Status.DRAFT
        assert article.external_id == "text:metastasis-origins/researchers-discover-the-origins-of-metastasis"

    def test_body_keeps_quotes_and_drops_reference_and_boilerplate(self, article):
        assert "Reference:" not in article.body
        assert "Continue reading" not in article.body
        assert "L1CAM" not in article.body
        assert "A team of scientists" not in article.body  # it is the standfirst now
        assert 'Joan Massagué explained: "We now understand metastasis' in article.body
        assert "“a completely different entity from the tumour they started in,” says" in article.body
        assert article.body.count("<p>") == 6

    def test_two_quotes_with_speakers_roles_and_affiliations(self, article):
        quotes = [
            (q.text, q.speaker.name, q.speaker_role, q.speaker_affiliation)
            for q in article.quotes.select_related("speaker")
        ]
        assert quotes == [
            (
                "We now understand metastasis as the regeneration of the wrong tissue - the tumour - in the wrong "
                "place, the distant vital organs.This is not just a metaphor. It is literally true in molecular "
                "and physiological terms.",
                "Joan Massagué",
                "oncologist",
                "Sloan Kettering Institute",
            ),
            (
                "a completely different entity from the tumour they started in",
                "Karuna Ganesh",
                "physician-scientist and SKI researcher",
                "Sloan Kettering Institute",
            ),
        ]
        assert Speaker.objects.count() == 2

    def test_one_structured_citation(self, article):
        citation = article.citations.get()
        assert citation.authors == ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."]
        assert citation.et_al is True
        assert citation.title == (
            "L1CAM defines the regenerative origin of metastasis-initiating cells in colorectal cancer"
        )
        assert (citation.journal, citation.volume, citation.pages, citation.year) == (
            "Nature Cancer",
            "1",
            "28–45",
            2020,
        )

    def test_existing_speaker_reused_by_normalised_name(self):
        existing = SpeakerFactory(name="joan massague", role="", affiliation="")
        Run(SEED_STORY)
        assert Speaker.objects.filter(normalised_name="joan massague").count() == 1
        existing.refresh_from_db()
        assert existing.role == "oncologist"  # blanks filled, the record not duplicated
        assert Quote.objects.filter(speaker=existing).count() == 1


class TestLayout:
    def test_own_story_quotes_references_and_read_more(self):
        run = Run(FIXTURES / "coral-heatwave.txt", "--status", "published")
        assert run.ok, run.err
        article = Article.objects.get()
        assert article.status == Status.PUBLISHED and article.published_at is not None
        assert "Read more" not in article.body and "Coral Reefs" not in article.body
        quotes = [(q.speaker.name, q.speaker_role, q.speaker_affiliation) for q in article.quotes.all()]
        assert quotes == [
            ("Amara Osei", "marine biologist", "University of Ghana"),
            ("Tomasz Wierzbicki", "oceanographer", "Marine Research Institute"),
        ]
        # A scare quote with no one saying it is not a Quote.
        assert "quick take" not in [q.text for q in article.quotes.all()]
        citations = list(article.citations.all())
        assert [c.journal for c in citations] == ["Coral Reefs", "Mar Ecol Prog Ser"]
        assert citations[0].doi == "10.1007/s00338-025-02601-9"
        assert (citations[0].issue, citations[0].first_page, citations[0].last_page) == ("2", "301", "315")
        assert citations[1].pmid == "36123456"
        assert citations[1].authors == ["Mensah, K.", "Osei, A."]

    def test_headline_joined_to_first_paragraph_and_no_extras(self):
        source = Source(label="x.text", base_dir=FIXTURES, path=FIXTURES / "plain-no-extras.text")
        (story,) = parse(source)
        assert story.headline == "A quiet week at the observatory"
        assert story.standfirst == "This line continues the first paragraph straight after the headline."
        assert story.body == "<p>Nobody was quoted and nothing was cited.</p>"
        assert story.quotes == [] and story.citations == []

    def test_byte_order_mark_is_not_part_of_the_headline(self):
        source = Source(label="b.txt", base_dir=FIXTURES, path=FIXTURES / "with-bom.txt")
        (story,) = parse(source)
        assert story.headline == "BOM headline stays clean"

    def test_text_with_angle_brackets_is_escaped_in_the_body(self, tmp_path):
        path = tmp_path / "maths.txt"
        path.write_text("Maths in the news\n\nIntro.\n\nWe found p < 0.05 & x > y in 3 of 4 trials.\n")
        assert Run(path).ok
        assert Article.objects.get().body == "<p>We found p &lt; 0.05 &amp; x &gt; y in 3 of 4 trials.</p>"

    def test_citations_are_real_rows(self):
        Run(FIXTURES / "coral-heatwave.txt")
        assert Citation.objects.count() == 2


class TestQuoteShapes:
    """The attribution shapes the issue names, one sentence each."""

    @pytest.mark.parametrize(
        ("paragraphs", "expected"),
        [
            (
                ['Dr Ana Lima, a marine biologist at the University of Porto, studies reefs.',
                 '"Reefs recover faster than we feared," Lima said.'],
                ("Reefs recover faster than we feared", "Ana Lima", "marine biologist", "University of Porto"),
            ),
            (
                ['"The data are clear," said Tom Baker, a geologist at Imperial College London.'],
                ("The data are clear", "Tom Baker", "geologist", "Imperial College London"),
            ),
            (
                ["The European Space Agency (ESA) launched it. “We are thrilled,” says ESA engineer Maria Costa."],
                ("We are thrilled", "Maria Costa", "ESA engineer", "European Space Agency"),
            ),
            (
                ['Priya Nair explained: "Cells copy the repair programme."'],
                ("Cells copy the repair programme.", "Priya Nair", "", ""),
            ),
            (
                ["Geneticist Priya Nair runs the lab.", '"It is early days," said Nair.'],
                ("It is early days", "Priya Nair", "geneticist", ""),
            ),
            (
                ['Astronomer Peter Okoye said: "The haze is real."'],
                ("The haze is real.", "Peter Okoye", "astronomer", ""),
            ),
        ],
    )  # fmt: skip
    def test_attribution(self, paragraphs, expected):
        from articles.extraction.quotes import extract_quotes

        (quote,) = extract_quotes(paragraphs)
        assert (quote.text, quote.speaker.name, quote.speaker.role, quote.speaker.affiliation) == expected

    def test_unattributed_quotation_marks_are_not_quotes(self):
        from articles.extraction.quotes import extract_quotes

        assert extract_quotes(['Reporters called it "the find of the decade".']) == []


class TestIdentity:
    def test_same_headline_in_two_files_is_two_stories(self, tmp_path):
        (tmp_path / "monday.txt").write_text("Weekly roundup\n\nMonday's news.\n")
        (tmp_path / "friday.txt").write_text("Weekly roundup\n\nFriday's news.\n")
        assert Run(tmp_path).row("text")["created"] == 2
        assert sorted(Article.objects.values_list("slug", flat=True)) == [
            "weekly-roundup",
            "weekly-roundup-2",
        ]

    def test_edited_body_updates_the_same_story(self, tmp_path):
        path = tmp_path / "note.txt"
        path.write_text("A note\n\nFirst draft.\n\nBody one.\n")
        Run(path)
        path.write_text("A note\n\nFirst draft.\n\nBody two.\n")
        run = Run(path, "--update")
        assert run.row("text") == {"created": 0, "updated": 1, "skipped": 0, "failed": 0}
        assert Article.objects.get().body == "<p>Body two.</p>"


def test_thousands_of_quotes_and_names_in_one_paragraph():
    """Work per quote does not grow with the story (a quadratic extractor would not finish this)."""
    from itertools import islice, product
    from string import ascii_lowercase

    from articles.extraction.quotes import extract_quotes

    names = [f"A{a}{b}{c} B{c}{b}{a}" for a, b, c in islice(product(ascii_lowercase, repeat=3), 5000)]
    paragraph = " ".join(f'{name} said: "Result {n} holds." Aa Bb Cc Dd Ee.' for n, name in enumerate(names))
    quotes = extract_quotes(["A capitalised Aa Bb Cc run. " * 10000, paragraph])
    assert len(quotes) == 5000
    assert (quotes[-1].text, quotes[-1].speaker.name) == ("Result 4999 holds.", names[-1])


def test_a_first_paragraph_too_long_for_a_standfirst_stays_in_the_body(tmp_path):
    path = tmp_path / "long-intro.txt"
    intro = "A very long opening. " * 60
    path.write_text(f"Long intro\n\n{intro}\n\nSecond paragraph.\n")
    assert Run(path).ok
    article = Article.objects.get()
    assert article.standfirst == ""
    assert article.body == f"<p>{intro.strip()}</p><p>Second paragraph.</p>"
