import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

django_application = get_wsgi_application()

# Imported once Django is set up (it reads models and settings). Repeated anonymous requests for cached pages are
# answered in front of Django; everything else goes through it (pagecache/wsgi.py).
from pagecache.wsgi import PageCacheFastPath  # noqa: E402

application = PageCacheFastPath(django_application)
