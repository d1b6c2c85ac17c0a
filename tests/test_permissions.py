"""The permission matrix: every admin URL and action, for every kind of user, checked in the database.

Rows come from the admin registry (each ModelAdmin's URLs and actions), so a new ModelAdmin, URL or action
fails test_every_admin_url_and_action_has_a_row until it has rows here. Each cell is a real request from a
logged-in client that enforces CSRF and sends a valid token; the database then says whether it took effect.
Read-only pages are checked with a GET. docs/permissions.md carries the same table (checked below).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import reversion
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from reversion.models import Version
from taggit.models import Tag

from accounts.models import AuditEntry, StaffAccount
from articles.models import (
    Article,
    ArticleRedirect,
    Author,
    Citation,
    Section,
    ShareLink,
    Speaker,
    Status,
    WorkingCopy,
)
from articles.workflow import make_preview_link

from .admin_client import read_form
from .factories import (
    ArticleFactory,
    AuthorFactory,
    BylineFactory,
    CitationFactory,
    QuoteFactory,
    SectionFactory,
    SpeakerFactory,
    UserFactory,
    desk_user,
)

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"

# Who may do it. Anonymous visitors may do nothing in the admin.
#   desk     any Writer or Editor
#   story    whoever may edit the story: its own Writer while it is a draft or in review, any Editor
#   editor   Editors only
#   nobody   no Writer or Editor (superusers only)
WHO = {
    "desk": "Writers and Editors",
    "story": "its Writer (draft or in review), Editors",
    "editor": "Editors",
    "nobody": "nobody on the desk (superusers)",
}
STATES = [Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED]
COLUMNS = ["anonymous", "writer_own", "writer_other", "editor"]


@dataclass
class Row:
    """One admin URL or action. `setup(story)` makes its object (the story is None for rows about records
    that belong to no story); `act(client, obj, n)` does it; `done(obj, n)` says whether it took effect."""

    label: str
    who: str
    setup: Callable
    act: Callable
    done: Callable = None
    on_story: bool = True
    states: list = field(default_factory=lambda: list(STATES))

    @property
    def reads(self):
        return self.done is None


def allowed(row, column, state):
    if column == "anonymous":
        return False
    if row.who == "desk":
        return True
    if row.who == "editor":
        return column == "editor"
    if row.who == "story":
        return column == "editor" or (column == "writer_own" and state != Status.PUBLISHED)
    return False


# Building the requests ----------------------------------------------------------------------------------


def superuser_client():
    client = Client()
    client.force_login(
        User.objects.filter(is_superuser=True).first() or UserFactory(is_superuser=True, is_staff=True)
    )
    return client


def url(name, *args):
    return reverse(f"admin:{name}", args=args)


def form_as_shown(name, *args):
    """The form as the page renders it for someone allowed (what a crafted POST would copy)."""
    model_name = name.split("_")[1]
    return read_form(superuser_client().get(url(name, *args)), form_id=f"{model_name}_form")


def resolve(args, obj):
    return [arg(obj) if callable(arg) else arg for arg in args]


def post_form(url_name, *args, **changes):
    def act(client, obj, n):
        data = form_as_shown(url_name, *resolve(args, obj))
        data.update(
            {key: value(obj, n) if callable(value) else value.format(n=n) for key, value in changes.items()}
        )
        return client.post(url(url_name, *resolve(args, obj)), data)

    return act


def post_editor(url_name, *args, **changes):
    """POST the story form, as a page would to the editor's endpoints: the add or change form as shown."""
    form_name = f"{A}_change" if args else f"{A}_add"

    def act(client, obj, n):
        data = form_as_shown(form_name, *resolve(args, obj))
        data.update({key: value.format(n=n) for key, value in changes.items()})
        return client.post(url(url_name, *resolve(args, obj)), data)

    return act


def autosaved(story, headline):
    """Whether someone's working copy of `story` (None: of a new story) holds this headline."""
    copies = WorkingCopy.objects.filter(article=story, data__isnull=False)
    return any(["headline", headline] in copy.data for copy in copies)


def confirm_delete(name):
    return lambda client, obj, n: client.post(url(name, obj.pk), {"post": "yes"})


