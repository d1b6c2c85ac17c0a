"""Admin forms: the editing shapes that differ from the stored shapes."""

import copy
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.formsets import DEFAULT_MAX_NUM
from django.forms.models import BaseInlineFormSet, construct_instance
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from . import workflow
from .editing import BODY_EDITOR_EXTENSIONS, clean_editor_html
from .extraction.references import parse_reference
from .held_uploads import KeepsUploadsMixin
from .models import Article, Citation, Status


class AuthorListField(forms.CharField):
    """A citation's author list, edited as one “Family, I.” per line and stored as a JSON list."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 30})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data)


WORD = re.compile(r"\w")
UNREADABLE_REFERENCE = "No reference could be read from this text: fill in the fields below."


def read_reference(text):
    """Citation fields parsed from a pasted reference, or None when nothing recognisable was found."""
    parsed = parse_reference(text)
    found = " ".join(as_submitted(parsed.get(name)) for name in ("authors", "title", "journal", "doi"))
    return parsed if WORD.search(found) else None


def as_submitted(value):
    """A parsed Citation value as the admin's inputs hold it (a checkbox is a bool, authors one per line)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return "\n".join(value)
    return "" if value is None else str(value)


class PasteReferenceWidget(forms.Textarea):
    """The paste box with a button that fills the row's fields at once (paste-reference.js), before saving."""

    class Media:
        js = ["js/paste-reference.js"]

    def render(self, name, value, attrs=None, renderer=None):
        return format_html(
            '<div class="paste-reference" data-parse-url="{}">{}'
            '<p><button type="button" class="button" data-fill-reference>Fill in the fields</button> '
            '<span class="paste-reference-status" aria-live="polite"></span></p></div>',
            reverse("admin:articles_citation_parse_reference"),
            super().render(name, value, attrs, renderer),
        )


