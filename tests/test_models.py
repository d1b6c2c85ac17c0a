from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.house_style import render_text
from articles.models import Article, Citation, Speaker, Status
from articles.models.speaker import normalise_name
from articles.sanitize import clean_html

from .factories import ArticleFactory, AuthorFactory, BylineFactory, CitationFactory, QuoteFactory

pytestmark = pytest.mark.django_db


class TestPublished:
    def test_excludes_drafts_review_and_future(self):
        live = ArticleFactory()
        ArticleFactory(draft=True)
        ArticleFactory(status=Status.IN_REVIEW, published_at=timezone.now() - timedelta(days=1))
        ArticleFactory(published_at=timezone.now() + timedelta(minutes=5))
        assert list(Article.objects.published()) == [live]

    def test_newest_first(self):
        old = ArticleFactory(published_at=timezone.now() - timedelta(days=2))
        new = ArticleFactory(published_at=timezone.now() - timedelta(hours=1))
        assert list(Article.objects.published()) == [new, old]

    def test_publishing_without_time_sets_now(self):
        article = ArticleFactory(status=Status.PUBLISHED, published_at=None)
        assert article.published_at is not None
        assert article.is_public

    def test_database_refuses_published_without_time(self):
        article = ArticleFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Article.objects.filter(pk=article.pk).update(published_at=None)


class TestSlugs:
    def test_slug_from_headline_and_unique(self):
        first = ArticleFactory(headline="Cells heal wounds", slug="")
        second = ArticleFactory(headline="Cells heal wounds", slug="")
        assert first.slug == "cells-heal-wounds"
        assert second.slug == "cells-heal-wounds-2"

    def test_duplicate_slug_refused_by_database(self):
        ArticleFactory(slug="same")
        with pytest.raises(IntegrityError), transaction.atomic():
            ArticleFactory(slug="same")


class TestBody:
    def test_script_and_handlers_removed_on_save(self):
        article = ArticleFactory(
            body='<p onclick="x()">Hi<script>alert(1)</script></p><a href="javascript:x">l</a>'
        )
        assert "script" not in article.body
        assert "onclick" not in article.body
        assert "javascript:" not in article.body
        assert "<p>Hi</p>" in article.body

    def test_article_markup_kept(self):
        html = '<h2>Heading</h2><figure><img src="/a.jpg" alt="A cell"><figcaption>Cap</figcaption></figure>'
        assert clean_html(html) == html

    def test_teaser_falls_back_to_first_paragraph(self):
        article = ArticleFactory(standfirst="", body="<p>The <em>first</em> one.</p><p>Second.</p>")
        assert article.teaser_text == "The first one."

    def test_reading_time(self):
        article = ArticleFactory(body="<p>" + "word " * 700 + "</p>")
        assert article.reading_minutes == 4


class TestOrdering:
    def test_bylines_keep_their_order(self):
        article = ArticleFactory()
        second, first = AuthorFactory(name="Zed"), AuthorFactory(name="Amy")
        BylineFactory(article=article, author=second, position=1)
        BylineFactory(article=article, author=first, position=0)
        assert article.byline_authors == [first, second]

    def test_quotes_ordered_by_position(self):
        article = ArticleFactory()
        late = QuoteFactory(article=article, position=2)
        early = QuoteFactory(article=article, position=1)
        assert list(article.quotes.all()) == [early, late]


class TestCitation:
    def test_seed_reference_formatting(self):
        citation = CitationFactory()
        assert render_text(citation) == (
            "Ganesh, K., Basnet, H., Kaygusuz, Y. et al. L1CAM defines the regenerative origin of "
            "metastasis-initiating cells in colorectal cancer. Nature Cancer 1, 28–45 (2020)."
        )
        assert citation.doi_url == "https://doi.org/10.1038/s43018-019-0006-x"

    @pytest.mark.parametrize("doi", ["10.1038/s43018-019-0006-x", "10.1101/2020.01.01.123456"])
    def test_valid_doi(self, doi):
        CitationFactory.build(doi=doi, article=ArticleFactory()).full_clean()

    @pytest.mark.parametrize(
        "doi", ["https://doi.org/10.1038/x", "11.1038/abc", "10.12/short", "10.1038/ spaced"]
    )
    def test_invalid_doi_refused_by_validation_and_database(self, doi):
        citation = CitationFactory.build(doi=doi, article=ArticleFactory())
        with pytest.raises(ValidationError) as error:
            citation.full_clean()
        assert "doi" in error.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            citation.save()

    def test_year_range_enforced_by_database(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            CitationFactory(year=1200)

    def test_formatting_without_optional_parts(self):
        citation = Citation(authors=["Doe, J."], title="A study?", journal="Cell", year=2021)
        assert render_text(citation) == "Doe, J. A study? Cell (2021)."


class TestSpeaker:
    def test_normalised_name_folds_accents_case_and_space(self):
        assert normalise_name("  Joan   MASSAGUÉ ") == "joan massague"

    def test_same_person_is_one_record(self):
        first, created = Speaker.objects.get_or_create_by_name("Joan Massagué", role="oncologist")
        again, created_again = Speaker.objects.get_or_create_by_name("joan massague", affiliation="SKI")
        assert created and not created_again
        assert first == again
        again.refresh_from_db()
        assert (again.name, again.role, again.affiliation) == ("Joan Massagué", "oncologist", "SKI")
        assert again.slug == "joan-massague"

    def test_orcid_validated(self):
        speaker = Speaker(name="A", slug="a", orcid="1234")
        with pytest.raises(ValidationError):
            speaker.full_clean()
