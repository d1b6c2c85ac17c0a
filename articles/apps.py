from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        from .workflow import sync_role_permissions

        # After the permissions exist (they are made on post_migrate too), give the roles theirs.
        post_migrate.connect(sync_role_permissions, sender=self, dispatch_uid="articles.sync_roles")
