"""The desk's rules: who may do what to a story, how it goes public, preview links, and reverting.

Every route that changes a story's state (the admin form, admin actions, revert) goes through here,
so a rule is enforced once, on the server, whatever the buttons on screen show.

Roles
  Writer  starts stories and edits their own (started by them, or carrying their byline) while they
          are drafts or in review; moves them between draft and in review.
  Editor  everything a Writer can, on anyone's story, plus publishing, scheduling and unpublishing.
A story's parts (bylines, quotes, citations, corrections, tags, and the public records of its speakers)
change only through someone who may edit that story, wherever in the admin they are changed; each such
change is a revision of the story and bumps its lock counter (record_part_change). Merging speakers or
tags is the Editors'. docs/permissions.md has the full table, checked against tests/test_permissions.py.
Superusers can do everything. The groups come from a migration; their permissions from ROLE_PERMISSIONS,
applied after every migrate.
"""

from datetime import timedelta

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from reversion.errors import RevertError
from reversion.models import Version

from accounts import audit, second_factor

from .history import PART_MODELS, part_versions
from .models import ShareLink, Status, StatusChange

WRITER, EDITOR = "Writer", "Editor"

_STORY_PARTS = ["byline", "quote", "citation"]
_WRITER_PERMISSIONS = [
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    *(
        f"articles.{action}_{model}"
        for model in _STORY_PARTS
        for action in ("add", "change", "delete", "view")
    ),
    "articles.view_author",
    "articles.view_section",
    "articles.add_speaker",
    "articles.change_speaker",
    "articles.view_speaker",
    "articles.view_correction",
    "taggit.add_tag",
    "taggit.view_tag",
]
ROLE_PERMISSIONS = {
    WRITER: _WRITER_PERMISSIONS,
    EDITOR: [
        *_WRITER_PERMISSIONS,
        "articles.delete_article",
        "articles.publish_article",
        "articles.change_any_article",
        "articles.add_correction",
        "articles.change_correction",
        "articles.delete_correction",
        "articles.add_author",
        "articles.change_author",
        "articles.add_section",
        "articles.change_section",
        "articles.delete_speaker",
        "articles.merge_speaker",
        "articles.view_articleredirect",
        "articles.delete_articleredirect",
        "taggit.change_tag",
        "taggit.delete_tag",
        *("accounts.view_auditentry", "accounts.view_staffaccount", "accounts.reset_second_factor"),
    ],
}


def sync_role_permissions(using="default", **kwargs):
    """Give each role exactly the permissions ROLE_PERMISSIONS lists (post_migrate handler)."""
    from django.contrib.auth.models import Group, Permission

    for name, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = {tuple(code.split(".", 1)) for code in codes}
        permissions = [
            permission
            for permission in Permission.objects.using(using).select_related("content_type")
            if (permission.content_type.app_label, permission.codename) in wanted
        ]
        group.permissions.set(permissions)


def can_preview(user):
    """Staff who may read stories in the admin may read any of them on the site, unpublished too."""
    return (
        user.is_active
        and user.is_staff
        and user.has_perm("articles.view_article")
        and second_factor.satisfied(user)
    )


def can_publish(user):
    return user.has_perm("articles.publish_article")


def can_edit(user, article=None):
    """May this user change this story (or, with no story, stories at all)?"""
    if not user.has_perm("articles.change_article"):
        return False
    if article is None or article.pk is None or user.has_perm("articles.change_any_article"):
        return True
    # A Writer's own story stays theirs until it is published; live copy is the Editors' to change.
    return article.status != Status.PUBLISHED and article.is_owned_by(user)


def can_edit_all(user, articles):
    """May this user change something every one of these stories shows (a speaker's record, a tag)?"""
    return all(can_edit(user, article) for article in articles)


def record_part_change(articles, user, comment):
    """A part of these stories changed outside their own form (a citation, a speaker's record, a tag): each
    gets a revision saying so, and its lock counter goes up, so a story form opened before the change is
    refused instead of silently putting the old part back."""
    for article in articles:
        with reversion.create_revision():
            article.save()
            reversion.set_user(user if user is not None and user.is_authenticated else None)
            reversion.set_comment(comment)


def allowed_statuses(user):
    """The statuses this user (None: no one in particular) may put a story in."""
    if user is not None and can_publish(user):
        return Status.stored()
    return [Status.DRAFT, Status.IN_REVIEW]


def time_zone_note():
    """Said beside every time an editor picks, so "09:00" is never ambiguous."""
    return f"Times are {timezone.get_current_timezone().key} time ({timezone.localtime().tzname()} now)."


def going_public_problems(article, problems=None):
    """Why `article` may not be published at its publication time (or now): the embargo, then `problems`
    (by default every publishing rule, over the saved parts)."""
    problems = article.publishing_problems() if problems is None else problems
    embargo = article.embargo_problem(article.published_at or timezone.now())
    return [embargo, *problems] if embargo else problems


