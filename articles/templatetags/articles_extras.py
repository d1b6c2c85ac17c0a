from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..feeds import xml_safe as _xml_safe
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
def journal_in_italics(reference, journal):
    """The formatted reference, escaped, with the journal's name (its last occurrence: the source comes after
    the title) in italics as journals print it."""
    text = str(reference)
    at = text.rfind(journal) if journal else -1
    if at < 0:
        return escape(text)
    before, after = text[:at], text[at + len(journal) :]
    return mark_safe(f"{escape(before)}<i>{escape(journal)}</i>{escape(after)}")
