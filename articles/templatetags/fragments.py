"""{% teaser article ... %} and {% story_block article %}: a story's fragments, kept by content (fragments.py)."""

from django import template

from .. import fragments

register = template.Library()


@register.simple_tag
def teaser(article, **options):
    """The teaser partial; options as its include took them (lead, compact, level, loading)."""
    return fragments.teaser(article, **options)


@register.simple_tag
def story_block(article):
    return fragments.story(article)
