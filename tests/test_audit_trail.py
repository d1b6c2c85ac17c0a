"""The audit trail: an entry for each kind of action the issue lists, made by real requests and commands, and
one admin page where Editors (only) read, filter and never edit or delete them."""

import getpass
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone
from reversion.models import Version

from accounts import audit
from accounts.models import AuditEntry
from articles.models import Status

from .admin_client import edit, read_form
from .factories import ArticleFactory, BylineFactory, CitationFactory, UserFactory
from .importing import FIXTURES
from .logins import log_in

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
TRAIL = "/admin/accounts/auditentry/"
STORIES = "/admin/articles/article/"


def ready_draft(**kwargs):
    article = ArticleFactory(draft=True, **kwargs)
    BylineFactory(article=article)
    CitationFactory(article=article, position=0)
    return article


def entries(action, **filters):
    return list(AuditEntry.objects.filter(action=action, **filters))


class TestLogins:
    def test_login_and_failure(self, client, editor):
        log_in(client, editor.username, "not it", REMOTE_ADDR="192.0.2.10")
        log_in(client, editor.username, REMOTE_ADDR="192.0.2.10")
        (failed,) = entries(Action.LOGIN_FAILED)
        assert (failed.actor, failed.target, failed.ip_address) == (None, editor.username, "192.0.2.10")
        (login,) = entries(Action.LOGIN)
        assert (login.actor, login.actor_name, login.ip_address) == (editor, editor.username, "192.0.2.10")

    # Lockouts: tests/test_login_throttling.py


class TestStories:
    def test_share_link_made_and_revoked(self, editor_client, editor):
        article = ready_draft()
        made = editor_client.post(f"{STORIES}{article.pk}/share-links/", {"days": "3"})
        assert made.status_code == 200
        link = article.share_links.get()
        revoked = editor_client.post(f"{STORIES}{article.pk}/share-links/{link.pk}/revoke/")
        assert revoked.status_code == 200
        [made_entry] = entries(Action.SHARE_LINK_MADE, article=article, actor=editor)
        assert made_entry.detail.startswith("3 days, until ")
        assert len(entries(Action.SHARE_LINK_REVOKED, article=article, actor=editor)) == 1

    def test_publish_and_unpublish_by_action(self, editor_client, editor):
        article = ready_draft()
        editor_client.post(STORIES, {"action": "publish", "_selected_action": [article.pk]})
        editor_client.post(STORIES, {"action": "unpublish", "_selected_action": [article.pk]})
        (published,) = entries(Action.PUBLISHED, article=article)
        (unpublished,) = entries(Action.UNPUBLISHED, article=article)
        assert published.actor == unpublished.actor == editor
        assert unpublished.detail == "Published → Draft"

    def test_publish_and_schedule_through_the_form(self, editor_client, editor):
        now_story, later_story = ready_draft(), ready_draft()
        assert edit(editor_client, now_story, status=Status.PUBLISHED).status_code == 302
        later = timezone.now() + timedelta(days=2)
        response = edit(editor_client, later_story, status=Status.PUBLISHED, published_at=later)
        assert response.status_code == 302
        assert entries(Action.PUBLISHED, article=now_story, actor=editor)
        assert entries(Action.SCHEDULED, article=later_story, actor=editor)

    def test_moves_between_draft_and_review_are_not_audited(self, editor_client):
        article = ready_draft()
        edit(editor_client, article, status=Status.IN_REVIEW)
        assert not AuditEntry.objects.filter(article=article).exists()

    def test_revert(self, editor_client, editor):
        article = ready_draft(body="<p>First.</p>")
        edit(editor_client, article, body="<p>One.</p>")
        edit(editor_client, article, body="<p>Two.</p>")
        first = Version.objects.get_for_object(article).order_by("pk").first()
        editor_client.post(f"/admin/articles/article/{article.pk}/history/{first.pk}/")
        (reverted,) = entries(Action.REVERTED, article=article)
        assert reverted.actor == editor and reverted.detail.startswith("to the version of")


