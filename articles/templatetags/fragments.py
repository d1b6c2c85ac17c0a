"""{% teaser %}, {% story_block %}, {% story_social %}, {% story_structured_data %}: a story's fragments, kept
by content; {% site_head %}, {% site_header %}, {% site_footer %}: the page's frame, kept (fragments.py)."""

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


@register.simple_tag(takes_context=True)
def story_social(context, article):
    return fragments.social(article, context["request"])


@register.simple_tag(takes_context=True)
def story_structured_data(context, article):
    return fragments.structured_data(article, context["request"])


@register.simple_tag(takes_context=True)
def story_listing(context):
    """A list page's stories as laid out (fragments.listing())."""
    return fragments.listing(
        context["articles"], context.get("front"), context.get("heading"), context.get("heading_kind")
    )


@register.simple_tag
def site_head():
    """The links in every page's head: fonts, style sheet, icons, manifest, the site's feeds."""
    return fragments.frame(fragments.HEAD_TEMPLATE)


@register.simple_tag(takes_context=True)
def site_header(context):
    return fragments.header(context["request"], context.get("query"), context.get("content_state"))


@register.simple_tag
def site_footer():
    return fragments.frame(fragments.FOOTER_TEMPLATE)
