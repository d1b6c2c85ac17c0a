"""The story editor's endpoints, each wired into ArticleAdmin.get_urls and so behind the admin's login:

autosave  POST the form: it becomes the user's working copy (never the story), and the checklist comes back.
preview   POST the form: the story as it stands, unsaved, through the real article template.
presence  POST every few seconds: who else has the story open, with unsaved changes or not, and whether
          someone saved it since this page loaded (with a link to see what changed).
restore   GET the working copy's fields, for the page to put back; DELETE-like POST discards it.
"""

from dataclasses import asdict
from datetime import timedelta
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from reversion.models import Version

from .. import workflow
from ..models import Article, WorkingCopy
from .actions import story_actions
from .checklist import checklist
from .unsaved import read_unsaved_story

# A page polls every PRESENCE_POLL_SECONDS; one not heard from for PRESENCE_TIMEOUT has been closed.
PRESENCE_POLL_SECONDS = 10
PRESENCE_TIMEOUT = timedelta(seconds=35)
# Never part of a working copy: the token is per page, files can't be put back into a file input.
NOT_KEPT = {"csrfmiddlewaretoken", "hero_image", "hero_image_held"}


def story_for(model_admin, request, object_id, editing=True):
    """The saved story (None for a new one), checked against the user's rights."""
    if object_id is None:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        return None
    article = get_object_or_404(Article, pk=object_id)
    allowed = model_admin.has_change_permission if editing else model_admin.has_view_or_change_permission
    if not allowed(request, article):
        raise PermissionDenied
    return article


def working_copy(request, article):
    copy, _created = WorkingCopy.objects.get_or_create(
        article=article, user=request.user, defaults={"seen_at": timezone.now()}
    )
    return copy


def display_name(user):
    return user.get_full_name() or user.get_username()


@require_POST
def autosave(request, object_id=None, *, model_admin):
    article = story_for(model_admin, request, object_id)
    copy = working_copy(request, article)
    copy.data = [
        [name, value]
        for name, values in request.POST.lists()
        if name not in NOT_KEPT and "__prefix__" not in name  # the inlines' blank templates
        for value in values
    ]
    if copy.loaded_version is None:
        copy.loaded_version = request.POST.get("loaded_version") or None
    copy.saved_at = copy.seen_at = timezone.now()
    copy.save()
    story = read_unsaved_story(model_admin, request, article)
    local = timezone.localtime(copy.saved_at)
    return JsonResponse(
        {"saved_at": f"{local:%H:%M:%S}", "checklist": [asdict(item) for item in checklist(story)]}
    )


def restore(request, object_id=None, *, model_admin):
    """GET: the working copy's fields. POST: discard it."""
    article = story_for(model_admin, request, object_id)
    copy = WorkingCopy.objects.filter(article=article, user=request.user).first()
    if request.method == "POST":
        if copy is not None:
            copy.data = copy.saved_at = None
            copy.save(update_fields=["data", "saved_at"])
        return JsonResponse({"discarded": True})
    return JsonResponse({"fields": copy.data if copy is not None and copy.data else []})


@require_POST
def preview(request, object_id=None, *, model_admin):
    article = story_for(model_admin, request, object_id, editing=False)
    story = read_unsaved_story(model_admin, request, article)
    response = TemplateResponse(
        request,
        "articles/article_detail.html",
        {"article": story, "object": story, "related": [], "structured_data": None, "editor_preview": True},
    )
    return response


