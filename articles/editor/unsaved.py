"""The story as its form stands, unsaved: read from a submission through the admin's own forms and formsets, so
the preview and the checklist see exactly what saving would store (fields that don't validate yet keep their
saved value). Nothing is written: the whole reading runs in a transaction that is rolled back.
"""

import copy
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from taggit.models import Tag

from ..models import Article


class Rows:
    """Stands in for a related manager in templates: `.all()` and iteration give the rows as edited."""

    def __init__(self, rows):
        self.rows = list(rows)

    def all(self):
        return self.rows

    def __iter__(self):
        return iter(self.rows)

    def count(self):
        return len(self.rows)


@dataclass
class UnsavedStory:
    """An unsaved Article with its rows as edited. Templates read it as they read a saved story."""

    article: Article
    bylines: Rows = field(default_factory=lambda: Rows([]))
    quotes: Rows = field(default_factory=lambda: Rows([]))
    citations: Rows = field(default_factory=lambda: Rows([]))
    corrections: Rows = field(default_factory=lambda: Rows([]))
    tags: Rows = field(default_factory=lambda: Rows([]))

    def __getattr__(self, name):
        # The model's properties run on this object, so those reading the story's rows see them as edited.
        attribute = getattr(type(self.article), name, None)
        if isinstance(attribute, property):
            return attribute.fget(self)
        return getattr(self.article, name)

    @property
    def byline_authors(self):
        return [byline.author for byline in self.bylines]


def kept_rows(formset):
    """The rows a save would keep: existing ones not deleted, and new ones with something typed in."""
    rows = []
    for form in formset.forms:
        cleaned = getattr(form, "cleaned_data", None) or {}
        if cleaned.get("DELETE") or (form.instance.pk is None and not form.has_changed()):
            continue
        rows.append(form)
    return rows


def read_unsaved_story(model_admin, request, saved):
    """The story as request.POST has it (`saved` is the stored Article, or None for a new one)."""
    with transaction.atomic():
        story = _read(model_admin, request, saved)
        transaction.set_rollback(True)
    return story


def _read(model_admin, request, saved):
    form_class = model_admin.get_form(request, saved, change=saved is not None)
    form = form_class(request.POST, {}, instance=copy.copy(saved) if saved else Article())
    form.is_valid()  # fills the instance with every field that validates
    article = form.instance
    # The page's address is drawn from the slug, which a new story may not have yet.
    article.slug = article.slug or slugify(article.headline, allow_unicode=True) or "new-story"
    story = UnsavedStory(article)
    tags = form.cleaned_data.get("tags") if hasattr(form, "cleaned_data") else None
    if tags is None and saved is not None:
        tags = list(saved.tags.names())
    story.tags = Rows(Tag(name=name, slug=slugify(name, allow_unicode=True)) for name in tags or [])
    if saved is not None:
        story.corrections = Rows(saved.corrections.all())
    for formset_class, inline in model_admin.get_formsets_with_inlines(request, saved):
        prefix = formset_class.get_default_prefix()
        if f"{prefix}-TOTAL_FORMS" not in request.POST:
            continue
        formset = formset_class(**model_admin.get_formset_kwargs(request, article, inline, prefix))
        formset.is_valid()
        forms = kept_rows(formset)
        rows = []
        for form in forms:
            row = form.instance
            if prefix == "quotes":
                speaker = form.speaker_for_display if hasattr(form, "cleaned_data") else None
                if speaker is None:
                    continue
                row.speaker = speaker
            if prefix == "bylines" and row.author_id is None:
                continue
            if getattr(row, "pk", None) is None and prefix == "citations":
                row.pk = 0  # the template links each reference's downloads by id; a new one has none yet
            rows.append(row)
        if prefix != "corrections":
            setattr(story, prefix, Rows(sorted(rows, key=lambda row: row.position)))
    return story
