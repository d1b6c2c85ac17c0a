"""Audit entries for what Django, django-axes and the workflow already announce by signal."""

from axes.signals import user_locked_out
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_save

from . import audit
from .sessions import start_session

Action = audit.Action


def logged_in(sender, request, user, **kwargs):
    start_session(request)
    audit.record(user, Action.LOGIN, request=request)


def login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    audit.record(None, Action.LOGIN_FAILED, target=username, request=request)


def locked_out(sender, request, username, ip_address, **kwargs):
    audit.record(
        None,
        Action.LOCKED_OUT,
        target=username or "",
        detail=f"Too many failed logins from {ip_address}: refused until the cool-off passes.",
        request=request,
    )


def _request_user():
    request = audit.current_request.get()
    return getattr(request, "user", None)


def memberships_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Groups added to or removed from a user, from either side (user.groups or group.user_set)."""
    if action not in {"post_add", "post_remove", "post_clear"} or (action != "post_clear" and not pk_set):
        return
    verb = {"post_add": "added to", "post_remove": "removed from", "post_clear": "removed from every group"}
    if reverse:  # group.user_set.add(user, ...)
        users = model.objects.filter(pk__in=pk_set) if pk_set else []
        pairs = [(user, instance.name) for user in users]
    else:
        names = ", ".join(sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True)))
        pairs = [(instance, names)]
    for user, groups in pairs:
        detail = f"{verb[action]} {groups}".strip()
        audit.record(_request_user(), Action.GROUPS_CHANGED, target=user, detail=detail)


def permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Permissions given to or taken from a user or a group."""
    if reverse or action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action != "post_clear" and not pk_set:
        return
    if action == "post_clear":
        detail = "all permissions removed"
    else:
        codes = model.objects.filter(pk__in=pk_set).select_related("content_type")
        listed = ", ".join(sorted(f"{p.content_type.app_label}.{p.codename}" for p in codes))
        detail = f"{'added' if action == 'post_add' else 'removed'}: {listed}"
    target = f"group {instance.name}" if isinstance(instance, Group) else instance
    audit.record(_request_user(), Action.PERMISSIONS_CHANGED, target=target, detail=detail)


def admin_change_to_account(sender, instance, created, **kwargs):
    """Staff flags, superuser status, passwords and the rest, as the admin itself describes the change."""
    if not created or instance.content_type.model_class() not in {get_user_model(), Group}:
        return
    verb = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}
    audit.record(
        instance.user,
        Action.ACCOUNT_CHANGED,
        target=instance.object_repr,
        detail=instance.get_change_message() or verb[instance.action_flag],
    )


def story_moved(sender, instance, created, **kwargs):
    from articles.models import Status

    if not created:
        return
    if instance.to_state == Status.PUBLISHED:
        action = Action.PUBLISHED
    elif instance.to_state == Status.SCHEDULED:
        action = Action.SCHEDULED
    elif instance.from_state in {Status.PUBLISHED, Status.SCHEDULED}:
        action = Action.UNPUBLISHED
    else:
        return
    detail = f"{instance.get_from_state_display()} → {instance.get_to_state_display()}"
    audit.record(instance.changed_by, action, target=instance.article, detail=detail)


def connect():
    from articles.models import StatusChange

    User = get_user_model()
    user_logged_in.connect(logged_in, dispatch_uid="accounts.logged_in")
    user_login_failed.connect(login_failed, dispatch_uid="accounts.login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="accounts.locked_out")
    m2m_changed.connect(memberships_changed, sender=User.groups.through, dispatch_uid="accounts.groups")
    for through in (User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"accounts.perms.{through}")
    post_save.connect(admin_change_to_account, sender=LogEntry, dispatch_uid="accounts.admin_log")
    post_save.connect(story_moved, sender=StatusChange, dispatch_uid="accounts.story_moved")
