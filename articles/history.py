"""A story set beside one of its earlier versions, for the admin's history page (difflib, word by word)."""

import difflib
import re
from dataclasses import dataclass

from taggit.models import Tag, TaggedItem

from .house_style import render_text
from .models import Author, Byline, Citation, Quote, Section, Speaker
from .sanitize import strip_tags

TEXT_FIELDS = [
    "headline",
    "slug",
    "standfirst",
    "body",
    "hero_alt",
    "hero_caption",
    "hero_credit",
    "disclosure",
]


@dataclass
class Difference:
    """One field or part that differs; `chunks` are (kind, text) with kind "same", "removed" or "added"."""

    label: str
    chunks: list
    by_line: bool = False


BLOCK_END = re.compile(
    r"</(?:p|h[2-6]|li|blockquote|figcaption|caption|td|th|pre)>|<br\s*/?>|<hr\s*/?>", re.I
)


def body_text(html):
    """The body's words, blocks kept apart (stripping tags alone would join “end.</p><p>Next” into one word)."""
    return strip_tags(BLOCK_END.sub(" ", html))


def word_diff(old, new):
    old_words, new_words = old.split(), new.split()
    chunks = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            chunks.append(("same", " ".join(old_words[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(("removed", " ".join(old_words[i1:i2])))
        if j2 > j1:
            chunks.append(("added", " ".join(new_words[j1:j2])))
    return chunks


def line_diff(old_lines, new_lines):
    kinds = {" ": "same", "-": "removed", "+": "added"}
    return [(kinds[line[0]], line[2:]) for line in difflib.ndiff(old_lines, new_lines) if line[0] in kinds]


PART_MODELS = (Byline, Quote, Citation, TaggedItem)


def part_versions(version, article):
    """The stored bylines, quotes, citations and tag links of this story in `version`'s revision.

    A revision can hold other stories too (a bulk action saves several at once): only this story's
    parts are returned. Each comes as (Version, unsaved object)."""
    parts = []
    for part in version.revision.version_set.exclude(pk=version.pk).select_related("content_type"):
        if part._model not in PART_MODELS:
            continue
        obj = part._object_version.object
        owner = obj.object_id if part._model is TaggedItem else obj.article_id
        if str(owner) == str(article.pk):
            parts.append((part, obj))
    return parts


def _old_parts(version, article):
    parts = {model: [] for model in PART_MODELS}
    for _part, obj in part_versions(version, article):
        parts[type(obj)].append(obj)
    for model in (Byline, Quote, Citation):
        parts[model].sort(key=lambda obj: (obj.position, obj.pk))
    return parts


def _part_lines(bylines, quotes, citations, tag_links):
    authors = Author.objects.in_bulk({b.author_id for b in bylines})
    speakers = Speaker.objects.in_bulk({q.speaker_id for q in quotes})
    tags = Tag.objects.in_bulk({t.tag_id for t in tag_links})
    missing = "(deleted)"
    return {
        "Bylines": [getattr(authors.get(b.author_id), "name", missing) for b in bylines],
        "Quotes": [f"{getattr(speakers.get(q.speaker_id), 'name', missing)}: “{q.text}”" for q in quotes],
        "References": [
            " ".join(
                filter(None, [render_text(c), f"doi:{c.doi}" if c.doi else "", c.get_study_status_display()])
            )
            for c in citations
        ],
        "Tags": sorted(getattr(tags.get(t.tag_id), "name", missing) for t in tag_links),
    }


def _version_side(version, article):
    """The story's fields and its parts, as lines, in `version`."""
    parts = _old_parts(version, article)
    return version.field_dict, _part_lines(parts[Byline], parts[Quote], parts[Citation], parts[TaggedItem])


def _current_side(article):
    fields = {name: getattr(article, name) for name in TEXT_FIELDS}
    fields["section_id"] = article.section_id
    parts = (article.bylines, article.quotes, article.citations, article.tagged_items)
    return fields, _part_lines(*(list(related.all()) for related in parts))


def compare(version, article, newer=None):
    """What differs between `version` (old) and `newer` (a later version, or the story as saved now)."""
    old, old_parts = _version_side(version, article)
    new, new_parts = _version_side(newer, article) if newer is not None else _current_side(article)
    differences = []
    for name in TEXT_FIELDS:
        before, after = old.get(name) or "", new.get(name) or ""
        if before != after:
            label = article._meta.get_field(name).verbose_name.capitalize()
            if name == "body":
                # Editors compare words, not markup: the tags would show as text.
                before, after = body_text(before), body_text(after)
                if before == after:
                    differences.append(Difference(f"{label} (formatting only)", [("same", after)]))
                    continue
            differences.append(Difference(label, word_diff(before, after)))
    if old.get("section_id") != new.get("section_id"):
        ids = (old.get("section_id"), new.get("section_id"))
        sections = Section.objects.in_bulk(set(ids) - {None})
        names = [getattr(sections.get(pk), "name", "(none)") for pk in ids]
        differences.append(Difference("Section", line_diff(names[:1], names[1:]), by_line=True))
    for label, old_lines in old_parts.items():
        if old_lines != new_parts[label]:
            differences.append(Difference(label, line_diff(old_lines, new_parts[label]), by_line=True))
    return differences