def action(name, action_name, extra=lambda obj: []):
    def act(client, obj, n):
        selected = [obj.pk, *extra(obj)]
        return client.post(
            url(name), {"action": action_name, "_selected_action": selected, "post": "yes", "index": 0}
        )

    return act


def get(name, *args):
    return lambda client, obj, n: client.get(url(name, *resolve(args, obj)))


def gone(model):
    return lambda obj, n: not model.objects.filter(pk=obj.pk).exists()


def marked(model, field_name):
    return lambda obj, n: model.objects.filter(pk=obj.pk, **{field_name: f"marked {n}"}).exists()


def added(model, field_name):
    return lambda obj, n: model.objects.filter(**{field_name: f"added {n}"}).exists()


# Objects --------------------------------------------------------------------------------------------------


def citation_on(story):
    return CitationFactory(article=story, position=9)


def speaker_of(story):
    """A speaker quoted only in this story."""
    return QuoteFactory(article=story, position=9).speaker


def tag_on(story):
    story.tags.add(f"tag-{story.pk}")
    return Tag.objects.get(name=f"tag-{story.pk}")


def revised(story):
    """The story saved twice with revisions; reverting goes back to the first (headline “First”)."""
    for headline in ("First", "Second"):
        with reversion.create_revision():
            story.headline = headline
            story.save()
    return story


def first_version(story):
    return Version.objects.get_for_object(story).order_by("pk").first().pk


def deleted_story():
    with reversion.create_revision():
        story = ArticleFactory(draft=True, slug="deleted-story")
    version = Version.objects.get_for_object(story).first()
    story.delete()
    return version


def unused_speaker():
    return SpeakerFactory()


def other_story_citation(story):
    """A citation on a story nobody in the test owns, to be moved onto `story`."""
    return CitationFactory(article=ArticleFactory(draft=True), position=9)


def record(make):
    """For rows about records that belong to no story."""
    return lambda _story: make()


def nothing(_story):
    return None


def row(label, who, setup, act, done=None, **options):
    return Row(label, who, setup, act, done, **options)


def record_row(label, who, make, act, done=None):
    return Row(label, who, record(make), act, done, on_story=False)


