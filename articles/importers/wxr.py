"""WordPress eXtended RSS (WXR 1.0–1.2) exports, streamed.

The file is read twice with defusedxml's iterparse: once to prove it well-formed (so a truncated export
imports nothing rather than half of itself), once to build stories, clearing each ``<item>`` as soon as it
has been read so memory stays flat however big the export. DTDs and entity declarations are refused
outright, which is what stops “billion laughs” and external-entity tricks.

Posts become stories (any status); pages, attachments, menu items, other post types and comments are
counted as ignored. Content is WordPress HTML: Gutenberg block comments go, ``[caption]`` shortcodes become
``<figure>``, paragraphs are restored where WordPress relied on line breaks, and the result is sanitised.
"""

import html
import re
from datetime import UTC, datetime
from urllib.parse import unquote
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils import timezone
from django.utils.text import Truncator

from ..models import Status
from ..sanitize import clean_html
from .story import ArticleImportError, Ignored, Story, StoryAuthor, StorySection, plain_text, valid_url
from .wpautop import wpautop

STATUSES = {
    "publish": Status.PUBLISHED,
    "future": Status.PUBLISHED,  # scheduled: published with a publication time still to come
    "pending": Status.IN_REVIEW,
    "draft": Status.DRAFT,
    "auto-draft": Status.DRAFT,
    "private": Status.DRAFT,
    "trash": Status.DRAFT,
}
NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
# Gutenberg's block markers (<!-- wp:paragraph -->) and every other comment, such as <!--more-->.
# Each pattern stops at the next opener of its kind, so unclosed openers cost linear time, not quadratic.
COMMENT = re.compile(r"<!--(?:(?!<!--)[\s\S])*?-->")
CAPTION = re.compile(
    r"\[(?:wp_)?caption(?P<attrs>[^\]\[]*)\](?P<inner>(?:(?!\[/?(?:wp_)?caption)[\s\S])*?)\[/(?:wp_)?caption\]"
)
CAPTION_ATTR = re.compile(r"""caption=(?:"([^"]*)"|'([^']*)')""")
MEDIA = re.compile(r"^\s*(?P<media>(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)\s*(?P<text>.*)$", re.DOTALL)
SHORTCODE = re.compile(r"\[/?(?:gallery|playlist|audio|video|embed|wp_playlist)\b[^\]\[]*\]")
# An old-style caption (<dl class="wp-caption">) whose image has gone: a definition list with nothing to define.
EMPTY_CAPTION = re.compile(r"<dl\b[^>]*>\s*(?:<dt\b[^>]*>\s*</dt>\s*)*</dl>", re.IGNORECASE)
NO_DATE = "0000-00-00 00:00:00"


def parse(source):
    attachments = _check_well_formed(source)
    site = {"title": "", "link": "", "authors": {}, "attachments": attachments}
    items = 0
    with source.open() as stream:
        channel = None
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            name = _name(element.tag)
            if event == "start":
                channel = element if name == "channel" else channel
                continue
            # Work on the channel's children as each one closes, then drop it: memory holds one item at a time.
            if channel is None or element not in channel:
                continue
            if name == "item":
                items += 1
                source.position = stream.tell()
                yield from _item(element, items, site, source)
            elif name == "wp:author":
                login = _text(element, "wp:author_login")
                site["authors"][login] = _text(element, "wp:author_display_name") or login
            elif name in ("title", "link"):
                site[name] = site[name] or (element.text or "").strip()
            channel.remove(element)


def _check_well_formed(source):
    """Read the whole file once, refusing it if it is not well-formed; returns its attachments, because a post
    names its featured image by attachment id and the attachment may come anywhere in the file."""
    attachments, inside_item = {}, False
    try:
        with source.open() as stream:
            if not stream.read(1024).strip():
                raise ArticleImportError(source.label, "the file is empty")
            stream.seek(0)
            for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
                if element.tag == "item":
                    inside_item = event == "start"
                    if event == "end":
                        _attachment(element, attachments)
                        element.clear()
                elif event == "end" and not inside_item:
                    element.clear()
    except DefusedXmlException:
        raise ArticleImportError(
            source.label,
            "the XML declares a DTD or entities, which imports refuse (entity expansion is an attack vector)",
        ) from None
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise ArticleImportError(
            source.label, f"XML not well-formed ({reason}, column {column})", where=line
        ) from None
    return attachments


def _attachment(item, attachments):
    """Remember an attachment's file URL, alt text and caption, by its post id."""
    if _text(item, "wp:post_type") != "attachment" or not (url := _text(item, "wp:attachment_url")):
        return
    attachments[_text(item, "wp:post_id")] = {
        "url": url,
        "alt": plain_text(_meta(item, "_wp_attachment_image_alt"))[:300],
        "caption": plain_text(_text(item, "excerpt:encoded"))[:500],
    }


