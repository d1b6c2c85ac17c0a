from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from ..coins import context_object
from ..feeds import xml_safe as _xml_safe
from ..house_style import render
from ..structured_data import to_script_json

register = template.Library()


@register.filter
def canonical_url(article, request):
    return article.canonical_url(request)


@register.filter
def xml_safe(text):
    """Drop characters XML 1.0 cannot carry (control characters pasted into a headline)."""
    return _xml_safe(str(text))


@register.simple_tag
def json_ld(data):
    """<script type="application/ld+json"> with the JSON escaped so no value can close the element."""
    return mark_safe(f'<script type="application/ld+json">{to_script_json(data)}</script>')


@register.filter
def iso_datetime(value):
    """ISO 8601 to the second in local time: HTML's datetime attribute allows at most three decimal places."""
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else ""


@register.filter
def absolute_url(url, request):
    """An address as a crawler needs it: with scheme and host (a media URL on another domain stays as it is)."""
    return request.build_absolute_uri(url)


@register.filter
def house_style(citation):
    """The reference in the desk's house style (CITATION_STYLE), rendered by citeproc-py and cleaned by nh3."""
    return mark_safe(render(citation))


@register.filter
def coins(citation):
    """The reference's OpenURL ContextObject, for a COinS ``span.Z3988``."""
    return context_object(citation)