A, C, S, T = "articles_article", "articles_citation", "articles_speaker", "taggit_tag"
MATRIX = {
    # Stories
    f"{A}_changelist": record_row("list stories", "desk", lambda: None, get(f"{A}_changelist")),
    f"{A}_add": record_row(
        "start a story",
        "desk",
        lambda: None,
        post_form(f"{A}_add", headline="added {n}", slug="added-{n}", status=Status.DRAFT),
        added(Article, "headline"),
    ),
    f"{A}_change": row(
        "edit a story",
        "story",
        lambda s: s,
        post_form(f"{A}_change", lambda o: o.pk, headline="marked {n}"),
        marked(Article, "headline"),
    ),
    f"{A}_delete": row("delete a story", "editor", lambda s: s, confirm_delete(f"{A}_delete"), gone(Article)),
    f"{A}:delete_selected": row(
        "delete stories (action)",
        "editor",
        lambda s: s,
        action(f"{A}_changelist", "delete_selected"),
        gone(Article),
    ),
    f"{A}:publish": row(
        "publish or schedule (action)",
        "editor",
        lambda s: s,
        action(f"{A}_changelist", "publish"),
        lambda o, n: Article.objects.published().filter(pk=o.pk).exists(),
        states=[Status.DRAFT, Status.IN_REVIEW],
    ),
    f"{A}:unpublish": row(
        "unpublish (action)",
        "editor",
        lambda s: s,
        action(f"{A}_changelist", "unpublish"),
        lambda o, n: Article.objects.filter(pk=o.pk, status=Status.DRAFT).exists(),
        states=[Status.PUBLISHED],
    ),
    f"{A}_history": row("read a story's history", "desk", lambda s: s, get(f"{A}_history", lambda o: o.pk)),
    f"{A}_revision": row(
        "revert a story to an earlier version",
        "story",
        revised,
        lambda client, o, n: client.post(url(f"{A}_revision", o.pk, first_version(o))),
        lambda o, n: Article.objects.filter(pk=o.pk, headline="First").exists(),
    ),
    f"{A}_recoverlist": record_row("list deleted stories", "editor", lambda: None, get(f"{A}_recoverlist")),
    f"{A}_recover": record_row(
        "recover a deleted story",
        "editor",
        deleted_story,
        lambda client, v, n: client.post(url(f"{A}_recover", v.pk), form_as_shown(f"{A}_recover", v.pk)),
        lambda v, n: Article.objects.filter(slug="deleted-story").exists(),
    ),
    # The story editor (docs/editor.md): working copies, live preview, presence, checklist, share links
    f"{A}_autosave": row(
        "autosave a story (own working copy)",
        "story",
        lambda s: s,
        post_editor(f"{A}_autosave", lambda o: o.pk, headline="marked {n}"),
        lambda o, n: autosaved(o, f"marked {n}"),
    ),
    f"{A}_autosave_new": record_row(
        "autosave a new story (own working copy)",
        "desk",
        lambda: None,
        post_editor(f"{A}_autosave_new", headline="added {n}"),
        lambda o, n: autosaved(None, f"added {n}"),
    ),
    f"{A}_restore": row(
        "read one's autosaved working copy", "story", lambda s: s, get(f"{A}_restore", lambda o: o.pk)
    ),
    f"{A}_restore_new": record_row(
        "read one's autosaved new story", "desk", lambda: None, get(f"{A}_restore_new")
    ),
    f"{A}_check": row(
        "check a story being edited (checklist)",
        "story",
        lambda s: s,
        post_editor(f"{A}_check", lambda o: o.pk),
    ),
    f"{A}_check_new": record_row(
        "check a new story (checklist)", "desk", lambda: None, post_editor(f"{A}_check_new")
    ),
    f"{A}_preview": row(
        "preview a story's unsaved form", "desk", lambda s: s, post_editor(f"{A}_preview", lambda o: o.pk)
    ),
    f"{A}_preview_new": record_row(
        "preview a new story's unsaved form", "desk", lambda: None, post_editor(f"{A}_preview_new")
    ),
    f"{A}_presence": row(
        "see who else has a story open",
        "desk",
        lambda s: s,
        lambda client, o, n: client.post(url(f"{A}_presence", o.pk), {"loaded_version": o.lock_version}),
    ),
    f"{A}_share_make": row(
        "make a share link",
        "editor",
        lambda s: s,
        lambda client, o, n: client.post(url(f"{A}_share_make", o.pk), {"days": 7}),
        lambda o, n: ShareLink.objects.filter(article=o).exists(),
        states=[Status.DRAFT, Status.IN_REVIEW],
    ),
    f"{A}_share_revoke": row(
        "revoke a share link",
        "editor",
        lambda s: make_preview_link(s),
        lambda client, link, n: client.post(url(f"{A}_share_revoke", link.article_id, link.pk)),
        lambda link, n: ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=False).exists(),
        states=[Status.DRAFT, Status.IN_REVIEW],
    ),
    # References (also edited as rows of the story form)
    f"{C}_changelist": record_row("list references", "desk", lambda: None, get(f"{C}_changelist")),
    f"{C}_add": row(
        "add a reference to a story",
        "story",
        lambda s: s,
        post_form(f"{C}_add", article=lambda o, n: str(o.pk), title="added {n}", position="9"),
        added(Citation, "title"),
    ),
    f"{C}_change": row(
        "edit a story's reference",
        "story",
        citation_on,
        post_form(f"{C}_change", lambda o: o.pk, title="marked {n}"),
        marked(Citation, "title"),
    ),
    f"{C}_delete": row(
        "delete a story's reference", "story", citation_on, confirm_delete(f"{C}_delete"), gone(Citation)
    ),
    f"{C}:delete_selected": row(
        "delete references (action)",
        "story",
        citation_on,
        action(f"{C}_changelist", "delete_selected"),
        gone(Citation),
    ),
    f"{C}_history": row(
        "read a reference's history", "desk", citation_on, get(f"{C}_history", lambda o: o.pk)
    ),
    f"{C}_parse_reference": record_row(
        "read a pasted reference",
        "desk",
        lambda: None,
        lambda client, o, n: client.get(
            url(f"{C}_parse_reference") + "?text=Ganesh%2C+K.+Nature+1%2C+2+(2020)."
        ),
    ),
    # Speakers: their record shows on every story quoting them
    f"{S}_changelist": record_row("list speakers", "desk", lambda: None, get(f"{S}_changelist")),
    f"{S}_add": record_row(
        "add a speaker",
        "desk",
        lambda: None,
        post_form(f"{S}_add", name="added {n}", slug="added-{n}"),
        added(Speaker, "name"),
    ),
    f"{S}_change": row(
        "edit a speaker quoted in a story",
        "story",
        speaker_of,
        post_form(f"{S}_change", lambda o: o.pk, name="marked {n}"),
        marked(Speaker, "name"),
    ),
    f"{S}_delete": record_row(
        "delete an unquoted speaker", "editor", unused_speaker, confirm_delete(f"{S}_delete"), gone(Speaker)
    ),
    f"{S}:delete_selected": record_row(
        "delete unquoted speakers (action)",
        "editor",
        unused_speaker,
        action(f"{S}_changelist", "delete_selected"),
        gone(Speaker),
    ),
    f"{S}:merge_speakers": row(
        "merge speakers (action)",
        "editor",
        speaker_of,
        action(
            f"{S}_changelist", "merge_speakers", extra=lambda o: [SpeakerFactory(name=f"Extra {o.pk}").pk]
        ),
        lambda o, n: not Speaker.objects.filter(name=f"Extra {o.pk}").exists(),
    ),
    f"{S}_history": record_row(
        "read a speaker's history", "desk", unused_speaker, get(f"{S}_history", lambda o: o.pk)
    ),
    # Tags
    f"{T}_changelist": record_row("list tags", "desk", lambda: None, get(f"{T}_changelist")),
    f"{T}_add": record_row(
        "add a tag",
        "desk",
        lambda: None,
        post_form(f"{T}_add", name="added {n}", slug="added-{n}"),
        added(Tag, "name"),
    ),
    f"{T}_change": row(
        "rename a tag",
        "editor",
        tag_on,
        post_form(f"{T}_change", lambda o: o.pk, name="marked {n}"),
        marked(Tag, "name"),
    ),
    f"{T}_delete": row("delete a tag", "editor", tag_on, confirm_delete(f"{T}_delete"), gone(Tag)),
    f"{T}:delete_selected": row(
        "delete tags (action)", "editor", tag_on, action(f"{T}_changelist", "delete_selected"), gone(Tag)
    ),
    f"{T}:merge_tags": row(
        "merge tags (action)",
        "editor",
        tag_on,
        action(
            f"{T}_changelist",
            "merge_tags",
            extra=lambda o: [Tag.objects.create(name=f"other {o.pk}", slug=f"other-{o.pk}").pk],
        ),
        lambda o, n: not Tag.objects.filter(slug=f"other-{o.pk}").exists(),
    ),
    f"{T}_history": row("read a tag's history", "desk", tag_on, get(f"{T}_history", lambda o: o.pk)),
}


