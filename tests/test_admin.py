import pytest
from django.contrib import admin
from django.urls import reverse

from articles.house_style import render_text
from articles.models import Article, Speaker, Status

from .admin_client import inline_management
from .factories import AuthorFactory, SpeakerFactory, full_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    return full_story()


def test_every_admin_page_opens(admin_client, story):
    """A misspelt admin option fails silently until someone opens the page: open them all."""
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert admin_client.get(changelist).status_code == 200, changelist
        assert admin_client.get(f"{changelist}?q=a").status_code == 200, changelist
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert admin_client.get(add).status_code in (200, 403), add
        instance = model.objects.first()
        if instance is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
            assert admin_client.get(change).status_code == 200, change


def test_article_change_page_shows_inlines(admin_client, story):
    html = admin_client.get(reverse("admin:articles_article_change", args=[story.pk])).content.decode()
    for prefix in ("bylines", "quotes", "citations"):
        assert f'id="id_{prefix}-TOTAL_FORMS"' in html


def test_changelist_queries_do_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    for _ in range(30):
        full_story(quotes=0, citations=0)
    # 12, plus the savepoint and release of the revision VersionAdmin wraps around the changelist.
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
    assert response.content.decode().count('class="field-byline_names"') == 30


def article_post(author, speakers, **overrides):
    data = {
        "headline": "Researchers discover the origins of metastasis",
        "slug": "origins-of-metastasis",
        "standfirst": "Cells that spread cancer borrow the body's wound-healing programme.",
        "body": "<p>Body text.</p><script>alert(1)</script>",
        "tags": "cancer, metastasis",
        "status": Status.PUBLISHED,
        "published_at_0": "2024-01-10",
        "published_at_1": "09:30:00",
        **inline_management("bylines", 1),
        "bylines-0-author": str(author.pk),
        "bylines-0-position": "0",
        **inline_management("quotes", 2),
        "quotes-0-position": "0",
        "quotes-0-text": "We now understand metastasis as the regeneration of the wrong tissue.",
        "quotes-0-speaker": str(speakers[0].pk),
        "quotes-1-position": "1",
        "quotes-1-text": "A completely different entity from the tumour they started in.",
        "quotes-1-speaker": str(speakers[1].pk),
        **inline_management("citations", 1),
        "citations-0-position": "0",
        "citations-0-study_status": "peer_reviewed",
        "citations-0-kind": "journal_article",
        "citations-0-authors": "Ganesh, K.\nBasnet, H.\nKaygusuz, Y.",
        "citations-0-et_al": "on",
        "citations-0-title": "L1CAM defines the regenerative origin of metastasis-initiating cells in colorectal cancer",
        "citations-0-journal": "Nature Cancer",
        "citations-0-volume": "1",
        "citations-0-first_page": "28",
        "citations-0-last_page": "45",
        "citations-0-year": "2020",
        "citations-0-doi": "10.1038/s43018-019-0006-x",
    }
    data.update(overrides)
    return data


def test_admin_post_creates_article_with_quotes_and_citation(admin_client):
    author = AuthorFactory()
    speakers = [SpeakerFactory(name="Joan Massagué"), SpeakerFactory(name="Karuna Ganesh")]
    response = admin_client.post(reverse("admin:articles_article_add"), article_post(author, speakers))
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    article = Article.objects.get(slug="origins-of-metastasis")
    assert [q.speaker.name for q in article.quotes.all()] == ["Joan Massagué", "Karuna Ganesh"]
    citation = article.citations.get()
    assert citation.authors == ["Ganesh, K.", "Basnet, H.", "Kaygusuz, Y."]
    assert citation.et_al
    assert render_text(citation).endswith("Nature Cancer 1, 28–45 (2020).")
    assert sorted(article.tags.names()) == ["cancer", "metastasis"]
    assert article.byline_authors == [author]
    assert "<script>" not in article.body
    assert article.is_public


def test_admin_post_with_bad_citation_saves_nothing(admin_client):
    author = AuthorFactory()
    speakers = SpeakerFactory.create_batch(2)
    data = article_post(author, speakers, **{"citations-0-doi": "not-a-doi", "citations-0-year": "1200"})
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    errors = str(response.context["inline_admin_formsets"][2].formset.errors)
    assert "DOI" in errors and "1600" in errors
    assert not Article.objects.exists()


def test_duplicate_positions_refused_with_message(admin_client):
    author = AuthorFactory()
    speakers = SpeakerFactory.create_batch(2)
    data = article_post(author, speakers, **{"quotes-1-position": "0"})
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for position." in response.content.decode()
    assert not Article.objects.exists()


def test_bulk_publish_and_unpublish_actions(admin_client):
    draft = full_story(status=Status.DRAFT, published_at=None, quotes=0, citations=0)
    changelist = reverse("admin:articles_article_changelist")
    admin_client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_public
    admin_client.post(changelist, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_author_autocomplete_finds_authors(admin_client):
    AuthorFactory(name="Priya Raman")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "Priya", "app_label": "articles", "model_name": "byline", "field_name": "author"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "Priya Raman"
    assert Speaker.objects.count() == 0
