"""Keeping an uploaded hero image across a save that fails on some other field.

Browsers never fill a file input back in, so a page returned with an error used to drop the image the writer
had chosen, without a word. Now a valid upload on a page that comes back unsaved is stored aside (under
HELD_FOLDER), the page carries a signed token naming it and says so, and the next save uses it unless another
file is chosen. A successful save removes the held copy; copies left by abandoned pages are older than
HELD_FOR_SECONDS and no token opens them any more (their folder may be emptied at any time).
"""

import posixpath
import secrets

from django.contrib.admin.widgets import AdminFileWidget
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.html import format_html

HELD_FOLDER = "held-uploads"
HELD_FOR_SECONDS = 24 * 60 * 60
SALT = "articles.held-upload"


class HeldFile(File):
    """An upload kept aside; `token` is what the page sends back to name it, `stored` where it is kept."""

    def __init__(self, file, name, stored):
        super().__init__(file, name)
        self.stored = stored
        self.token = signing.dumps(stored, salt=SALT)


def hold(upload):
    """Store `upload` aside and return it as a HeldFile."""
    stored = default_storage.save(
        posixpath.join(HELD_FOLDER, secrets.token_hex(8), posixpath.basename(upload.name)), upload
    )
    upload.seek(0)
    return HeldFile(upload, posixpath.basename(upload.name), stored)


def take(token):
    """The HeldFile a token names, or None when it is forged, too old or gone."""
    try:
        stored = signing.loads(token, salt=SALT, max_age=HELD_FOR_SECONDS)
    except signing.BadSignature:
        return None
    if not stored.startswith(f"{HELD_FOLDER}/") or not default_storage.exists(stored):
        return None
    return HeldFile(default_storage.open(stored), posixpath.basename(stored), stored)


def held_token_name(name):
    return f"{name}_held"


class HeldImageWidget(AdminFileWidget):
    """The admin's file input, plus the token of an image kept from the last attempt and a note saying so.

    A file field renders its initial value, never the submitted one, so the widget remembers what it last read
    from the submission (one widget per form instance).
    """

    held = upload_to_keep = None

    def keep(self, upload):
        """Hold `upload` aside if this widget is rendered: that is, if the page comes back unsaved."""
        self.upload_to_keep = upload

    def value_from_datadict(self, data, files, name):
        upload = super().value_from_datadict(data, files, name)
        self.held = None
        if upload is None and (token := data.get(held_token_name(name))):
            upload = self.held = take(token)
        return upload

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        if self.upload_to_keep is not None:
            self.held, self.upload_to_keep = hold(self.upload_to_keep), None
        if self.held is None:
            return field
        return format_html(
            '<p class="held-upload">Kept from your last try, not saved yet: <strong>{}</strong>. '
            "It is saved with the story unless you choose another file.</p>{}"
            '<input type="hidden" name="{}" value="{}">',
            self.held.name,
            field,
            held_token_name(name),
            self.held.token,
        )


class KeepsUploadsMixin:
    """For a ModelForm: file fields listed in `kept_uploads` survive a page returned with errors."""

    kept_uploads = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.kept_uploads:
            if name in self.fields:
                # The admin shows a file input under a legend, which names the group, not the input.
                attrs = {**self.fields[name].widget.attrs, "aria-label": str(self.fields[name].label)}
                self.fields[name].widget = HeldImageWidget(attrs=attrs)

    def clean(self):
        cleaned = super().clean()
        self.held = []
        for name in self.kept_uploads:
            value = cleaned.get(name)
            if isinstance(value, UploadedFile):
                self.fields[name].widget.keep(value)
            elif isinstance(value, HeldFile):
                self.held.append(value.stored)
        return cleaned

    def save(self, commit=True):
        # Saved with the story now: the copy kept aside is no longer needed once the save has committed.
        for stored in getattr(self, "held", []):
            transaction.on_commit(lambda stored=stored: default_storage.delete(stored))
        return super().save(commit)