def records(name, model, make, who_reads, who_adds, who_changes, who_deletes, add, marker):
    """The usual URLs and the delete action of a record that belongs to no story."""
    one = model._meta.verbose_name
    one = f"{'an' if one[0] in 'aeiou' else 'a'} {one}"
    return {
        f"{name}_changelist": record_row(
            f"list {model._meta.verbose_name_plural}", who_reads, make, get(f"{name}_changelist")
        ),
        f"{name}_history": record_row(
            f"read {one}'s history",
            who_reads,
            make,
            get(f"{name}_history", lambda o: o.pk),
        ),
        f"{name}_add": record_row(
            f"add {one}",
            who_adds,
            lambda: None,
            post_form(f"{name}_add", **add),
            added(model, marker),
        ),
        f"{name}_change": record_row(
            f"edit {one}",
            who_changes,
            make,
            post_form(f"{name}_change", lambda o: o.pk, **{marker: "marked {n}"}),
            marked(model, marker),
        ),
        f"{name}_delete": record_row(
            f"delete {one}",
            who_deletes,
            make,
            confirm_delete(f"{name}_delete"),
            gone(model),
        ),
        f"{name}:delete_selected": record_row(
            f"delete {model._meta.verbose_name_plural} (action)",
            who_deletes,
            make,
            action(f"{name}_changelist", "delete_selected"),
            gone(model),
        ),
    }