def _item(element, number, site, source):
    kind = _text(element, "wp:post_type") or "post"
    comments = len([child for child in element if _name(child.tag) == "wp:comment"])
    if comments:
        yield Ignored("comment", comments)
    if kind != "post":
        yield Ignored(kind)
        return
    post_id = _text(element, "wp:post_id")
    where = f"item {number}" + (f" (post {post_id})" if post_id else "")
    title = plain_text(_text(element, "title"))
    content = _text(element, "content:encoded")
    slug = unquote(_text(element, "wp:post_name"))
    status = _text(element, "wp:status") or "publish"
    categories, tags = [], []
    for child in element:
        if _name(child.tag) == "category" and (child.text or "").strip():
            domain = child.get("domain", "category")
            if domain == "category":
                categories.append(StorySection(html.unescape(child.text.strip()), child.get("nicename", "")))
            elif domain == "post_tag":
                tags.append(html.unescape(child.text.strip()))
    creator = _text(element, "dc:creator")
    link = _text(element, "link")
    base = site["link"] or "wxr"
    excerpt = plain_text(_text(element, "excerpt:encoded"))
    featured = site["attachments"].get(_meta(element, "_thumbnail_id"), {})
    yield Story(
        format="wxr",
        path=source.label,
        where=where,
        external_id=f"wxr:{base}:{post_id}" if post_id else f"wxr:{_text(element, 'guid') or where}",
        headline=title or _fallback_headline(slug, content, post_id),
        slug=slug,
        standfirst=Truncator(excerpt).chars(1000),
        body=wordpress_html(content),
        # A password-protected post was never public: it comes in as a draft for an editor to decide.
        status=Status.DRAFT if _text(element, "wp:post_password") else STATUSES.get(status, Status.DRAFT),
        draft_reason="password-protected in WordPress" if _text(element, "wp:post_password") else "",
        published_at=_date(element),
        section=categories[0] if categories else None,
        authors=[StoryAuthor(site["authors"].get(creator, creator))] if creator else [],
        tags=tags + [section.name for section in categories[1:]],
        base_dir=source.base_dir,
        hero_image_url=featured.get("url", ""),
        hero_alt=featured.get("alt", ""),
        hero_caption=featured.get("caption", ""),
        source_name=site["title"][:200],
        source_url=link if valid_url(link) else "",
    )


def wordpress_html(content):
    """WordPress post content → article HTML: no block comments, captions as figures, real paragraphs."""
    content = COMMENT.sub("", content or "")
    content = CAPTION.sub(_figure, content)
    content = SHORTCODE.sub("", content)
    content = EMPTY_CAPTION.sub("", content)
    return clean_html(wpautop(content))


def _figure(match):
    inner = match["inner"].strip()
    media = MEDIA.match(inner)
    attribute = CAPTION_ATTR.search(match["attrs"])
    caption = (attribute.group(1) or attribute.group(2)) if attribute else ""
    if media is None:
        return inner
    caption = caption or media["text"].strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{media['media']}{figcaption}</figure>\n\n"


def _fallback_headline(slug, content, post_id):
    """WordPress allows an untitled post; a story needs a headline, so borrow the first words."""
    words = plain_text(content).split()
    if words:
        return Truncator(" ".join(words)).words(10)
    if slug:
        return slug.replace("-", " ").strip().capitalize()
    return f"Untitled post {post_id}".strip()


def _date(element):
    gmt = _text(element, "wp:post_date_gmt")
    if gmt and gmt != NO_DATE:
        moment = _parse_wp_date(gmt)
        if moment:
            return moment.replace(tzinfo=UTC)
    local = _text(element, "wp:post_date")
    if local and local != NO_DATE and (moment := _parse_wp_date(local)):
        return timezone.make_aware(moment)
    return None


def _parse_wp_date(value):
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _name(tag):
    """``{https://wordpress.org/export/1.2/}post_id`` → ``wp:post_id``, whatever the WXR version."""
    if not tag.startswith("{"):
        return tag
    namespace, local = tag[1:].split("}", 1)
    if "wordpress.org/export/" in namespace:
        prefix = "excerpt" if namespace.rstrip("/").endswith("excerpt") else "wp"
        return f"{prefix}:{local}"
    prefix = NAMESPACES.get(namespace)
    return f"{prefix}:{local}" if prefix else local


def _meta(element, key):
    """The value of an item's ``<wp:postmeta>`` with this key."""
    for child in element:
        if _name(child.tag) == "wp:postmeta" and _text(child, "wp:meta_key") == key:
            return _text(child, "wp:meta_value")
    return ""


def _text(element, name):
    for child in element:
        if _name(child.tag) == name:
            return (child.text or "").strip()
    return ""
