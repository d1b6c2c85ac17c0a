"""RSS 2.0 and Atom feeds of the latest stories, and of each section, tag and author (django.contrib.syndication)."""

import copy
import mimetypes
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from .house_style import render_text
from .models import Article, Author, Section

FEED_SIZE = 30
# XML 1.0 cannot carry these at all; Django's feed writer refuses the whole feed if one slips into a headline.
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text):
    return _XML_INVALID.sub("", text or "")


class LatestStoriesFeed(Feed):
    """The newest published stories. Subclasses narrow it to one section, tag or author."""

    feed_type = Rss201rev2Feed
    language = "en-GB"

    def __call__(self, request, *args, **kwargs):
        # One Feed instance serves every request; a copy carries this request's host for absolute URLs.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def title(self, obj):
        return f"{settings.SITE_NAME}: latest stories"

    def description(self, obj):
        return "Science news: research explained by the people who did it."

    def link(self, obj):
        return reverse("articles:home")

    def filter_articles(self, articles, obj):
        return articles

    def items(self, obj):
        # Tags become the items' categories; references close each item's description.
        articles = Article.objects.published().for_teasers().prefetch_related("tags", "citations")
        return self.filter_articles(articles, obj)[:FEED_SIZE]

    def item_title(self, item):
        return xml_safe(item.headline)

    def item_description(self, item):
        references = [f"Reference: {render_text(citation)}" for citation in item.citations.all()]
        return xml_safe("\n\n".join([item.teaser_text, *references]))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item):
        return xml_safe(", ".join(author.name for author in item.byline_authors)) or None

    def item_author_link(self, item):
        authors = item.byline_authors
        return self.request.build_absolute_uri(authors[0].get_absolute_url()) if len(authors) == 1 else None

    def item_categories(self, item):
        names = [item.section.name] if item.section else []
        return [xml_safe(name) for name in names + [tag.name for tag in item.tags.all()]]

    def item_enclosure_url(self, item):
        return self.request.build_absolute_uri(item.hero_image.url) if item.hero_image else None

    def item_enclosure_length(self, item):
        try:
            return item.hero_image.size
        except OSError:
            return 0  # RSS allows 0 when the size is unknown; a missing file must not break the feed.

    def item_enclosure_mime_type(self, item):
        return mimetypes.guess_type(item.hero_image.name)[0] or "application/octet-stream"


class FilteredFeed(LatestStoriesFeed):
    """Stories of one section, tag or author; `model` says which, looked up by the URL's slug."""

    model = None

    def get_object(self, request, slug):
        return get_object_or_404(Article.objects.published().headings(self.model), slug=slug)

    def filter_articles(self, articles, heading):
        return articles.listed_under(heading)

    def title(self, obj):
        return xml_safe(f"{settings.SITE_NAME}: {obj}")

    def link(self, obj):
        return reverse(f"articles:{self.model._meta.model_name}", kwargs={"slug": obj.slug})

    def description(self, obj):
        return xml_safe(f"The latest {settings.SITE_NAME} stories: {obj}.")


class SectionFeed(FilteredFeed):
    model = Section


class TagFeed(FilteredFeed):
    model = Tag


class AuthorFeed(FilteredFeed):
    model = Author


def atom(feed_class):
    """The Atom twin of an RSS feed class."""
    return type(
        f"{feed_class.__name__}Atom",
        (feed_class,),
        {"feed_type": Atom1Feed, "subtitle": feed_class.description},
    )