MATRIX |= records(
    "articles_author",
    Author,
    AuthorFactory,
    "desk",
    "editor",
    "editor",
    "nobody",
    {"name": "added {n}", "slug": "added-{n}"},
    "name",
)
MATRIX |= records(
    "articles_section",
    Section,
    SectionFactory,
    "desk",
    "editor",
    "editor",
    "nobody",
    {"name": "added {n}", "slug": "added-{n}"},
    "name",
)
MATRIX |= records(
    "articles_articleredirect",
    ArticleRedirect,
    lambda: ArticleRedirect.objects.create(
        old_slug=f"old-{ArticleRedirect.objects.count()}", article=ArticleFactory()
    ),
    "editor",
    "nobody",
    "nobody",
    "editor",
    {"old_slug": "added {n}", "article": lambda o, n: str(ArticleFactory().pk)},
    "old_slug",
)
MATRIX |= records(
    "auth_group",
    Group,
    lambda: Group.objects.create(name=f"Proofreaders {Group.objects.count()}"),
    "nobody",
    "nobody",
    "nobody",
    "nobody",
    {"name": "added {n}"},
    "name",
)
MATRIX |= records(
    "auth_user",
    User,
    UserFactory,
    "nobody",
    "nobody",
    "nobody",
    "nobody",
    {
        "username": "added {n}",
        "password1": "a long enough pass phrase",
        "password2": "a long enough pass phrase",
        "usable_password": "true",
    },
    "username",
)
MATRIX["auth_user_password_change"] = record_row(
    "set someone's password",
    "nobody",
    UserFactory,
    lambda client, o, n: client.post(
        url("auth_user_password_change", o.pk),
        {
            "password1": "a long enough pass phrase",
            "password2": "a long enough pass phrase",
            "usable_password": "true",
        },
    ),
    lambda o, n: User.objects.get(pk=o.pk).check_password("a long enough pass phrase"),
)


# Staff accounts (docs/accounts.md): Editors read the audit trail and reset colleagues' second factor; audit
# entries are changed or deleted by no one; login attempts and authenticators are for superusers.


def audit_entry():
    return AuditEntry.objects.create(actor_name="someone", action=AuditEntry.Action.LOGIN)


def login_attempt():
    # Fresh: logging in (as each cell's client does) makes django-axes clear attempts older than the cool-off.
    return AccessAttempt.objects.create(
        username=f"mallory{AccessAttempt.objects.count()}", ip_address="192.0.2.1", user_agent="", http_accept="",
        path_info="/admin/login/", get_data="", post_data="", failures_since_start=1,
    )  # fmt: skip


def access_log(model):
    return lambda: model.objects.create(
        username="mallory", ip_address="192.0.2.1", user_agent="", http_accept=""
    )


def authenticator(_story=None):
    return TOTPDevice.objects.create(user=UserFactory(is_staff=True), name="phone")


def locked_records(name, model, make, marker, who_reads="nobody", who_changes="nobody"):
    """A record the desk may at most read: every write is refused (by the admin, or to all but superusers)."""
    one = model._meta.verbose_name
    one = f"{'an' if one[0] in 'aeiou' else 'a'} {one}"
    plural = model._meta.verbose_name_plural
    return {
        f"{name}_changelist": record_row(f"list {plural}", who_reads, make, get(f"{name}_changelist")),
        f"{name}_history": record_row(f"read {one}'s history", who_reads, make, get(f"{name}_history", lambda o: o.pk)),
        f"{name}_add": record_row(
            f"add {one}",
            who_changes,
            lambda: None,
            lambda client, o, n: client.post(url(f"{name}_add"), {marker: f"added {n}"}),
            added(model, marker),
        ),
        f"{name}_change": record_row(
            f"edit {one}",
            who_changes,
            make,
            lambda client, o, n: client.post(url(f"{name}_change", o.pk), {marker: f"marked {n}"}),
            marked(model, marker),
        ),
        f"{name}_delete": record_row(f"delete {one}", who_changes, make, confirm_delete(f"{name}_delete"), gone(model)),
        f"{name}:delete_selected": record_row(
            f"delete {plural} (action)", who_changes, make, action(f"{name}_changelist", "delete_selected"), gone(model)
        ),
    }  # fmt: skip


