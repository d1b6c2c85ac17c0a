"""Speaker pages and the admin action that merges two spellings of one person."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from articles.models import Quote, Speaker

from .admin_client import inline_management
from .factories import ArticleFactory, QuoteFactory, SpeakerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def merge(admin_client, speakers):
    return admin_client.post(
        reverse("admin:articles_speaker_changelist"),
        {"action": "merge_speakers", "_selected_action": [speaker.pk for speaker in speakers]},
        follow=True,
    )


def test_merge_moves_quotes_and_deletes_the_others(admin_client):
    kept = SpeakerFactory(name="Joan Massagué", role="oncologist", affiliation="", orcid="")
    typo = SpeakerFactory(name="Joan Massague M.", role="", affiliation="SKI", orcid="0000-0002-1825-0097")
    other = SpeakerFactory(name="J. Massagué", role="director", affiliation="MSK")
    for _ in range(2):
        QuoteFactory(speaker=kept)
    QuoteFactory(speaker=typo, text="From the typo record.")
    QuoteFactory(speaker=other, text="From the short record.")
    unrelated = QuoteFactory()

    response = merge(admin_client, [kept, typo, other])

    assert "Merged 2 other record(s) into “Joan Massagué”." in response.content.decode()
    assert list(Speaker.objects.filter(pk__in=[kept.pk, typo.pk, other.pk])) == [kept]
    assert Quote.objects.filter(speaker=kept).count() == 4
    unrelated.refresh_from_db()
    assert unrelated.speaker != kept
    kept.refresh_from_db()
    # Blanks are filled from the merged records, in the order they were ranked; filled fields stay.
    assert (kept.role, kept.affiliation, kept.orcid) == ("oncologist", "SKI", "0000-0002-1825-0097")


def test_merge_keeps_the_record_with_most_quotes(admin_client):
    few, many = SpeakerFactory(name="K Ganesh"), SpeakerFactory(name="Karuna Ganesh")
    QuoteFactory(speaker=few)
    QuoteFactory.create_batch(3, speaker=many)
    merge(admin_client, [few, many])
    assert list(Speaker.objects.all()) == [many]


def test_merge_needs_two(admin_client):
    speaker = SpeakerFactory()
    response = merge(admin_client, [speaker])
    assert "Select at least two speakers to merge." in response.content.decode()
    assert Speaker.objects.filter(pk=speaker.pk).exists()


def test_merge_is_all_or_nothing(monkeypatch):
    """If deleting fails half way, the quotes that moved move back."""
    kept, other = SpeakerFactory(), SpeakerFactory()
    quote = QuoteFactory(speaker=other)

    def refuse(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("django.db.models.query.QuerySet.delete", refuse)
    with pytest.raises(RuntimeError):
        kept.absorb([other])
    quote.refresh_from_db()
    assert quote.speaker == other


def test_merged_speaker_page_lists_all_quotes(client, django_assert_max_num_queries):
    kept, other = SpeakerFactory(name="Ana Ruiz"), SpeakerFactory(name="Ana  Ruíz (Dr)")
    first = QuoteFactory(speaker=kept, text="First words.")
    second = QuoteFactory(speaker=other, text="Second words.")
    kept.absorb([other])
    with django_assert_max_num_queries(3):
        html = client.get(kept.get_absolute_url()).content.decode()
    for quote in (first, second):
        assert quote.text in html
        assert f'href="{quote.article.get_absolute_url()}"' in html
    assert client.get(reverse("articles:speaker", kwargs={"slug": other.slug})).status_code == 404


def test_speaker_list_in_admin_counts_quotes(admin_client, django_assert_max_num_queries):
    for speaker in SpeakerFactory.create_batch(5):
        QuoteFactory.create_batch(2, speaker=speaker, article=ArticleFactory())
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:articles_speaker_changelist"))
    assert response.status_code == 200
    assert site._registry[Speaker].quote_count(response.context["cl"].result_list[0]) == 2


class TestSpeakerTypedByName:
    """The quote row's Speaker box takes a name: someone on file is found however it is spelt, and only a
    name matching no one adds a record."""

    def post_story(self, admin_client, *speaker_names):
        data = {
            "headline": "Origins of metastasis",
            "slug": "origins",
            "status": "draft",
            **inline_management("bylines"),
            **inline_management("citations"),
            **inline_management("quotes", len(speaker_names)),
        }
        for number, name in enumerate(speaker_names):
            data |= {
                f"quotes-{number}-position": str(number),
                f"quotes-{number}-text": f"Words number {number}.",
                f"quotes-{number}-speaker": name,
                f"quotes-{number}-role": "physician-scientist" if number else "",
            }
        return admin_client.post(reverse("admin:articles_article_add"), data)

    def test_existing_speaker_is_found_by_normalised_name(self, admin_client):
        joan = SpeakerFactory(name="Joan Massagué")
        response = self.post_story(admin_client, "joan  MASSAGUE")
        assert response.status_code == 302
        assert list(Speaker.objects.all()) == [joan]
        assert Quote.objects.get().speaker == joan

    def test_a_name_matching_no_one_adds_a_speaker_with_the_rows_details(self, admin_client):
        self.post_story(admin_client, "Joan Massagué", "Karuna Ganesh")
        karuna = Speaker.objects.get(normalised_name="karuna ganesh")
        assert (karuna.name, karuna.role) == ("Karuna Ganesh", "physician-scientist")
        quote = karuna.quotes.get()
        assert quote.role == "" and quote.speaker_role == "physician-scientist"
        assert Speaker.objects.count() == 2

    def test_the_form_shows_the_name_and_a_failed_save_adds_no_one(self, admin_client):
        SpeakerFactory(name="Joan Massagué")
        response = self.post_story(admin_client, "Joan Massagué", "")
        assert response.status_code == 200
        assert "Name the person who said this." in response.content.decode()
        assert 'value="Joan Massagué"' in response.content.decode()
        assert Speaker.objects.count() == 1

    def test_the_search_behind_the_suggestions_folds_accents_and_case(self, admin_client):
        SpeakerFactory(name="Joan Massagué")
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "articles", "model_name": "quote", "field_name": "speaker", "term": "MASSAGUE"},
        )
        assert [result["text"] for result in response.json()["results"]] == ["Joan Massagué"]

    def test_a_script_may_still_send_the_speakers_id(self, admin_client):
        joan = SpeakerFactory(name="Joan Massagué")
        self.post_story(admin_client, str(joan.pk))
        assert Quote.objects.get().speaker == joan


class TestSpeakerAddForm:
    def test_adding_someone_already_on_file_says_who_instead_of_failing(self, admin_client):
        joan = SpeakerFactory(name="Joan Massagué", role="oncologist")
        response = admin_client.post(
            reverse("admin:articles_speaker_add"), {"name": "Joan Massague", "slug": "joan-massague-2"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert (
            f'<a href="{reverse("admin:articles_speaker_change", args=[joan.pk])}">Joan Massagué</a> is already'
            in html
        )
        assert Speaker.objects.count() == 1

    def test_a_taken_page_address_is_explained(self, admin_client):
        SpeakerFactory(name="Karuna Ganesh", slug="karuna-ganesh")
        response = admin_client.post(
            reverse("admin:articles_speaker_add"), {"name": "Karuna Ganesh Jr", "slug": "karuna-ganesh"}
        )
        assert "Another speaker already has the page address “karuna-ganesh”" in response.content.decode()
        assert "Speaker with this Slug already exists" not in response.content.decode()

    def test_slug_left_empty_is_made_from_the_name(self, admin_client):
        SpeakerFactory(name="Karuna Ganesh", slug="karuna-ganesh")
        response = admin_client.post(reverse("admin:articles_speaker_add"), {"name": "Karuna  Ganesh Jr"})
        assert response.status_code == 302
        assert Speaker.objects.get(name="Karuna Ganesh Jr").slug == "karuna-ganesh-jr"
