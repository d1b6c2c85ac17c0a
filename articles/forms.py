"""Admin forms: the editing shapes that differ from the stored shapes."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from . import workflow
from .models import Byline, Citation, Status


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


class CitationForm(forms.ModelForm):
    authors = AuthorListField(required=False, help_text=Citation._meta.get_field("authors").help_text)

    class Meta:
        model = Citation
        fields = [
            "position", "study_status", "raw", "authors", "et_al", "title", "journal", "volume", "issue",
            "first_page", "last_page", "article_number", "year", "doi", "pmid", "url",
        ]  # fmt: skip


class ArticleAdminForm(forms.ModelForm):
    """The story form with the desk's rules: who may set which status, when a story may go public, and
    refusing a save made on top of someone else's (optimistic locking).

    The admin sets `user` on the class and hands over the inline formsets through the instance, because
    the publishing rules span the story and its bylines and citations.
    """

    user = None
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved_status = self.instance.status
        self.fields["loaded_version"].initial = self.instance.lock_version
        if "status" in self.fields:
            allowed = workflow.allowed_statuses(self.user)
            self.fields["status"].choices = [(s.value, s.label) for s in allowed]
        for name in ("published_at", "embargo_until"):
            if name in self.fields:
                self.fields[name].help_text += f" {workflow.time_zone_note()}"

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            self._refuse_stale_save(cleaned.get("loaded_version"))
        status = cleaned.get("status", self.saved_status)
        if status != self.saved_status and status not in workflow.allowed_statuses(self.user):
            raise ValidationError("Only an Editor can publish, schedule or unpublish a story.")
        return cleaned

    def _refuse_stale_save(self, loaded_version):
        saved = type(self.instance).objects.select_for_update().filter(pk=self.instance.pk).first()
        if loaded_version is None or saved is None or loaded_version == saved.lock_version:
            return
        who, when = workflow.last_change(saved)
        # The form comes back with the writer's own text in it; saving again now overwrites on purpose.
        self.data = self.data.copy()
        self.data[self.add_prefix("loaded_version")] = saved.lock_version
        local = timezone.localtime(when)
        differing = ", ".join(self._fields_differing_from(saved)) or "none of the story's fields"
        raise ValidationError(
            f"Not saved: {who} changed this story at {local:%H:%M} {local.tzname()} on {local:%-d %B %Y}, "
            f"after you opened it. Your version is below, unsaved; it differs from the saved one in: "
            f"{differing}. Compare them (open the story in a new tab), then save again to replace the saved "
            "version with yours.",
            code="stale",
        )

    def _fields_differing_from(self, saved):
        """Labels of the submitted story fields whose values differ from the `saved` row."""
        for field in saved._meta.concrete_fields:
            if field.name not in self.cleaned_data or isinstance(field, models.FileField):
                continue
            value = self.cleaned_data[field.name]
            if field.is_relation:
                value = value.pk if value is not None else None
            if value != getattr(saved, field.attname):
                yield str(self.fields[field.name].label)

    def _post_clean(self):
        super()._post_clean()
        if self.instance.status != Status.PUBLISHED or self.errors:
            return
        bylines, citations = self._pending_inlines()
        problems = workflow.going_public_problems(self.instance, byline_count=bylines, citations=citations)
        if problems:
            self.add_error(None, ValidationError([f"Can't publish yet: {problems[0]}", *problems[1:]]))

    def _pending_inlines(self):
        """Byline count and citations as they will be after this save (None: use the saved ones)."""
        byline_count = citations = None
        for formset in getattr(self.instance, "_admin_formsets", []):
            if formset.model not in (Byline, Citation):
                continue
            formset.is_valid()
            kept = [
                form.instance
                for form in formset.forms
                if getattr(form, "cleaned_data", None)
                and not form.cleaned_data.get("DELETE")
                and (form.instance.pk or form.has_changed())
            ]
            if formset.model is Byline:
                byline_count = len(kept)
            else:
                citations = sorted(kept, key=lambda citation: citation.position)
        return byline_count, citations