MATRIX |= locked_records("accounts_auditentry", AuditEntry, audit_entry, "actor_name", who_reads="editor")
MATRIX |= locked_records(
    "accounts_staffaccount", StaffAccount, lambda: UserFactory(is_staff=True), "username", who_reads="editor"
)
MATRIX["accounts_staffaccount:reset_second_factor"] = record_row(
    "reset a colleague's second factor (action)",
    "editor",
    lambda: authenticator().user,
    action("accounts_staffaccount_changelist", "reset_second_factor"),
    lambda user, n: not TOTPDevice.objects.filter(user=user).exists(),
)
MATRIX |= locked_records("axes_accessattempt", AccessAttempt, login_attempt, "username")
MATRIX["axes_accessattempt:cleanup_expired_attempts"] = record_row(
    "clean up expired login attempts (action)",
    "nobody",
    login_attempt,
    action("axes_accessattempt_changelist", "cleanup_expired_attempts"),
    gone(AccessAttempt),
)
MATRIX |= locked_records("axes_accesslog", AccessLog, access_log(AccessLog), "username")
MATRIX |= locked_records("axes_accessfailurelog", AccessFailureLog, access_log(AccessFailureLog), "username")
MATRIX |= locked_records("otp_totp_totpdevice", TOTPDevice, authenticator, "name")
for view in ("config", "qrcode"):
    MATRIX[f"otp_totp_totpdevice_{view}"] = record_row(
        f"read an authenticator's key ({view})",
        "nobody",
        authenticator,
        get(f"otp_totp_totpdevice_{view}", lambda o: o.pk),
    )


# The tests ---------------------------------------------------------------------------------------------------


def registry_rows():
    """Every URL name and action the admin registry offers, as MATRIX keys."""
    keys = set()
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}"
        keys |= {pattern.name for pattern in model_admin.get_urls() if pattern.name}
        actions = {
            *model_admin.actions,
            *(dict(admin.site.actions) if model_admin.actions is not None else {}),
        }
        keys |= {f"{prefix}:{name}" for name in actions}
    return keys


def test_every_admin_url_and_action_has_a_row():
    assert registry_rows() - MATRIX.keys() == set(), "add rows for these to MATRIX"
    assert MATRIX.keys() - registry_rows() == set(), "these rows name nothing the admin offers"


@pytest.fixture
def people(db):
    writer = desk_user("Writer")
    AuthorFactory(user=writer)
    return {"writer": writer, "other_writer": desk_user("Writer"), "editor": desk_user("Editor")}


def client_for(column, people):
    """A client that enforces CSRF, logged in as the column's user, holding a CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("admin:login"))  # the login page sets the cookie, and logging in keeps it valid
    user = {"writer_own": "writer", "writer_other": "writer", "editor": "editor"}.get(column)
    if user:
        client.force_login(people[user])
    return client


class CsrfClient:
    """Adds the CSRF token from the cookie to every POST, as the admin's forms do."""

    def __init__(self, client):
        self.client = client

    def get(self, path):
        return self.client.get(path)

    def post(self, path, data=None):
        return self.client.post(
            path, {**(data or {}), "csrfmiddlewaretoken": self.client.cookies["csrftoken"].value}
        )


def story_for(column, state, people):
    """A story in `state` with a byline and a reference: the writer's own, or another writer's."""
    owner = people["writer"] if column == "writer_own" else people["other_writer"]
    if state == Status.PUBLISHED:
        story = ArticleFactory(created_by=owner)
    else:
        story = ArticleFactory(draft=True, status=state, created_by=owner)
    BylineFactory(article=story, author=getattr(owner, "author_profile", None) or AuthorFactory())
    CitationFactory(article=story, position=0)
    return story


