from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from .cache import watch_connection

        # Every database connection reports writes to story tables, so cached pages never go stale.
        connection_created.connect(watch_connection, dispatch_uid="articles.cache.watch_connection")
