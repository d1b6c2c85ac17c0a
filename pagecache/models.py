from django.db import models


class ContentVersion(models.Model):
    """One row whose value goes up after every commit that changed content (see versions.py).

    It lives in the database, beside the content it describes, so every process and instance reads the same
    value whatever cache it has, and an outage of Redis cannot lose an invalidation.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        db_table = "pagecache_content_version"

    def __str__(self):
        return str(self.value)