@require_POST
def presence(request, object_id, *, model_admin):
    article = story_for(model_admin, request, object_id, editing=False)
    now = timezone.now()
    try:
        mine = working_copy(request, article)
        mine.seen_at = now
        mine.save(update_fields=["seen_at"])
    except DatabaseError:
        # A heartbeat that loses a race for a write lock (autosave or a save at the same instant) is skipped:
        # the next poll says the page is open.
        pass
    others = (
        WorkingCopy.objects.filter(article=article, seen_at__gte=now - PRESENCE_TIMEOUT)
        .exclude(user=request.user)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    )
    editing = [
        {
            "name": display_name(copy.user),
            "unsaved": copy.has_changes,
            "text": f"{display_name(copy.user)} is also editing this story"
            + (", with unsaved changes." if copy.has_changes else "."),
        }
        for copy in others
    ]
    reply = {"editing": editing, "poll_seconds": PRESENCE_POLL_SECONDS, "lock_version": article.lock_version}
    try:
        loaded = int(request.POST.get("loaded_version", ""))
    except ValueError:
        loaded = None
    if loaded is not None and article.lock_version != loaded:
        who, when = workflow.last_change(article)
        local = timezone.localtime(when)
        reply["saved_by_other"] = {
            "text": f"{who} saved this story at {local:%H:%M}, after you opened it.",
            "url": changes_since(article, loaded),
        }
    return JsonResponse(reply)


def changes_since(article, loaded_version):
    """The history page comparing the version this page loaded with the story as it is now."""
    for version in Version.objects.get_for_object(article):
        if version.field_dict.get("lock_version") == loaded_version:
            return reverse("admin:articles_article_revision", args=[article.pk, version.pk])
    return reverse("admin:articles_article_history", args=[article.pk])


@require_POST
def check(request, object_id=None, *, model_admin):
    """The checklist alone, for the page as it opens."""
    article = story_for(model_admin, request, object_id)
    story = read_unsaved_story(model_admin, request, article)
    return JsonResponse({"checklist": [asdict(item) for item in checklist(story)]})


def discard(article, user, added=False):
    """The user saved the story: their working copy of it (and, for a story just added, of "a new story") is
    spent."""
    WorkingCopy.objects.filter(article=article, user=user).update(data=None, saved_at=None)
    if added:
        WorkingCopy.objects.filter(article=None, user=user).delete()


def editor_context(model_admin, request, article):
    """What the story editor's template needs: its endpoints, the action buttons and any copy to restore."""
    saved = article is not None and article.pk is not None
    args = [article.pk] if saved else []
    suffix = "" if saved else "_new"
    can_edit = model_admin.has_change_permission(request, article) if saved else True
    context = {
        "can_edit": can_edit,
        "actions": story_actions(request.user, article),
        "autosave_url": reverse(f"admin:articles_article_autosave{suffix}", args=args),
        "check_url": reverse(f"admin:articles_article_check{suffix}", args=args),
        "restore_url": reverse(f"admin:articles_article_restore{suffix}", args=args),
        "preview_url": reverse(f"admin:articles_article_preview{suffix}", args=args),
        "presence_url": reverse("admin:articles_article_presence", args=args) if saved else "",
    }
    if can_edit and request.method == "GET":
        copy = WorkingCopy.objects.filter(article=article if saved else None, user=request.user).first()
        if copy is not None and copy.has_changes:
            stale = saved and copy.loaded_version is not None and copy.loaded_version != article.lock_version
            context["offer"] = {"saved_at": timezone.localtime(copy.saved_at), "stale": stale}
    return context


def editor_urls(model_admin):
    """The editor's URL patterns, for ArticleAdmin.get_urls."""
    wrap = model_admin.admin_site.admin_view

    def bound(view):
        return wrap(partial(view, model_admin=model_admin))

    patterns = []
    for name, view in (
        ("autosave", autosave),
        ("check", check),
        ("restore", restore),
        ("live-preview", preview),
    ):
        url_name = name.replace("live-", "")
        patterns += [
            path(f"add/{name}/", bound(view), name=f"articles_article_{url_name}_new"),
            path(f"<path:object_id>/{name}/", bound(view), name=f"articles_article_{url_name}"),
        ]
    patterns.append(path("<path:object_id>/presence/", bound(presence), name="articles_article_presence"))
    return patterns
