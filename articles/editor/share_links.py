"""The story page's share-link panel: make a link with a chosen lifetime, copy it, revoke it.

Links are absolute, since they are pasted into e-mails. The panel is re-rendered by each change, so what the
Editor sees is always what the database holds.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import audit

from .. import workflow
from ..models import Article, ShareLink
from ..models.share_link import LIFETIME_DAYS


def panel_context(request, article):
    """What templates/admin/articles/article/share_links.html needs, or None when the user can't share."""
    if article is None or article.pk is None or not workflow.can_publish(request.user):
        return None
    links = [
        {"link": link, "absolute_url": request.build_absolute_uri(link.url)}
        for link in article.share_links.working().select_related("created_by")
    ]
    return {
        "article": article,
        "links": links,
        "is_public": article.is_public,
        "lifetimes": LIFETIME_DAYS,
        "default_days": settings.PREVIEW_LINK_DAYS,
        "time_zone": timezone.localtime().tzname(),
    }


def render_panel(request, article):
    return TemplateResponse(
        request, "admin/articles/article/share_links.html", {"share": panel_context(request, article)}
    )


@require_POST
def make_link(request, object_id):
    article = get_object_or_404(Article, pk=object_id)
    try:
        days = int(request.POST.get("days", settings.PREVIEW_LINK_DAYS))
    except ValueError:
        days = settings.PREVIEW_LINK_DAYS
    if days not in LIFETIME_DAYS:
        days = settings.PREVIEW_LINK_DAYS
    if article.is_public:
        raise PermissionDenied("The story is public: it needs no share link.")
    link = workflow.make_preview_link(article, request.user, days)
    audit.record(
        request.user,
        audit.Action.SHARE_LINK_MADE,
        target=article,
        detail=f"{days} days, until {link.expires_at:%Y-%m-%d %H:%M} UTC",
        request=request,
    )
    return render_panel(request, article)


@require_POST
def revoke_link(request, object_id, link_id):
    link = get_object_or_404(ShareLink.objects.select_related("article"), pk=link_id, article_id=object_id)
    workflow.revoke_preview_link(link, request.user)
    audit.record(request.user, audit.Action.SHARE_LINK_REVOKED, target=link.article, request=request)
    return render_panel(request, link.article)
