"""A story's parts changed outside its own form: only by whoever may edit the story, each change a revision of
the story that bumps its lock counter, so a story form opened before is refused instead of undoing it."""

import pytest
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from articles.models import Citation, Speaker

from .admin_client import change_url, read_form
from .factories import ArticleFactory, CitationFactory, QuoteFactory, SpeakerFactory, desk_user

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def citation_change(client, citation, **changes):
    url = reverse("admin:articles_citation_change", args=[citation.pk])
    data = read_form(logged_in(desk_user("Editor")).get(url), form_id="citation_form")
    data.update(changes)
    return client.post(url, data)


class TestReferencesOnTheirOwnPage:
    def test_a_writer_cannot_change_add_or_delete_a_published_storys_reference(self, writer_client):
        story = ArticleFactory()
        citation = CitationFactory(article=story, title="The real title")
        citation_change(writer_client, citation, title="Vandalised")
        add = reverse("admin:articles_citation_add")
        writer_client.post(
            add, {"article": story.pk, "title": "Planted", "position": 5, "study_status": "other"}
        )
        writer_client.post(reverse("admin:articles_citation_delete", args=[citation.pk]), {"post": "yes"})
        assert list(Citation.objects.values_list("title", flat=True)) == ["The real title"]

    def test_an_editors_change_is_a_revision_and_makes_open_story_forms_stale(self, editor_client):
        story = ArticleFactory(headline="Whales")
        citation = CitationFactory(article=story, title="Old title")
        open_form = read_form(logged_in(desk_user("Editor")).get(change_url(story)))
        version = story.lock_version

        assert citation_change(editor_client, citation, title="Corrected title").status_code == 302
        story.refresh_from_db()
        assert story.lock_version > version
        [revision] = [v.revision for v in Version.objects.get_for_object(story)]
        assert revision.comment == "Reference “Corrected title” edited."
        # The other Editor's form still shows the old title: saving it is refused, not a silent undo.
        open_form["headline"] = "Whales, retold"
        other = logged_in(desk_user("Editor"))
        assert other.post(change_url(story), open_form).status_code == 200
        assert Citation.objects.get().title == "Corrected title"


class TestSpeakers:
    def test_a_writer_cannot_rename_someone_quoted_in_a_published_story(self, writer_client):
        speaker = QuoteFactory(article=ArticleFactory(), speaker=SpeakerFactory(name="Joan Massagué")).speaker
        url = reverse("admin:articles_speaker_change", args=[speaker.pk])
        data = read_form(logged_in(desk_user("Editor")).get(url), form_id="speaker_form")
        writer_client.post(url, {**data, "name": "Someone Else", "role": "impostor"})
        speaker.refresh_from_db()
        assert (speaker.name, speaker.role) == ("Joan Massagué", "researcher")

    def test_a_writer_cannot_merge_speakers(self, writer_client):
        keep, other = SpeakerFactory(), SpeakerFactory()
        QuoteFactory(speaker=keep)
        writer_client.post(
            reverse("admin:articles_speaker_changelist"),
            {"action": "merge_speakers", "_selected_action": [keep.pk, other.pk]},
        )
        assert Speaker.objects.count() == 2

    def test_an_editors_rename_and_merge_are_revisions_of_the_stories_quoting_them(self, editor_client):
        first, second = ArticleFactory(), ArticleFactory()
        keep = QuoteFactory(article=first, speaker=SpeakerFactory(name="Joan Massague")).speaker
        duplicate = QuoteFactory(article=second, speaker=SpeakerFactory(name="J. Massagué")).speaker
        QuoteFactory(article=first, speaker=keep)
        versions = {story.pk: story.lock_version for story in (first, second)}

        url = reverse("admin:articles_speaker_change", args=[keep.pk])
        data = read_form(editor_client.get(url), form_id="speaker_form")
        assert editor_client.post(url, {**data, "name": "Joan Massagué"}).status_code == 302
        first.refresh_from_db()
        assert first.lock_version > versions[first.pk]
        assert (
            Version.objects.get_for_object(first).first().revision.comment
            == "Speaker “Joan Massagué” edited."
        )

        editor_client.post(
            reverse("admin:articles_speaker_changelist"),
            {"action": "merge_speakers", "_selected_action": [keep.pk, duplicate.pk]},
        )
        assert list(Speaker.objects.all()) == [keep]
        second.refresh_from_db()
        assert second.lock_version > versions[second.pk]
        assert Version.objects.get_for_object(second).first().revision.comment == (
            "Speakers merged into “Joan Massagué”."
        )


class TestTags:
    def test_taggits_unguarded_merge_page_is_gone(self, writer_client):
        story = ArticleFactory(tags=["whales", "orcas"])
        session = writer_client.session
        session["selected_tag_ids"] = ",".join(str(pk) for pk in story.tags.values_list("pk", flat=True))
        session.save()
        writer_client.post("/admin/taggit/tag/merge-tags/", {"new_tag_name": "vandalised"})
        assert sorted(story.tags.names()) == ["orcas", "whales"]

    def test_a_rename_is_a_revision_of_each_tagged_story(self, editor_client):
        story = ArticleFactory(tags=["whales"])
        version = story.lock_version
        tag = story.tags.get()
        url = reverse("admin:taggit_tag_change", args=[tag.pk])
        data = read_form(editor_client.get(url), form_id="tag_form")
        assert editor_client.post(url, {**data, "name": "Whales"}).status_code == 302
        story.refresh_from_db()
        assert story.lock_version > version
        assert Version.objects.get_for_object(story).first().revision.comment == "Tag “Whales” edited."
