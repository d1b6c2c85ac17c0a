"""Citation downloads, parsed back with the libraries reference managers use."""

import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors
from citeproc.source.json import CiteProcJSON
from django.urls import reverse

from .factories import ArticleFactory, CitationFactory

pytestmark = pytest.mark.django_db


def download(client, citation, fmt):
    response = client.get(reverse("articles:cite", kwargs={"pk": citation.pk, "fmt": fmt}))
    assert response.status_code == 200
    return response


@pytest.fixture
def seed_citation():
    return CitationFactory(issue="2")


def test_bibtex_parses_back_to_the_same_fields(client, seed_citation):
    response = download(client, seed_citation, "bib")
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ganesh2020.bib"'
    library = bibtexparser.parse_string(response.content.decode(), append_middleware=[SeparateCoAuthors()])
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert entry.entry_type == "article"
    assert entry.key == "ganesh2020"
    fields = {field.key: field.value for field in entry.fields}
    assert fields == {
        "author": ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y.", "others"],
        "title": "L1CAM defines the regenerative origin of metastasis-initiating cells in colorectal cancer",
        "journal": "Nature Cancer",
        "volume": "1",
        "number": "2",
        "pages": "28--45",
        "year": "2020",
        "doi": "10.1038/s43018-019-0006-x",
    }


def test_ris_parses_back_to_the_same_fields(client, seed_citation):
    response = download(client, seed_citation, "ris")
    assert response["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    (record,) = rispy.loads(response.content.decode())
    assert record == {
        "type_of_reference": "JOUR",
        "authors": ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."],
        "title": "L1CAM defines the regenerative origin of metastasis-initiating cells in colorectal cancer",
        "journal_name": "Nature Cancer",
        "volume": "1",
        "number": "2",
        "start_page": "28",
        "end_page": "45",
        "year": "2020",
        "doi": "10.1038/s43018-019-0006-x",
        "urls": ["https://doi.org/10.1038/s43018-019-0006-x"],
        "notes": ["Author list shortened (et al.)."],
    }


def test_csl_json_reads_in_citeproc(client, seed_citation):
    response = download(client, seed_citation, "json")
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json; charset=utf-8"
    items = json.loads(response.content)
    source = CiteProcJSON(items)
    reference = source["ganesh2020"]
    assert str(reference["title"]) == seed_citation.title
    assert str(reference["container_title"]) == "Nature Cancer"
    assert [(name["family"], name["given"]) for name in reference["author"]] == [
        ("Ganesh", "K."),
        ("Basnet", "H."),
        ("Kaygusuz", "Y."),
    ]
    assert reference["issued"]["year"] == 2020
    assert str(reference["page"]) == "28-45"
    assert str(reference["DOI"]) == "10.1038/s43018-019-0006-x"


def test_awkward_values_stay_importable(client):
    citation = CitationFactory(
        title="Unbalanced {brace and\nnewline – ünïcode & <b>tags</b>",
        authors=["Ödön, Z.", "Plain Name"],
        et_al=False,
        journal="J. {Odd}",
        first_page="e123",
        last_page="",
    )
    library = bibtexparser.parse_string(download(client, citation, "bib").content.decode())
    assert library.failed_blocks == []
    fields = library.entries[0].fields_dict
    assert fields["title"].value == "Unbalanced brace and newline – ünïcode & <b>tags</b>"
    assert fields["author"].value == "Ödön, Z. and Plain Name"
    assert fields["pages"].value == "e123"
    (record,) = rispy.loads(download(client, citation, "ris").content.decode())
    assert record["title"] == "Unbalanced {brace and newline – ünïcode & <b>tags</b>"
    assert record["authors"] == ["Ödön, Z.", "Plain Name"]
    item = json.loads(download(client, citation, "json").content)[0]
    assert item["author"] == [{"family": "Ödön", "given": "Z."}, {"family": "Plain Name"}]


def test_unpublished_story_and_unknown_format_are_404(client):
    hidden = CitationFactory(article=ArticleFactory(draft=True))
    assert client.get(reverse("articles:cite", kwargs={"pk": hidden.pk, "fmt": "bib"})).status_code == 404
    shown = CitationFactory()
    assert client.get(reverse("articles:cite", kwargs={"pk": shown.pk, "fmt": "pdf"})).status_code == 404


def test_download_query_budget(client, seed_citation, django_assert_max_num_queries):
    for fmt in ("bib", "ris", "json"):
        with django_assert_max_num_queries(1):
            download(client, seed_citation, fmt)


def test_article_offers_each_download_and_doi_link(client, seed_citation):
    html = client.get(seed_citation.article.get_absolute_url()).content.decode()
    for fmt in ("bib", "ris", "json"):
        assert (
            f'href="{reverse("articles:cite", kwargs={"pk": seed_citation.pk, "fmt": fmt})}" download' in html
        )
    assert 'href="https://doi.org/10.1038/s43018-019-0006-x"' in html
    assert '<span class="visually-hidden"> file for reference 1</span>' in html
