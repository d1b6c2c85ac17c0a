"""Naming the people quoted in a story: one record per person, found by name however it is spelt.

A quote's speaker is typed as a name. A name matching someone already on file (accents, case and spacing
folded, as `normalise_name` does) is that person; only a name matching no one adds a new record, when the
story is saved. The speaker admin's own add form refuses a second record of the same person with a message
saying who is already there, instead of failing on the database's unique index.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from .models import Quote, Speaker
from .models.speaker import normalise_name


class SpeakerNameInput(forms.TextInput):
    """A text box that suggests people already on file as you type (speaker-picker.js) and says whether the
    name is someone's or will add a new speaker."""

    class Media:
        js = ["js/speaker-picker.js"]

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "size": 40, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        search = reverse("admin:autocomplete")
        return format_html(
            '<span class="speaker-picker" data-search-url="{}?app_label=articles&amp;model_name=quote'
            '&amp;field_name=speaker">{}<span class="speaker-picker-status" aria-live="polite"></span></span>',
            search,
            super().render(name, value, {**(attrs or {}), "data-speaker-picker": ""}, renderer),
        )


class SpeakerNameField(forms.CharField):
    """The speaker's name. Cleans to the Speaker on file with that normalised name, or to None when there is
    none yet (the form keeps the name and adds the person on save).

    None rather than an unsaved Speaker, because ModelForm skips model validation of an empty, optional form
    field: an unsaved related object would fail the foreign key's not-null check before the save could add it.
    """

    widget = SpeakerNameInput

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=Speaker._meta.get_field("name").max_length, **kwargs)

    def prepare_value(self, value):
        return value.name if isinstance(value, Speaker) else value


class QuoteForm(forms.ModelForm):
    speaker = SpeakerNameField(
        label="Speaker",
        help_text="Type the name: people already quoted are suggested; a new name adds them when you save.",
    )

    class Meta:
        model = Quote
        fields = ["position", "is_pull_quote", "text", "speaker", "role", "affiliation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The inline's queryset fetched each row's speaker with it: show the name, not the id.
        if self.instance.speaker_id is not None:
            self.initial["speaker"] = self.instance.speaker.name
        self.new_speaker_name = ""

    def clean_speaker(self):
        name = " ".join(self.cleaned_data["speaker"].split())
        if not name:
            raise ValidationError("Name the person who said this.", code="required")
        # A bare number is a Speaker id: what scripts, and forms from before names were typed, send.
        if name.isdigit() and (speaker := Speaker.objects.filter(pk=name).first()):
            return speaker
        speaker = Speaker.objects.filter(normalised_name=normalise_name(name)).first()
        if speaker is None:
            self.new_speaker_name = name
        return speaker

    @property
    def speaker_for_display(self):
        """The speaker as the story will show them, also before a new one is saved (for the live preview)."""
        if self.new_speaker_name:
            return Speaker(name=self.new_speaker_name, slug="new-speaker")
        return self.cleaned_data.get("speaker")

    def save(self, commit=True):
        if self.new_speaker_name:
            role, affiliation = self.cleaned_data.get("role", ""), self.cleaned_data.get("affiliation", "")
            speaker, created = Speaker.objects.get_or_create_by_name(
                self.new_speaker_name, role=role, affiliation=affiliation
            )
            self.instance.speaker = speaker
            if created:
                # The row's role and affiliation described the new person: they are the record's now, and the
                # row only overrides the record when it says something different.
                self.instance.role = "" if role == speaker.role else role
                self.instance.affiliation = "" if affiliation == speaker.affiliation else affiliation
        return super().save(commit)


class SpeakerForm(forms.ModelForm):
    """The speaker admin's form: a second record of someone already on file is refused, naming them."""

    class Meta:
        model = Speaker
        fields = ["name", "slug", "role", "affiliation", "orcid", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields[
            "slug"
        ].help_text = "The last part of the speaker's page address; left empty, made from the name."

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        same = (
            Speaker.objects.filter(normalised_name=normalise_name(name)).exclude(pk=self.instance.pk).first()
        )
        if same is not None:
            raise ValidationError(
                format_html(
                    '<a href="{}">{}</a> is already on file as a speaker{}. Quote them by typing their name in '
                    "the quote's Speaker box; a second record would split their quotes.",
                    reverse("admin:articles_speaker_change", args=[same.pk]),
                    same.name,
                    f" ({same.role})" if same.role else "",
                ),
                code="duplicate",
            )
        return name

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug and Speaker.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                f"Another speaker already has the page address “{slug}”: leave it empty to have one made from the name.",
                code="unique",
            )
        return slug
