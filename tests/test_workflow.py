"""Roles, states, publishing rules, embargo and scheduling, through the admin as the desk uses it."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from articles import workflow
from articles.models import Article, Status, StatusChange

from .admin_client import change_url, edit, read_form
from .factories import ArticleFactory, AuthorFactory, BylineFactory, CitationFactory, desk_user

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


def ready_draft(**kwargs):
    """A draft that passes every publishing rule."""
    article = ArticleFactory(draft=True, **kwargs)
    BylineFactory(article=article)
    CitationFactory(article=article, position=0)
    return article


def own_draft(writer, **kwargs):
    article = ArticleFactory(draft=True, created_by=writer, **kwargs)
    BylineFactory(article=article, author=writer.author_profile)
    return article


def errors(response):
    return response.context["errors"] if response.context and "errors" in response.context else []


class TestRoles:
    def test_groups_have_the_permissions_in_code(self):
        writer, editor = Group.objects.get(name="Writer"), Group.objects.get(name="Editor")
        writer_codes = set(writer.permissions.values_list("codename", flat=True))
        editor_codes = set(editor.permissions.values_list("codename", flat=True))
        assert {"add_article", "change_article", "view_article", "add_quote"} <= writer_codes
        assert not {"publish_article", "change_any_article", "delete_article"} & writer_codes
        assert {"publish_article", "change_any_article", "add_correction"} <= editor_codes
        assert len(editor_codes) == len(workflow.ROLE_PERMISSIONS["Editor"])

    def test_permissions_are_reset_from_code_after_migrate(self):
        writer = Group.objects.get(name="Writer")
        writer.permissions.add(Permission.objects.get(codename="publish_article"))
        workflow.sync_role_permissions()
        assert not writer.permissions.filter(codename="publish_article").exists()
        assert writer.permissions.count() == len(workflow.ROLE_PERMISSIONS["Writer"])

    def test_writer_owns_stories_they_started_or_carry_a_byline_on(self, writer):
        started = ArticleFactory(draft=True, created_by=writer)
        bylined = ArticleFactory(draft=True, created_by=desk_user("Writer"))
        BylineFactory(article=bylined, author=writer.author_profile)
        someone_elses = ArticleFactory(draft=True)
        assert workflow.can_edit(writer, started) and workflow.can_edit(writer, bylined)
        assert not workflow.can_edit(writer, someone_elses)

    def test_writer_creates_a_story_and_it_is_theirs(self, writer_client, writer):
        data = read_form(writer_client.get(f"{CHANGELIST}add/"))
        data.update(headline="Octopuses dream", slug="octopuses-dream", body="<p>Half-finished.</p>")
        assert data["status"] == Status.DRAFT
        response = writer_client.post(f"{CHANGELIST}add/", data)
        assert response.status_code == 302, errors(response)
        article = Article.objects.get(slug="octopuses-dream")
        assert article.created_by == writer and article.status == Status.DRAFT
        assert workflow.can_edit(writer, article)


class TestWriterCannotPublish:
    def test_not_by_form_post(self, writer_client, writer):
        article = own_draft(writer)
        CitationFactory(article=article)
        response = edit(writer_client, article, status=Status.PUBLISHED, headline="Changed")
        assert response.status_code == 200
        assert "status" in response.context["adminform"].form.errors
        article.refresh_from_db()
        assert article.status == Status.DRAFT and article.headline != "Changed"

    def test_not_by_the_add_form(self, writer_client):
        data = read_form(writer_client.get(f"{CHANGELIST}add/"))
        data.update(headline="Straight to print", slug="straight", standfirst="S.", status=Status.PUBLISHED)
        response = writer_client.post(f"{CHANGELIST}add/", data)
        assert response.status_code == 200
        assert "status" in response.context["adminform"].form.errors
        assert not Article.objects.exists()

    def test_status_choices_offer_only_draft_and_review(self, writer_client, writer):
        form = writer_client.get(change_url(own_draft(writer))).context["adminform"].form
        assert [value for value, _label in form.fields["status"].choices] == ["draft", "review"]
        assert "published_at" not in form.fields  # read-only for Writers: they don't schedule

    def test_not_by_action(self, writer_client, writer):
        article = own_draft(writer)
        response = writer_client.post(
            CHANGELIST, {"action": "publish", "_selected_action": [article.pk]}, follow=True
        )
        assert response.status_code == 200
        article.refresh_from_db()
        assert article.status == Status.DRAFT
        assert not StatusChange.objects.exists()

    def test_not_by_unpublish_action(self, writer_client, writer):
        article = ArticleFactory(created_by=writer)
        writer_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]})
        article.refresh_from_db()
        assert article.status == Status.PUBLISHED

    def test_not_through_the_workflow_functions(self, writer):
        article = own_draft(writer)
        with pytest.raises(PermissionDenied):
            workflow.publish(article, writer)
        with pytest.raises(PermissionDenied):
            workflow.unpublish(ArticleFactory(), writer)

    def test_cannot_edit_someone_elses_story(self, writer_client):
        article = ArticleFactory(draft=True, headline="Not yours")
        page = writer_client.get(change_url(article))
        assert page.status_code == 200  # they may read it in the admin...
        assert not page.context["has_change_permission"]
        response = writer_client.post(change_url(article), {"headline": "Mine now", "status": "draft"})
        assert response.status_code == 403  # ...but not change it
        article.refresh_from_db()
        assert article.headline == "Not yours"

    def test_cannot_edit_their_story_once_published(self, writer_client, writer):
        article = ArticleFactory(created_by=writer, headline="Live copy")
        data = read_form(writer_client.get(change_url(own_draft(writer))))
        data["headline"] = "Sneaky"
        assert writer_client.post(change_url(article), data).status_code == 403
        article.refresh_from_db()
        assert article.headline == "Live copy"

    def test_share_links_are_for_editors(self, writer_client, writer):
        html = writer_client.get(change_url(own_draft(writer))).content.decode()
        assert "/preview/" not in html


class TestWriterWorkflow:
    def test_drafts_save_incomplete(self, writer_client, writer):
        article = own_draft(writer, standfirst="")
        response = edit(writer_client, article, body="<p>Notes only</p>")
        assert response.status_code == 302, errors(response)

    def test_submit_for_review_is_recorded(self, writer_client, writer):
        article = own_draft(writer)
        response = edit(writer_client, article, status=Status.IN_REVIEW)
        assert response.status_code == 302, errors(response)
        change = StatusChange.objects.get(article=article)
        assert (change.from_state, change.to_state, change.changed_by) == (
            Status.DRAFT,
            Status.IN_REVIEW,
            writer,
        )


class TestEditorPublishing:
    def test_every_missing_item_is_named_at_once_and_nothing_is_saved(self, editor_client):
        article = ArticleFactory(draft=True, standfirst="", hero_image="heroes/whale.jpg", hero_alt="")
        CitationFactory(article=article, position=0)
        CitationFactory(article=article, position=1, doi="", title="")
        response = edit(editor_client, article, status=Status.PUBLISHED, headline="Edited headline")
        assert response.status_code == 200
        # The story's own problems head the form; the bylines' and references' stand at their sections.
        assert list(response.context["adminform"].form.non_field_errors()) == [
            "Can't publish yet: Add a standfirst.",
            "Add alt text for the hero image.",
        ]
        bylines, _quotes, citations, _corrections = response.context["inline_admin_formsets"]
        assert list(bylines.formset.non_form_errors()) == ["Can't publish yet: Add at least one byline."]
        assert list(citations.formset.non_form_errors()) == [
            "Can't publish yet: Give reference 2 a DOI or a title."
        ]
        article.refresh_from_db()
        assert article.status == Status.DRAFT and article.headline != "Edited headline"

    def test_bylines_and_citations_count_as_submitted(self, editor_client):
        article = ArticleFactory(draft=True)
        author = AuthorFactory()
        response = edit(
            editor_client,
            article,
            status=Status.PUBLISHED,
            **{"bylines-TOTAL_FORMS": "1", "bylines-0-author": str(author.pk), "bylines-0-position": "0"},
        )
        assert response.status_code == 302, errors(response)
        article.refresh_from_db()
        assert article.is_public and article.byline_authors == [author]

    def test_publish_through_the_form_is_recorded(self, editor_client, editor):
        article = ready_draft()
        response = edit(editor_client, article, status=Status.PUBLISHED)
        assert response.status_code == 302, errors(response)
        article.refresh_from_db()
        assert article.is_public
        change = article.status_changes.get()
        assert (change.from_state, change.to_state, change.changed_by) == ("draft", "published", editor)
        page = editor_client.get(change_url(article)).content.decode()
        assert f"Draft → Published · {editor.username}</div>" in page

    def test_publish_action_checks_rules_per_story(self, editor_client):
        good, bad = ready_draft(), ArticleFactory(draft=True, standfirst="")
        response = editor_client.post(
            CHANGELIST, {"action": "publish", "_selected_action": [good.pk, bad.pk]}, follow=True
        )
        good.refresh_from_db()
        bad.refresh_from_db()
        assert good.is_public and bad.status == Status.DRAFT
        shown = [str(m) for m in response.context["messages"]]
        assert f"“{bad}” not published: Add a standfirst. Add at least one byline." in shown
        assert "Published 1 story." in shown

    def test_publish_action_that_publishes_nothing_warns(self, editor_client):
        bad = ArticleFactory(draft=True, standfirst="")
        response = editor_client.post(
            CHANGELIST, {"action": "publish", "_selected_action": [bad.pk]}, follow=True
        )
        shown = {str(m): m.level_tag for m in response.context["messages"]}
        assert shown["No story was published."] == "warning"
        assert not any(text.startswith("Published") for text in shown)

    def test_unpublish_action(self, editor_client, editor):
        article = ArticleFactory()
        editor_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [article.pk]})
        article.refresh_from_db()
        assert article.status == Status.DRAFT
        assert article.status_changes.get().changed_by == editor

    def test_editor_edits_anyones_story(self, editor_client):
        article = ArticleFactory(headline="Before")
        BylineFactory(article=article)
        response = edit(editor_client, article, headline="After")
        assert response.status_code == 302, errors(response)
        article.refresh_from_db()
        assert article.headline == "After"

    def test_time_zone_is_shown_where_times_are_picked(self, editor_client):
        page = editor_client.get(change_url(ready_draft()))
        form, corrections = page.context["adminform"].form, page.context["inline_admin_formsets"][3].formset
        for field in (
            form.fields["published_at"],
            form.fields["embargo_until"],
            corrections.form.base_fields["created_at"],
        ):
            assert "Times are Europe/London time (" in field.help_text
        with time_machine.travel("2026-07-01 12:00Z"):
            assert workflow.time_zone_note() == "Times are Europe/London time (BST now)."
        with time_machine.travel("2026-12-01 12:00Z"):
            assert workflow.time_zone_note() == "Times are Europe/London time (GMT now)."


class TestScheduling:
    def test_story_goes_live_exactly_at_its_time(self, editor_client, client):
        go_live = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
        article = ready_draft()
        response = edit(editor_client, article, status=Status.PUBLISHED, published_at=go_live)
        assert response.status_code == 302, errors(response)
        article.refresh_from_db()
        assert article.state == Status.SCHEDULED and article.published_at == go_live
        assert article.status_changes.get().to_state == Status.SCHEDULED
        listing = editor_client.get(CHANGELIST).content.decode()
        assert '<td class="field-state">Scheduled</td>' in listing
        assert list(Article.objects.scheduled()) == [article]
        editor_client.logout()
        with time_machine.travel(go_live - timedelta(microseconds=1), tick=False):
            assert client.get(article.get_absolute_url()).status_code == 404
            assert article.headline not in client.get("/").content.decode()
        with time_machine.travel(go_live, tick=False):
            assert client.get(article.get_absolute_url()).status_code == 200
            assert article.headline in client.get("/").content.decode()

    def test_changelist_filters_by_state(self, editor_client):
        live, scheduled = ArticleFactory(), ArticleFactory(published_at=timezone.now() + timedelta(hours=3))
        draft = ArticleFactory(draft=True)
        for state, expected in [("published", live), ("scheduled", scheduled), ("draft", draft)]:
            shown = editor_client.get(CHANGELIST, {"state": state}).context["cl"].result_list
            assert list(shown) == [expected]


class TestEmbargo:
    def test_blocks_publishing_before_it_even_for_editors(self, editor_client):
        embargo = (timezone.now() + timedelta(hours=5)).replace(microsecond=0)
        article = ready_draft(embargo_until=embargo)
        response = edit(editor_client, article, status=Status.PUBLISHED)
        assert response.status_code == 200
        [message] = response.context["adminform"].form.non_field_errors()
        assert message.startswith("Can't publish yet: Embargoed until ")
        article.refresh_from_db()
        assert article.status == Status.DRAFT

    def test_scheduling_at_the_embargo_is_allowed(self, editor_client):
        embargo = (timezone.now() + timedelta(hours=5)).replace(microsecond=0)
        article = ready_draft(embargo_until=embargo)
        early = edit(
            editor_client, article, status=Status.PUBLISHED, published_at=embargo - timedelta(minutes=1)
        )
        assert early.status_code == 200
        on_time = edit(editor_client, article, status=Status.PUBLISHED, published_at=embargo)
        assert on_time.status_code == 302, errors(on_time)
        article.refresh_from_db()
        assert article.state == Status.SCHEDULED

    def test_blocks_the_publish_action(self, editor, editor_client):
        article = ready_draft(embargo_until=timezone.now() + timedelta(hours=1))
        editor_client.post(CHANGELIST, {"action": "publish", "_selected_action": [article.pk]})
        article.refresh_from_db()
        assert article.status == Status.DRAFT
        with pytest.raises(ValidationError, match="Embargoed until"):
            workflow.publish(article, editor)

    def test_passed_embargo_does_not_block(self, editor):
        article = ready_draft(embargo_until=timezone.now() - timedelta(minutes=1))
        workflow.publish(article, editor)
        assert article.is_public


def test_change_pages_query_budget(client, writer, editor, django_assert_max_num_queries):
    article = ArticleFactory(draft=True, created_by=writer)
    for position in range(3):
        BylineFactory(article=article, position=position)
        CitationFactory(article=article, position=position)
    # Django's autocomplete widget looks up each byline's author: 16 + one per byline row, + one for an
    # autosaved working copy to offer back.
    for user in (writer, editor):
        client.force_login(user)
        with django_assert_max_num_queries(20):
            assert client.get(change_url(article)).status_code == 200


def test_writer_reading_someone_elses_story_sees_its_text_not_its_html(writer_client):
    article = ArticleFactory(
        draft=True, body="<p>Cells <em>borrow</em> wound healing.</p><script>x()</script>"
    )
    html = writer_client.get(change_url(article)).content.decode()
    assert "<p>Cells <em>borrow</em> wound healing.</p>" in html
    assert "&lt;p&gt;" not in html and "<script>x()" not in html
