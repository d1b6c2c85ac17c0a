from django.conf import settings


def site(request):
    return {"site_name": settings.SITE_NAME}


def canonical(request):
    """The page's own absolute address without tracking parameters; only ?page= changes what is shown."""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and page != "1":
        url = f"{url}?page={page}"
    return {"canonical_url": url}
