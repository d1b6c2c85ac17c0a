"""Old addresses of published stories, answered with a 301 to the current one."""

from django.db import models
from django.urls import reverse


class ArticleRedirect(models.Model):
    """An address a published story used to have; the story page answers it with a 301."""

    old_slug = models.CharField(max_length=255, unique=True)
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "old address"
        verbose_name_plural = "old addresses"

    def __str__(self):
        return f"{self.old_path} → {self.article.get_absolute_url()}"

    @property
    def old_path(self):
        return reverse("articles:detail", kwargs={"slug": self.old_slug})
