"""The site's URLs plus uploaded files, for the browser tests: the live server runs with DEBUG off, where the
project's URLconf leaves media to the web server."""

from django.conf import settings
from django.urls import include, re_path
from django.views.static import serve


def media(request, path):
    # MEDIA_ROOT is read per request: each test points it at its own folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", media),
    re_path(r"", include("newsroom.urls")),
]
