"""Drive the admin as a browser would: read the form a page really rendered, change some fields, POST it."""

from html.parser import HTMLParser

from django.utils import timezone


class _FormReader(HTMLParser):
    """Collects the successful controls of the form with the given id (what a browser would submit)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.data = {}
        self._textarea = self._select = None
        self._select_multiple = False

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            self._select, self._select_multiple, self._chosen = name, "multiple" in attrs, []
        elif tag == "option" and self._select and "selected" in attrs:
            self._chosen.append(attrs.get("value", ""))

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self._textarea:
            # Browsers drop the one newline that follows <textarea>.
            self._add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None
        elif tag == "select" and self._select:
            for value in self._chosen:
                self._add(self._select, value)
            self._select = None


def inline_management(prefix, total=0, initial=0):
    """The management-form fields an admin inline formset posts with `total` rows, `initial` of them existing."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def read_form(response, form_id="article_form"):
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.data, f"no form #{form_id} on the page"
    return {name: values if len(values) > 1 else values[0] for name, values in reader.data.items()}


def split_datetime(value):
    """The two boxes of the admin's date/time widget, in the site's time zone."""
    local = timezone.localtime(value)
    return {"_0": local.strftime("%d/%m/%Y"), "_1": local.strftime("%H:%M:%S")}


def set_datetime(data, field, value):
    for suffix, text in (split_datetime(value) if value else {"_0": "", "_1": ""}).items():
        data[f"{field}{suffix}"] = text
    return data


def change_url(article):
    return f"/admin/articles/article/{article.pk}/change/"


def edit(client, article, **changes):
    """Open the story's change form, apply `changes` to what it rendered, and POST it back."""
    data = read_form(client.get(change_url(article)))
    for name, value in changes.items():
        if name in {"published_at", "embargo_until"}:
            set_datetime(data, name, value)
        else:
            data[name] = value
    return client.post(change_url(article), data)
