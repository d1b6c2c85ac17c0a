"""Admin forms: the editing shapes that differ from the stored shapes."""

from django import forms

from .models import Citation


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
