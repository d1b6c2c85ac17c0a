"""The corrections log as an RSS feed, so readers and aggregators hear when a story was put right."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse

from .feeds import xml_safe
from .models import Correction

FEED_LENGTH = 50


class CorrectionsFeed(Feed):
    description = "Corrections, clarifications and updates to published stories."

    def title(self):
        return f"{settings.SITE_NAME}: corrections"

    def link(self):
        return reverse("articles:corrections")

    def items(self):
        return Correction.objects.public().select_related("article")[:FEED_LENGTH]

    def item_title(self, correction):
        return xml_safe(f"{correction.get_kind_display()}: {correction.article.headline}")

    def item_description(self, correction):
        return xml_safe(correction.text)

    def item_link(self, correction):
        return correction.get_absolute_url()

    def item_pubdate(self, correction):
        return correction.created_at