class TestAccounts:
    def test_group_changes_in_the_user_admin(self, admin_client, admin_user):
        colleague = UserFactory(is_staff=True)
        url = f"/admin/auth/user/{colleague.pk}/change/"
        data = read_form(admin_client.get(url), "user_form")
        data["groups"] = [str(Group.objects.get(name="Editor").pk)]
        data["is_superuser"] = "on"
        assert admin_client.post(url, data).status_code == 302
        (groups,) = entries(Action.GROUPS_CHANGED, actor=admin_user)
        assert groups.target == colleague.username and groups.detail == "added to Editor"
        (changed,) = entries(Action.ACCOUNT_CHANGED, actor=admin_user)
        assert "Superuser status" in changed.detail and changed.target == colleague.username

    def test_group_changes_from_the_group_side_and_in_code(self):
        colleague = UserFactory(is_staff=True)
        writers = Group.objects.get(name="Writer")
        writers.user_set.add(colleague)
        colleague.groups.remove(writers)
        added, removed = sorted(entries(Action.GROUPS_CHANGED, target=colleague.username), key=lambda e: e.pk)
        assert added.detail == "added to Writer" and removed.detail == "removed from Writer"
        assert added.actor_name == "system"

    def test_permissions_of_users_and_groups(self, admin_client, admin_user):
        colleague = UserFactory(is_staff=True)
        delete = Permission.objects.get(codename="delete_article")
        url = f"/admin/auth/user/{colleague.pk}/change/"
        data = read_form(admin_client.get(url), "user_form")
        data["user_permissions"] = [str(delete.pk)]
        admin_client.post(url, data)
        (given,) = entries(Action.PERMISSIONS_CHANGED, actor=admin_user, target=colleague.username)
        assert given.detail == "added: articles.delete_article"
        Group.objects.get(name="Writer").permissions.add(delete)
        # (migrate's own grants to the roles are in the trail too, by "system")
        (group,) = entries(
            Action.PERMISSIONS_CHANGED, target="group Writer", detail__contains="delete_article"
        )
        assert (group.actor_name, group.detail) == ("system", "added: articles.delete_article")


class TestImports:
    def test_an_import_names_who_ran_it_which_files_and_the_counts(self, editor):
        path = str(FIXTURES / "stories.json")
        call_command("import_articles", path, "--actor", editor.username, stdout=StringIO())
        (run,) = entries(Action.IMPORT_RUN)
        assert run.actor == editor
        assert run.detail == f"2 created, 0 updated, 0 skipped, 0 failed from {path}"

    def test_without_actor_the_os_user_is_named(self):
        call_command("import_articles", str(FIXTURES / "coral-heatwave.txt"), stdout=StringIO())
        (run,) = entries(Action.IMPORT_RUN)
        assert run.actor is None and run.actor_name == f"shell:{getpass.getuser()}"

    def test_dry_runs_are_not_audited(self):
        call_command("import_articles", str(FIXTURES / "stories.json"), "--dry-run", stdout=StringIO())
        assert not entries(Action.IMPORT_RUN)

    def test_unknown_actor_is_refused_before_anything_is_imported(self):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="no staff login is called “nobody”"):
            call_command(
                "import_articles", str(FIXTURES / "stories.json"), "--actor", "nobody", stdout=StringIO()
            )


class TestTrailPage:
    @pytest.fixture
    def trail(self, editor, writer):
        story = ArticleFactory(headline="Whales sing")
        audit.record(editor, Action.PUBLISHED, target=story)
        audit.record(writer, Action.LOGIN)
        audit.record(None, Action.LOGIN_FAILED, target="mallory")
        return story

    def test_editors_read_and_filter_it(self, editor_client, editor, writer, trail):
        page = editor_client.get(TRAIL).content.decode()
        assert "Whales sing" in page and "mallory" in page
        by_action = editor_client.get(TRAIL, {"action__exact": Action.LOGIN_FAILED})
        assert [e.target for e in by_action.context["cl"].result_list] == ["mallory"]
        by_person = editor_client.get(TRAIL, {"actor__id__exact": writer.pk})
        assert [e.action for e in by_person.context["cl"].result_list] == [Action.LOGIN]
        by_story = editor_client.get(TRAIL, {"story": trail.pk})
        assert [e.actor for e in by_story.context["cl"].result_list] == [editor]
        assert f'href="{TRAIL}?story={trail.pk}"' in page

    def test_writers_cannot_see_it(self, writer_client, trail):
        assert writer_client.get(TRAIL).status_code == 403

    def test_no_one_adds_edits_or_deletes_entries(self, admin_client, editor_client, trail):
        entry = AuditEntry.objects.first()
        for client in (admin_client, editor_client):
            assert client.get(f"{TRAIL}add/").status_code == 403
            assert client.get(f"{TRAIL}{entry.pk}/delete/").status_code == 403
            change = client.get(f"{TRAIL}{entry.pk}/change/")
            assert change.status_code == 200 and not change.context["has_change_permission"]
            response = client.post(TRAIL, {"action": "delete_selected", "_selected_action": [entry.pk]})
            assert AuditEntry.objects.filter(pk=entry.pk).exists(), response.status_code

    def test_query_budget(self, editor_client, editor, django_assert_max_num_queries):
        for n in range(30):
            audit.record(editor, Action.PUBLISHED, target=ArticleFactory(headline=f"Story {n}"))
        with django_assert_max_num_queries(14):
            assert editor_client.get(TRAIL).status_code == 200


def test_record_names_the_actor_target_and_address():
    user = UserFactory()
    story = ArticleFactory()
    entry = audit.record(user, Action.SHARE_LINK_MADE, target=story, detail="7 days")
    assert (entry.actor, entry.actor_name, entry.article, entry.target) == (
        user,
        user.username,
        story,
        str(story),
    )
    assert audit.record("cron", Action.IMPORT_RUN).actor_name == "cron"
    assert audit.record(None, Action.LOGIN_FAILED).actor_name == "system"
