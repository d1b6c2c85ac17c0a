"""Tags are taggit's; this makes sure every one has a slug an address can carry.

taggit slugs a tag from its name, so a name with no letters or digits (“!!!”, an emoji) got an empty slug,
and every page linking the tag failed to build its address."""

import hashlib

from django.utils.text import slugify


def fallback_slug(name):
    """A stable slug for a name that slugifies to nothing: “tag-” and a digest of the name."""
    return f"tag-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


def give_every_tag_a_slug(sender, instance, **kwargs):
    """pre_save of taggit's Tag."""
    if not slugify(instance.slug or "", allow_unicode=True):
        instance.slug = fallback_slug(instance.name)
