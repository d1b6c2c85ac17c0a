"""The audit trail's one entry point: `record(actor, action, target=..., detail=...)`.

Call it where something worth answering "who did that?" happens. The actor is a user, None (the system) or
a short text such as "shell:alice" for work run outside a request. The client address comes from the
request being served, if any (set by accounts.middleware.StaffSessionMiddleware).
"""

from contextvars import ContextVar

from articles.models import Article

from .client_address import client_address
from .models import AuditEntry

Action = AuditEntry.Action

current_request = ContextVar("accounts.audit.current_request", default=None)


def record(actor, action, *, target=None, detail="", request=None):
    """Add one entry to the audit trail and return it.

    `target` may be a story (the entry is then listed under it), a user, a group, or anything with a
    readable str(); `detail` says what changed, in words an Editor understands.
    """
    request = request if request is not None else current_request.get()
    if actor is None or isinstance(actor, str):
        user, name = None, actor or "system"
    elif not actor.is_authenticated:
        user, name = None, "anonymous"
    else:
        user, name = actor, actor.get_username()
    return AuditEntry.objects.create(
        actor=user,
        actor_name=name[:150],
        action=action,
        article=target if isinstance(target, Article) else None,
        target="" if target is None else str(target)[:200],
        detail=detail,
        ip_address=client_address(request) if request is not None else None,
    )
