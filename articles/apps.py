from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, post_save, pre_save


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from taggit.models import Tag

        from .cache import watch_connection
        from .models import Section
        from .navigation import sections_changed
        from .tags import give_every_tag_a_slug
        from .workflow import sync_role_permissions

        # Every database connection reports writes to story tables, so cached pages never go stale.
        connection_created.connect(watch_connection, dispatch_uid="articles.cache.watch_connection")
        # After the permissions exist (they are made on post_migrate too), give the roles theirs.
        pre_save.connect(give_every_tag_a_slug, sender=Tag, dispatch_uid="articles.tags.slug")
        # The header's section links are rewritten in the cache as sections change, so pages read, never query.
        for signal in (post_save, post_delete):
            signal.connect(sections_changed, sender=Section, dispatch_uid=f"articles.navigation.{signal}")
        post_migrate.connect(sync_role_permissions, sender=self, dispatch_uid="articles.sync_roles")
