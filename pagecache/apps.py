from django.apps import AppConfig
from django.db.backends.signals import connection_created


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from .versions import watch_connection

        # Every database connection reports writes to content tables, so cached pages never go stale.
        connection_created.connect(watch_connection, dispatch_uid="pagecache.watch_connection")