def cells(key):
    matrix_row = MATRIX[key]
    states = matrix_row.states if matrix_row.on_story else [None]
    columns = COLUMNS if matrix_row.on_story else ["anonymous", "writer_own", "editor"]
    return [(column, state) for state in states for column in columns]


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_cell(key, people):
    matrix_row = MATRIX[key]
    for n, (column, state) in enumerate(cells(key)):
        story = story_for(column, state, people) if matrix_row.on_story else None
        obj = matrix_row.setup(story)
        client = CsrfClient(client_for(column, people))
        response = matrix_row.act(client, obj, n)
        expected = allowed(matrix_row, column, state)
        where = f"{key} as {column} on a {state or 'record'}"
        assert response.status_code < 500, where
        if matrix_row.reads:
            if expected:
                assert response.status_code == 200, where
            else:
                assert response.status_code in (302, 403), where
                if response.status_code == 302:
                    assert response.url.startswith(reverse("admin:login")), where
        else:
            assert matrix_row.done(obj, n) is expected, (
                f"{where}: expected {'allowed' if expected else 'refused'}"
            )


# Users, groups and the staff-account pages are left out of the table: docs/accounts.md describes the latter.
STAFF_ACCOUNT_PREFIXES = ("auth_", "accounts_", "axes_", "otp_totp_")


# The kinds of record the tables list, in their order.
TABLE_ORDER = [A, C, S, T, "articles_author", "articles_section", "articles_articleredirect"]


def subject_of(prefix):
    """How the tables name a kind of record: its admin's plural name."""
    models = {f"{m._meta.app_label}_{m._meta.model_name}": m for m in admin.site._registry}
    return str(models[prefix]._meta.verbose_name_plural).capitalize()


def workflow_table():
    """The Markdown table docs/permissions.md carries: one line per row of MATRIX, staff accounts aside."""
    lines = ["| Of | In the admin | Who may |", "|---|---|---|"]
    for key in sorted(
        (k for k in MATRIX if not k.startswith(STAFF_ACCOUNT_PREFIXES)),
        key=lambda k: (TABLE_ORDER.index(prefix_of(k)), MATRIX[k].label),
    ):
        subject = subject_of(prefix_of(key))
        lines.append(f"| {subject} | {MATRIX[key].label} | {WHO[MATRIX[key].who]} |")
    return "\n".join(lines)


def prefix_of(key):
    """The app_model part of a MATRIX key."""
    return next(p for p in sorted(MODEL_PREFIXES, key=len, reverse=True) if key.startswith(p))


MODEL_PREFIXES = [
    A,
    C,
    S,
    T,
    "articles_author",
    "articles_section",
    "articles_articleredirect",
    "auth_user",
    "auth_group",
]


def test_the_docs_carry_the_matrix():
    text = DOCS.read_text()
    assert workflow_table() in text, f"docs/permissions.md should carry this table:\n{workflow_table()}"


README = DOCS.parent.parent / "README.md"


def readme_table():
    """The README's short form of the matrix: per kind of record, what each role may do (Editors may also do
    everything in the columns before theirs)."""
    columns = ["desk", "story", "editor", "nobody"]
    lines = [
        "| Of | any Writer | a Writer, on their own story while draft or in review | Editors only | superusers only |",
        "|---|---|---|---|---|",
    ]
    for prefix in TABLE_ORDER:
        keys = [k for k in MATRIX if not k.startswith(STAFF_ACCOUNT_PREFIXES) and prefix_of(k) == prefix]
        cells = [
            ", ".join(sorted(MATRIX[k].label for k in keys if MATRIX[k].who == who)) or "–" for who in columns
        ]
        lines.append(f"| {subject_of(prefix)} | {' | '.join(cells)} |")
    return "\n".join(lines)


def test_the_readme_carries_the_matrix_in_short():
    assert readme_table() in README.read_text(), f"README.md should carry this table:\n{readme_table()}"
