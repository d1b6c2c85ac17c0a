from django.conf import settings

from .navigation import section_links


def site(request):
    return {"site_name": settings.SITE_NAME}


def sections(request):
    """The header's section navigation; read lazily, so pages that never render it never touch the cache."""
    return {"section_links": section_links}


def canonical(request):
    """The page's own absolute address without tracking parameters; only ?page= changes what is shown."""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and page != "1":
        url = f"{url}?page={page}"
    return {"canonical_url": url}
