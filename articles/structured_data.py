"""schema.org JSON-LD for a story, as search engines read it: a NewsArticle with its research, quotes and
corrections.

Built only from data the detail view has already fetched, so it adds no queries.
"""

import json

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import strip_tags

from .house_style import render_text

LOGO_PATH = "img/logo.png"


def absolute(request, path):
    return request.build_absolute_uri(path)


def publisher(request):
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.SITE_NAME,
        "url": absolute(request, "/"),
        "logo": {
            "@type": "ImageObject",
            "url": absolute(request, static(LOGO_PATH)),
            "width": 600,
            "height": 60,
        },
    }


def organisation_as_author(request):
    """A story with no byline is the publication's own: schema.org's author is then the Organization."""
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute(request, "/")}


def images(article, request):
    """The hero's renditions, widest first (search engines pick the size they need); the logo without one."""
    entries = article.hero_renditions.get("hero") if article.hero_image else None
    if entries:
        storage = article.hero_image.storage
        return [absolute(request, storage.url(entry["jpg"])) for entry in reversed(entries)]
    if article.hero_image:
        return [absolute(request, article.hero_image.url)]
    return [absolute(request, static(LOGO_PATH))]


def person(author, request):
    data = {"@type": "Person", "name": author.name, "url": absolute(request, author.get_absolute_url())}
    if author.role:
        data["jobTitle"] = author.role
    if author.website:
        data["sameAs"] = author.website
    return data


def scholarly_article(citation):
    """A reference as ScholarlyArticle: the periodical and volume nest as schema.org describes journals."""
    data = {"@type": "ScholarlyArticle", "name": citation.title or render_text(citation)}
    # The reference as the page prints it, in the desk's house style.
    data["description"] = render_text(citation)
    if citation.authors:
        data["author"] = [
            {"@type": "Organization" if name.is_organisation else "Person", "name": str(name)}
            for name in citation.names
        ]
    if citation.journal:
        part_of = {"@type": "Periodical", "name": citation.journal}
        if citation.volume:
            part_of = {"@type": "PublicationVolume", "volumeNumber": citation.volume, "isPartOf": part_of}
        if citation.issue:
            part_of = {"@type": "PublicationIssue", "issueNumber": citation.issue, "isPartOf": part_of}
        data["isPartOf"] = part_of
    if citation.pages:
        data["pagination"] = citation.pages
    if citation.year:
        data["datePublished"] = str(citation.year)
    if citation.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": citation.doi}
        data["sameAs"] = citation.doi_url
    elif citation.url:
        data["url"] = citation.url
    return data


def quotation(quote, request):
    speaker = quote.speaker
    creator = {"@type": "Person", "name": speaker.name, "url": absolute(request, speaker.get_absolute_url())}
    if quote.speaker_role:
        creator["jobTitle"] = quote.speaker_role
    if quote.speaker_affiliation:
        creator["affiliation"] = {"@type": "Organization", "name": quote.speaker_affiliation}
    return {"@type": "Quotation", "text": quote.text, "creator": creator}


def news_article(article, request):
    """The NewsArticle for one published story (fetched with for_detail())."""
    url = article.canonical_url(request)
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": strip_tags(article.teaser_text),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.published_at.isoformat(),
        "dateModified": max(article.updated_at, article.published_at).isoformat(),
        "author": [person(author, request) for author in article.byline_authors]
        or [organisation_as_author(request)],
        "publisher": publisher(request),
        "image": images(article, request),
        "keywords": [tag.name for tag in article.tags.all()],
        "inLanguage": "en-GB",
        "isAccessibleForFree": True,
    }
    if article.section:
        data["articleSection"] = article.section.name
    citations = article.citations.all()
    if citations:
        data["citation"] = [scholarly_article(citation) for citation in citations]
    quotes = article.quotes.all()
    if quotes:
        data["hasPart"] = [quotation(quote, request) for quote in quotes]
    corrections = article.corrections.all()
    if corrections:
        data["correction"] = [correction_comment(correction, url) for correction in corrections]
    return data


def correction_comment(correction, article_url):
    return {
        "@type": "CorrectionComment",
        "text": f"{correction.get_kind_display()}: {correction.text}",
        "datePublished": correction.created_at.isoformat(),
        "url": f"{article_url}#correction-{correction.pk}",
    }


# The characters that could close the <script> element or open markup, as json_script escapes them.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def to_script_json(data):
    """JSON safe to put inside <script type="application/ld+json">."""
    return json.dumps(data, ensure_ascii=False, indent=1).translate(_SCRIPT_ESCAPES)
