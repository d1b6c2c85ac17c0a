from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.forms.widgets import Script
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django_tasks_db.models import DBTaskResult
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version
from taggit.models import Tag

from . import history, workflow
from .editing import editor_content_security_policy, quotes_not_in_body
from .editor import share_links
from .editor import views as editor_views
from .forms import (
    UNREADABLE_REFERENCE,
    ArticleAdminForm,
    BylineFormSet,
    CitationForm,
    CitationFormSet,
    StoryPartFormSet,
    as_submitted,
    read_reference,
    rows_still_saved,
    submitted_version,
)
from .models import (
    Article,
    ArticleRedirect,
    Author,
    Byline,
    Citation,
    Correction,
    Quote,
    Section,
    Speaker,
    Status,
    StatusChange,
)
from .models.speaker import normalise_name
from .sanitize import clean_html
from .speaker_forms import QuoteForm, SpeakerForm


def stories(count):
    return f"{count} {'story' if count == 1 else 'stories'}"


admin.site.unregister(Tag)


class StoryPartInline:
    """Inline rows are editable exactly when the story is (a Writer's view of another's story is read-only)."""

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and workflow.can_edit(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and workflow.can_edit(request.user, obj)

    def get_queryset(self, request):
        # Each row's title names its story and author or speaker: fetch them with the rows.
        return super().get_queryset(request).select_related(*self.row_relations)


class BylineInline(StoryPartInline, admin.StackedInline):
    # Stacked, not tabular: it sits in the narrow settings column, and each input gets a real label.
    model = Byline
    formset = BylineFormSet
    row_relations = ["article", "author"]
    autocomplete_fields = ["author"]
    fields = [("author", "position")]
    extra = 1


class QuoteInline(StoryPartInline, admin.StackedInline):
    model = Quote
    form = QuoteForm
    formset = StoryPartFormSet
    row_relations = ["article", "speaker"]
    fields = [("position", "is_pull_quote"), "text", "speaker", ("role", "affiliation")]
    extra = 0


class CitationInline(StoryPartInline, admin.StackedInline):
    model = Citation
    formset = CitationFormSet
    row_relations = ["article"]
    form = CitationForm
    extra = 0
    fields = [
        "paste_reference",
        ("position", "kind", "study_status"),
        "raw",
        ("authors", "et_al"),
        "title",
        ("journal", "volume", "issue"),
        ("first_page", "last_page", "article_number", "year"),
        ("doi", "pmid", "url"),
    ]


class CorrectionInline(admin.TabularInline):
    model = Correction
    formset = StoryPartFormSet
    fields = ["created_at", "kind", "text"]
    extra = 0
    verbose_name_plural = "Corrections and updates (shown at the foot of the story and on /corrections/)"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "created_at":
            field.help_text = workflow.time_zone_note()
        return field


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        match self.value():
            case Status.PUBLISHED:
                return queryset.published()
            case Status.SCHEDULED:
                return queryset.scheduled()
            case Status.DRAFT | Status.IN_REVIEW as status:
                return queryset.filter(status=status)
        return queryset


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    inlines = [BylineInline, QuoteInline, CitationInline, CorrectionInline]
    list_display = ["headline", "state", "published_at", "section", "byline_names"]
    list_filter = [StateFilter, "section", "tags", "authors"]
    list_select_related = ["section"]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = [
        "created_at",
        "updated_at",
        "source_name",
        "source_url",
        "external_id",
        "workflow_history",
        "body_as_read",
    ]
    actions = ["publish", "unpublish"]
    # The story editor's template puts fieldsets classed "story-settings" beside the writing, the rest under it.
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body", "loaded_version"]}),
        (
            "Publishing",
            {
                "fields": ["status", "published_at", "embargo_until", "workflow_history"],
                "classes": ["story-settings"],
            },
        ),
        ("Section and tags", {"fields": ["section", "tags"], "classes": ["story-settings"]}),
        (
            "Hero image",
            {
                "fields": [
                    "hero_image",
                    "hero_alt",
                    "hero_caption",
                    "hero_credit",
                    ("hero_focal_x", "hero_focal_y"),
                ],
                "classes": ["story-settings"],
            },
        ),
        ("Science context", {"fields": ["disclosure"], "classes": ["story-settings"]}),
        (
            "Record",
            {
                "fields": ["created_at", "updated_at", "source_name", "source_url", "external_id"],
                "classes": ["collapse", "story-settings"],
            },
        ),
    ]
    history_latest_first = True
    change_list_template = "admin/articles/article/change_list.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
            .defer("search_vector")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class ArticleFormForUser(form_class):
            """The form with the rules of the user making this request."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, user=request.user, **kwargs)

        return ArticleFormForUser

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "POST" and obj.pk is not None:
            saved_ids = set(inline.get_queryset(request).filter(article=obj).values_list("pk", flat=True))
            kwargs["data"], kwargs["vanished"] = rows_still_saved(kwargs["data"], prefix, saved_ids)
            kwargs["loaded_version"] = submitted_version(request.POST)
        # A writer starting a story is usually its author: their byline is filled in, to remove if not.
        new_story = request.method == "GET" and obj.pk is None and isinstance(inline, BylineInline)
        if new_story and (author := Author.objects.filter(user=request.user).first()):
            kwargs["initial"] = [{"author": author.pk, "position": 0}]
        return kwargs

    class Media:
        # ES modules: each keeps its names to itself, and runs once the page is parsed.
        js = [
            Script(f"js/{name}.js", type="module")
            for name in (
                "editor-labels",
                "editor-changes",
                "share-links",
                "story-parts",
                "story-actions",
                "editor-autosave",
                "editor-preview",
                "editor-presence",
            )
        ]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/share-links/",
                wrap(share_links.make_link),
                name="articles_article_share_make",
            ),
            path(
                "<path:object_id>/share-links/<int:link_id>/revoke/",
                wrap(share_links.revoke_link),
                name="articles_article_share_revoke",
            ),
            *editor_views.editor_urls(self),
            *super().get_urls(),
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The status is set by the action bar's buttons (each submits the status it leads to); the hidden input
        # carries the saved one for submissions made without a button.
        if db_field.name == "status":
            kwargs["widget"] = forms.HiddenInput
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["share"] = share_links.panel_context(request, obj)
        context["editor"] = editor_views.editor_context(self, request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changeform_view(self, request, *args, **kwargs):
        response = super().changeform_view(request, *args, **kwargs)
        if policy := editor_content_security_policy():
            response._csp_config = policy
        return response

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not workflow.can_publish(request.user):
            return [*readonly, "published_at"]
        return readonly

    def get_inlines(self, request, obj):
        # A story is corrected once it exists; the add form stays as short as it was.
        return self.inlines if obj is not None else [i for i in self.inlines if i is not CorrectionInline]

    def get_fieldsets(self, request, obj=None):
        # Read-only, the body is shown as the story's text (body_as_read), not as its HTML source.
        read_only = obj is not None and not self.has_change_permission(request, obj)
        return [
            (
                name,
                {
                    **options,
                    "fields": ["body_as_read" if read_only and f == "body" else f for f in options["fields"]],
                },
            )
            for name, options in super().get_fieldsets(request, obj)
        ]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and workflow.can_edit(request.user, obj)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        before = Article.objects.get(pk=obj.pk).state if change else Status.DRAFT
        super().save_model(request, obj, form, change)
        StatusChange.record(obj, before, request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        editor_views.discard(form.instance, request.user, added=not change)
        # A warning, not an error: the body may paraphrase on purpose, but usually a mismatch is a slip.
        for quote in quotes_not_in_body(form.instance):
            self.message_user(
                request,
                f"The quote “{Truncator(quote.text).words(12)}” ({quote.speaker}) is not in the body "
                "as written: check the wording matches.",
                messages.WARNING,
            )

    @admin.display(description="State", ordering="status")
    def state(self, article):
        return article.state.label

    @admin.display(description="Body")
    def body_as_read(self, article):
        return mark_safe(clean_html(article.body))

    @admin.display(description="Bylines")
    def byline_names(self, article):
        return ", ".join(author.name for author in article.byline_authors)

    @admin.display(description="Workflow history")
    def workflow_history(self, article):
        changes = article.status_changes.select_related("changed_by") if article.pk else []
        return (
            format_html_join(
                "",
                "<div>{} · {} → {}{} · {}</div>",
                (
                    (
                        f"{timezone.localtime(change.changed_at):%-d %b %Y, %H:%M}",
                        change.get_from_state_display(),
                        change.get_to_state_display(),
                        f" ({timezone.localtime(change.published_at):%-d %b %Y, %H:%M})"
                        if change.to_state == Status.SCHEDULED
                        else "",
                        change.changed_by or "—",
                    )
                    for change in changes
                ),
            )
            or "No moves yet."
        )

    @admin.action(
        description="Publish selected stories now (or at their future time)", permissions=["publish"]
    )
    def publish(self, request, queryset):
        published = 0
        for article in queryset.exclude(status=Status.PUBLISHED):
            try:
                workflow.publish(article, request.user)
            except ValidationError as error:
                self.message_user(
                    request, f"“{article}” not published: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                published += 1
        # Nothing published is not a success: say so in the warning colour, not in green.
        if published:
            self.message_user(request, f"Published {stories(published)}.", messages.SUCCESS)
        else:
            self.message_user(request, "No story was published.", messages.WARNING)

    @admin.action(description="Unpublish selected stories (back to draft)", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Status.PUBLISHED):
            workflow.unpublish(article, request.user)
            count += 1
        if count:
            self.message_user(request, f"Unpublished {stories(count)}.", messages.SUCCESS)
        else:
            self.message_user(
                request, "No story was unpublished: none of them was published.", messages.WARNING
            )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """One earlier version beside the story as it is now, with a one-click revert (POST)."""
        article = get_object_or_404(Article, pk=object_id)
        version = get_object_or_404(Version.objects.get_for_object(article), pk=version_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        if request.method == "POST":
            try:
                workflow.revert(article, version, request.user)
            except RevertError as error:
                self.message_user(request, f"Could not revert: {error}", messages.ERROR)
            else:
                self.message_user(request, "Reverted. The revert is itself a new version in the history.")
            return redirect(reverse("admin:articles_article_change", args=[article.pk]))
        versions = Version.objects.get_for_object(article).select_related("revision__user")
        later = [v for v in versions if v.revision_id > version.revision_id]
        newer = next((v for v in later if str(v.pk) == request.GET.get("against")), None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"The version of {timezone.localtime(version.revision.date_created):%-d %B %Y, %H:%M}",
            "article": article,
            "version": version,
            "newer": newer,
            "later_versions": later,
            "differences": history.compare(version, article, newer),
            "can_revert": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revision_compare.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_recover": workflow.can_publish(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        # Recovering a deleted story would put it back in its old state without the workflow's checks.
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)


@admin.register(ArticleRedirect)
class ArticleRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created_at"]
    list_select_related = ["article"]
    search_fields = ["old_slug", "article__headline"]
    raw_id_fields = ["article"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "role"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    """A speaker's record shows on every story quoting them: changing it is for whoever may edit all of those."""

    form = SpeakerForm
    list_display = ["name", "role", "affiliation", "orcid", "quote_count"]
    search_fields = ["name", "normalised_name", "role", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_speakers"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_total=Count("quotes")).order_by("name")

    def get_search_results(self, request, queryset, search_term):
        # Names are searched as normalised_name holds them, so “MASSAGUE” and “Massagué” find the same person.
        return super().get_search_results(request, queryset, normalise_name(search_term))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or workflow.can_edit_all(request.user, obj.stories())
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or workflow.can_edit_all(request.user, obj.stories())
        )

    def has_merge_permission(self, request):
        return request.user.has_perm("articles.merge_speaker")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.has_changed():
            workflow.record_part_change(obj.stories(), request.user, f"Speaker “{obj}” edited.")

    @admin.display(description="Quotes", ordering="quote_total")
    def quote_count(self, speaker):
        return speaker.quote_total

    @admin.action(
        description="Merge selected speakers into one (the one with the most quotes)", permissions=["merge"]
    )
    def merge_speakers(self, request, queryset):
        speakers = list(queryset.order_by("-quote_total", "pk"))
        if len(speakers) < 2:
            self.message_user(request, "Select at least two speakers to merge.", messages.WARNING)
            return
        keep = speakers[0]
        stories = list(Article.objects.filter(quotes__speaker__in=speakers[1:]).distinct())
        merged = keep.absorb(speakers[1:])
        workflow.record_part_change(stories, request.user, f"Speakers merged into “{keep.name}”.")
        self.message_user(request, f"Merged {merged} other record(s) into “{keep.name}”.", messages.SUCCESS)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags as the desk keeps them: a rename or merge changes every story carrying the tag, so it is the
    Editors' (change and delete permissions) and makes a revision of each of those stories.

    Replaces taggit's own admin, whose merge page checks no permission at all."""

    list_display = ["name", "slug", "story_count"]
    ordering = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_tags"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_total=Count("taggit_taggeditem_items"))

    @admin.display(description="Stories", ordering="story_total")
    def story_count(self, tag):
        return tag.story_total

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.has_changed():
            workflow.record_part_change(tagged_stories([obj]), request.user, f"Tag “{obj}” edited.")

    def delete_model(self, request, obj):
        stories = list(tagged_stories([obj]))
        super().delete_model(request, obj)
        workflow.record_part_change(stories, request.user, f"Tag “{obj}” deleted.")

    def delete_queryset(self, request, queryset):
        stories = list(tagged_stories(queryset))
        super().delete_queryset(request, queryset)
        workflow.record_part_change(stories, request.user, "Tags deleted.")

    def has_merge_permission(self, request):
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(
        description="Merge selected tags into one (the one on the most stories)", permissions=["merge"]
    )
    def merge_tags(self, request, queryset):
        tags = list(queryset.order_by("-story_total", "pk"))
        if len(tags) < 2:
            self.message_user(request, "Select at least two tags to merge.", messages.WARNING)
            return
        keep, others = tags[0], tags[1:]
        stories = list(tagged_stories(others))
        with transaction.atomic():
            for story in stories:
                story.tags.add(keep)
            Tag.objects.filter(pk__in=[tag.pk for tag in others]).delete()
        workflow.record_part_change(stories, request.user, f"Tags merged into “{keep}”.")
        self.message_user(request, f"Merged {len(others)} other tag(s) into “{keep}”.", messages.SUCCESS)


