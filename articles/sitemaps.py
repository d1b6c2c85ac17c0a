"""Sitemaps for search engines (django.contrib.sitemaps), plus a Google News sitemap of the last two days.

django.contrib.sites is not installed, so the sitemap views build absolute URLs from the request's host.
"""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .models import Article, Author, Section

NEWS_WINDOW = timedelta(hours=48)
# Google News reads at most this many stories from one news sitemap.
NEWS_LIMIT = 1000


class StorySitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "published_at", "updated_at").order_by("-pk")

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)


class SectionSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        return Article.objects.published().headings(Section)


class TagSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Article.objects.published().headings(Tag).order_by("name")

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Article.objects.published().headings(Author)


class NewsSitemap(Sitemap):
    """Stories published in the last 48 hours, rendered with templates/sitemaps/news.xml."""

    limit = NEWS_LIMIT

    def items(self):
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("slug", "headline", "published_at", "updated_at")
        )

    def lastmod(self, article):
        return max(article.updated_at, article.published_at)


SITEMAPS = {
    "stories": StorySitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}