def publish(article, user):
    """Publish (or, with a future publication time, schedule) one saved story, checking every rule."""
    if not can_publish(user):
        raise PermissionDenied("Only an Editor can publish or schedule a story.")
    before = article.state
    article.status = Status.PUBLISHED
    article.published_at = article.published_at or timezone.now()
    problems = going_public_problems(article)
    if problems:
        raise ValidationError(problems)
    article.save()
    StatusChange.record(article, before, user)


def unpublish(article, user):
    """Take a published or scheduled story back to draft."""
    if not can_publish(user):
        raise PermissionDenied("Only an Editor can unpublish a story.")
    before = article.state
    article.status = Status.DRAFT
    article.save()
    StatusChange.record(article, before, user)


# Share links ---------------------------------------------------------------------------------------


class PreviewLinkExpired(Exception):
    pass


class PreviewLinkRevoked(Exception):
    pass


def make_preview_link(article, user=None, days=None):
    """A read-only address showing this story to someone without a login, until it expires or is revoked."""
    if user is not None and not can_publish(user):
        raise PermissionDenied("Only an Editor can hand out share links.")
    days = settings.PREVIEW_LINK_DAYS if days is None else days
    expires_at = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return ShareLink.objects.create(article=article, created_by=user, expires_at=expires_at)


def revoke_preview_link(link, user):
    if not can_publish(user):
        raise PermissionDenied("Only an Editor can revoke share links.")
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), user
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def read_preview_token(token):
    """The story's pk from a share link; ShareLink.DoesNotExist when there is no such link,
    PreviewLinkRevoked or PreviewLinkExpired when it no longer works."""
    link = ShareLink.objects.get(key=token)
    if link.revoked_at is not None:
        raise PreviewLinkRevoked
    if link.is_expired:
        raise PreviewLinkExpired
    return link.article_id


# History -------------------------------------------------------------------------------------------


def last_change(article):
    """(who, when) of the latest saved change to `article` (as just read from the database), for the
    "someone else saved" message. Saves outside the admin (imports, scripts) leave no revision."""
    version = Version.objects.get_for_object(article).select_related("revision__user").first()
    # The revision's copy of the story carries the lock counter it saved: if the row's has moved on since,
    # the latest save made no revision.
    if version is None or version.field_dict.get("lock_version") != article.lock_version:
        return "an import or a script", article.updated_at
    user = version.revision.user
    if user is None:
        return "someone", version.revision.date_created
    return user.get_full_name() or user.get_username(), version.revision.date_created


# Fields a revert leaves as they are: going public is a workflow step with its own rules, and the
# lock counter must only ever go up.
_KEPT_ON_REVERT = ["status", "published_at", "embargo_until", "lock_version", "created_by_id"]


def revert(article, version, user):
    """Put the story's words, bylines, quotes, citations and tags back as they were in `version`.

    Only this story is touched, even when the revision also holds others (a bulk action saves several).
    Its current parts are removed and the stored ones written back with their old ids, which keeps
    positions unique at every step, also where constraints can't be deferred (SQLite).
    """
    if not can_edit(user, article):
        raise PermissionDenied("You can't change this story.")
    kept = {name: getattr(article, name) for name in _KEPT_ON_REVERT}
    when = timezone.localtime(version.revision.date_created)
    try:
        with transaction.atomic():
            for parts in (article.bylines, article.quotes, article.citations, article.tagged_items):
                parts.all().delete()
            version.revert()
            for part, _obj in part_versions(version, article):
                part.revert()
            # Raw restores skip the checks of save(): make the database vouch for every reference now.
            tables = [model._meta.db_table for model in (type(article), *PART_MODELS)]
            transaction.get_connection().check_constraints(table_names=tables)
            article.refresh_from_db()
            for name, value in kept.items():
                setattr(article, name, value)
            # A published story stays published through a revert, so the version must pass the same rules.
            if article.status == Status.PUBLISHED and (problems := going_public_problems(article)):
                raise RevertError(
                    f"that version can't be published as it stands ({' '.join(problems)}) and this story is "
                    "published. Unpublish it first to go back to that version."
                )
            with reversion.create_revision():
                article.save()
                reversion.set_user(user)
                reversion.set_comment(f"Reverted to the version of {when:%-d %B %Y, %H:%M}.")
                audit.record(
                    user,
                    audit.Action.REVERTED,
                    target=article,
                    detail=f"to the version of {when:%-d %B %Y, %H:%M}",
                )
    except IntegrityError as error:
        raise RevertError(
            "that version names an author, speaker, tag or section that has since been deleted, "
            "or a slug another story now uses."
        ) from error
    return article