def tagged_stories(tags):
    return Article.objects.filter(tags__in=tags).distinct()


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    form = CitationForm
    list_display = ["__str__", "journal", "year", "doi", "article"]
    list_select_related = ["article"]
    search_fields = ["title", "journal", "doi", "raw"]
    raw_id_fields = ["article"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or workflow.can_edit(request.user, obj.article)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or workflow.can_edit(request.user, obj.article)
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            # A reference can be added to, or moved to, only a story this user may edit.
            kwargs["queryset"] = Article.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        moved_from = form.initial.get("article") if change else None
        stories = Article.objects.filter(pk__in={obj.article_id, moved_from} - {None})
        workflow.record_part_change(
            stories, request.user, f"Reference “{obj}” {'edited' if change else 'added'}."
        )

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        workflow.record_part_change([obj.article], request.user, f"Reference “{obj}” deleted.")

    def delete_queryset(self, request, queryset):
        stories = list(Article.objects.filter(citations__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        workflow.record_part_change(stories, request.user, "References deleted.")

    def get_urls(self):
        parse = self.admin_site.admin_view(self.parse_reference_view)
        return [
            path("parse-reference/", parse, name="articles_citation_parse_reference"),
            *super().get_urls(),
        ]

    def parse_reference_view(self, request):
        """The fields a pasted reference fills, for the citation form's “Fill in the fields” button."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        parsed = read_reference(request.GET.get("text", ""))
        if parsed is None:
            return JsonResponse({"error": UNREADABLE_REFERENCE}, status=400)
        return JsonResponse({"fields": {name: as_submitted(value) for name, value in parsed.items()}})


# The background task queue (django-tasks-db) is the operators' concern, not the desk's: it stays out of the
# admin, every page of which must have its row in the permission matrix (tests/test_permissions.py).
admin.site.unregister(DBTaskResult)