class CitationForm(forms.ModelForm):
    paste_reference = forms.CharField(
        label="Paste a reference",
        required=False,
        widget=PasteReferenceWidget(attrs={"rows": 2, "cols": 80}),
        help_text=(
            "Paste a reference as the paper gives it, e.g. “Ganesh, K. et al. L1CAM defines … Nature Cancer 1, "
            "28–45 (2020).” “Fill in the fields” (or saving) copies what it says into the fields below, except "
            "those you changed yourself; check them before saving."
        ),
    )
    authors = AuthorListField(required=False, help_text=Citation._meta.get_field("authors").help_text)

    class Meta:
        model = Citation
        fields = [
            "article", "paste_reference", "position", "kind", "study_status", "raw", "authors", "et_al", "title",
            "journal", "volume", "issue", "first_page", "last_page", "article_number", "year", "doi", "pmid",
            "url",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if pasted := (cleaned.get("paste_reference") or "").strip():
            self.fill_from_reference(pasted, cleaned)
        return cleaned

    def fill_from_reference(self, pasted, cleaned):
        """Replace every field the editor did not change in this submission with what the parser read.

        The submitted data is updated too, so if anything on the page fails validation the form comes back
        showing the parsed values, for the editor to correct before saving.
        """
        parsed = read_reference(pasted)
        if parsed is None:
            self.add_error("paste_reference", UNREADABLE_REFERENCE)
            return
        typed = {name for name in self.changed_data if cleaned.get(name) not in (None, "", [], False)}
        data = self.data.copy()
        for name, value in parsed.items():
            if name in self.fields and name not in typed:
                cleaned[name] = value
                submitted = as_submitted(value)
                if submitted is False:
                    data.pop(self.add_prefix(name), None)
                else:
                    data[self.add_prefix(name)] = "on" if submitted is True else submitted
        data.pop(self.add_prefix("paste_reference"), None)
        self.data = data


class FocalPointWidget(forms.NumberInput):
    """The vertical focal-point input, followed by the hero image: a click on the image sets both coordinates."""

    class Media:
        js = ["js/focal-point.js"]
        css = {"all": ["css/focal-point.css"]}

    def __init__(self, *args, picture=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.picture = picture

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        if self.picture is None:
            return field
        return format_html(
            '{}<div class="focal-picker" data-x-input="id_hero_focal_x" data-y-input="id_hero_focal_y">'
            '<img src="{}" width="{}" height="{}" alt="The hero image: click the subject to set the focal point">'
            '<span class="focal-marker" aria-hidden="true"></span></div>',
            field,
            self.picture.fallback_url,
            self.picture.width,
            self.picture.height,
        )


class ArticleEditingForm(KeepsUploadsMixin, forms.ModelForm):
    """The story form's editing tools: a rich-text body and a focal-point picker for the hero image.

    The base of ArticleAdminForm, which adds the desk's workflow rules (publishing checks image_problems()).
    """

    body = ProseEditorFormField(
        label=capfirst(Article._meta.get_field("body").verbose_name),
        required=False,
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        sanitize=clean_editor_html,
        widget=AdminProseEditorWidget,
        help_text=Article._meta.get_field("body").help_text,
    )

    class Meta:
        model = Article
        # The admin's fieldsets choose the fields on the page; these are the ones this form shapes.
        fields = ["body", "status", "hero_image", "hero_alt", "hero_focal_x", "hero_focal_y"]

    kept_uploads = ["hero_image"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "hero_focal_y" in self.fields:
            self.fields["hero_focal_y"].widget = FocalPointWidget(
                attrs={"min": 0, "max": 100}, picture=self.instance.hero_picture
            )
        # Left empty, the focal point is the centre, as for a story that never had one chosen.
        for name in ("hero_focal_x", "hero_focal_y"):
            if name in self.fields:
                self.fields[name].required = False
        if "hero_focal_y" in self.fields and self.instance.hero_picture is None:
            self.fields[
                "hero_focal_y"
            ].help_text += " Once the image is saved, you can click on it to choose."

    def clean_hero_focal_x(self):
        return self.centre_if_empty("hero_focal_x")

    def clean_hero_focal_y(self):
        return self.centre_if_empty("hero_focal_y")

    def centre_if_empty(self, name):
        value = self.cleaned_data.get(name)
        return Article._meta.get_field(name).default if value is None else value


class ArticleAdminForm(ArticleEditingForm):
    """The story form with the desk's rules: who may set which status, when a story may go public, and
    refusing a save made on top of someone else's (optimistic locking).

    `user` is who is editing (the admin's get_form binds it per request). The rules on bylines and
    citations, and the edit check of every inline row, are the inline formsets' (StoryPartFormSet).
    """

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.saved_status = self.instance.status
        self.fields["loaded_version"].initial = self.instance.lock_version
        if "status" in self.fields:
            allowed = workflow.allowed_statuses(user)
            self.fields["status"].choices = [(s.value, s.label) for s in allowed]
        for name in ("published_at", "embargo_until"):
            if name in self.fields:
                self.fields[name].help_text += f" {workflow.time_zone_note()}"

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            self.refuse_stale_save(cleaned.get("loaded_version"))
        status = cleaned.get("status", self.saved_status)
        if status != self.saved_status and status not in workflow.allowed_statuses(self.user):
            raise ValidationError("Only an Editor can publish, schedule or unpublish a story.")
        if status == Status.PUBLISHED:
            self.refuse_unready(cleaned)
        return cleaned

    def refuse_unready(self, cleaned):
        """The publishing rules on the story's own fields, as submitted."""
        pending = copy.copy(self.instance)
        construct_instance(self, pending)
        if not self.has_error("published_at") and pending.published_at is None:
            pending.published_at = timezone.now()
        problems = workflow.going_public_problems(pending, pending.story_problems())
        if problems:
            raise ValidationError([f"Can't publish yet: {problems[0]}", *problems[1:]])

    def refuse_stale_save(self, loaded_version):
        if loaded_version is None:
            # Without it no conflict can be seen: a hand-made or truncated POST would save over anyone.
            raise ValidationError(
                "Not saved: this form did not say which version of the story it was opened on. "
                "Reload the story, make your changes again and save.",
                code="no_version",
            )
        saved = type(self.instance).objects.select_for_update().filter(pk=self.instance.pk).first()
        if saved is None or loaded_version == saved.lock_version:
            return
        who, when = workflow.last_change(saved)
        # The form comes back with the writer's own text in it; saving again now overwrites on purpose.
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_version")] = saved.lock_version
        local = timezone.localtime(when)
        differing = ", ".join(self.fields_differing_from(saved)) or "none of the story's own fields"
        raise ValidationError(
            f"Not saved: {who} changed this story at {local:%H:%M} {local.tzname()} on {local:%-d %B %Y}, "
            f"after you opened it. Your version is below, unsaved; it differs from the saved one in: "
            f"{differing}. Rows that differ are named in their sections below. Compare them (open the story "
            "in a new tab), then save again to replace the saved version with yours.",
            code="stale",
        )

    def fields_differing_from(self, saved):
        """Labels of the submitted story fields whose values differ from the `saved` row."""
        for field in saved._meta.concrete_fields:
            if field.name not in self.cleaned_data or isinstance(field, models.FileField):
                continue
            value = self.cleaned_data[field.name]
            if field.is_relation:
                value = value.pk if value is not None else None
            if value != getattr(saved, field.attname):
                yield str(self.fields[field.name].label)


MAX_ROWS = 2 * DEFAULT_MAX_NUM


def submitted_version(data):
    """The `loaded_version` a story form was posted with, or None."""
    try:
        return int(data.get("loaded_version", ""))
    except ValueError:
        return None


def rows_still_saved(data, prefix, saved_ids):
    """The inline rows of `data` under `prefix`, with those whose saved row has gone since the form was opened
    turned into new rows at the end (or dropped, when they were being deleted anyway).

    Without this the row's hidden id fails validation and the form can never be saved again, with no error
    shown. Returns (data, the row numbers as submitted that had gone).
    """
    try:
        initial = int(data.get(f"{prefix}-INITIAL_FORMS", ""))
        total = int(data.get(f"{prefix}-TOTAL_FORMS", ""))
    except ValueError:
        return data, []
    # As Django's formsets do, never read more rows than a formset would.
    initial, total = min(initial, MAX_ROWS), min(total, MAX_ROWS)
    vanished = [
        index
        for index in range(initial)
        if data.get(f"{prefix}-{index}-id", "").isdigit()
        and int(data[f"{prefix}-{index}-id"]) not in saved_ids
    ]
    if not vanished:
        return data, []
    kept = [index for index in range(initial) if index not in vanished]
    revived = [index for index in vanished if not data.get(f"{prefix}-{index}-DELETE")]
    order = [*kept, *revived, *range(initial, total)]
    rows = {}
    row_prefix = re.compile(rf"^{re.escape(prefix)}-(\d+)-(.+)$")
    rewritten = data.copy()
    for key in list(data.keys()):
        if match := row_prefix.match(key):
            rows.setdefault(int(match[1]), {})[match[2]] = data.getlist(key)
            del rewritten[key]
    for number, index in enumerate(order):
        for name, values in rows.get(index, {}).items():
            if name == "id" and index in vanished:
                continue
            rewritten.setlist(f"{prefix}-{number}-{name}", values)
    rewritten[f"{prefix}-INITIAL_FORMS"] = str(len(kept))
    rewritten[f"{prefix}-TOTAL_FORMS"] = str(len(order))
    return rewritten, vanished


class StoryPartFormSet(BaseInlineFormSet):
    """A story's inline rows (bylines, quotes, citations, corrections), checked like the story's own fields:
    if someone saved the story since the form was opened, every row that differs from the saved one is named
    and nothing is saved. The admin passes `loaded_version` (the story form's) and `vanished` (see
    rows_still_saved) through get_formset_kwargs."""

    def __init__(self, *args, loaded_version=None, vanished=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.loaded_version = loaded_version
        self.vanished = list(vanished)

    def clean(self):
        super().clean()
        noun = self.model._meta.verbose_name
        differing = [
            f"{noun} {number} was deleted since you opened the story" for number in self.vanished_rows()
        ]
        if self.is_stale():
            differing += self.rows_differing()
        if differing:
            raise ValidationError(
                f"Not saved: {'; '.join(differing)}. Your version of these rows is below; save again to keep it.",
                code="stale",
            )
        if self.instance.status == Status.PUBLISHED and (
            problems := self.publishing_problems(self.kept_rows())
        ):
            raise ValidationError([f"Can't publish yet: {problems[0]}", *problems[1:]])

    def publishing_problems(self, rows):
        """What these rows, as they will be saved, lack for the story to go public (subclasses say)."""
        return []

    def vanished_rows(self):
        return [index + 1 for index in self.vanished]

    def is_stale(self):
        if self.instance.pk is None or self.loaded_version is None:
            return False
        saved = type(self.instance).objects.filter(pk=self.instance.pk).values_list("lock_version", flat=True)
        return self.loaded_version != saved.first()

    def rows_differing(self):
        noun = self.model._meta.verbose_name
        submitted_ids = set()
        for number, form in enumerate(self.forms, 1):
            if form.instance.pk is not None:
                submitted_ids.add(form.instance.pk)
            if getattr(form, "cleaned_data", {}).get("DELETE"):
                yield f"{noun} {number} is deleted in your version"
            elif form.instance.pk is not None and form.has_changed():
                yield f"{noun} {number} ({form.instance}) differs"
            elif form.instance.pk is None and form.has_changed():
                yield f"{noun} {number} is new in your version"
        for row in self.get_queryset():
            if row.pk not in submitted_ids:
                yield f"{noun} “{row}” was added since you opened the story (saving keeps it)"

    def kept_rows(self):
        return [
            form.instance
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk or form.has_changed())
        ]


class BylineFormSet(StoryPartFormSet):
    def publishing_problems(self, rows):
        return Article.byline_problems(len(rows))


class CitationFormSet(StoryPartFormSet):
    def publishing_problems(self, rows):
        return Article.citation_problems(sorted(rows, key=lambda citation: citation.position))
