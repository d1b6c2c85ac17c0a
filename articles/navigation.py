"""The section links in every page's header, kept in the cache so a page never queries for them.

The list is rewritten whenever a section is saved or deleted (write-through), so readers' pages read it from the
cache; only a cold cache (a restart of an in-memory cache, an eviction) costs the one query that refills it.
"""

from django.core.cache import cache

from .models import Section

CACHE_KEY = "reader:section-links"
# A section changed by a bulk update() (no signals) is picked up within this time.
CACHE_SECONDS = 60 * 60


def load_section_links():
    links = [{"name": section.name, "url": section.get_absolute_url()} for section in Section.objects.all()]
    cache.set(CACHE_KEY, links, CACHE_SECONDS)
    return links


def section_links():
    """[{"name", "url"}] for every section, in name order."""
    links = cache.get(CACHE_KEY)
    return links if links is not None else load_section_links()


def sections_changed(sender, **kwargs):
    load_section_links()
