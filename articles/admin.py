from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import Truncator

from .editing import quotes_not_in_body
from .forms import UNREADABLE_REFERENCE, ArticleEditingForm, CitationForm, as_submitted, read_reference
from .models import Article, Author, Byline, Citation, Quote, Section, Speaker, Status


class BylineInline(admin.TabularInline):
    model = Byline
    autocomplete_fields = ["author"]
    extra = 1


class QuoteInline(admin.StackedInline):
    model = Quote
    autocomplete_fields = ["speaker"]
    fields = [("position", "is_pull_quote"), "text", "speaker", ("role", "affiliation")]
    extra = 0


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationForm
    extra = 0
    fields = [
        "paste_reference",
        ("position", "study_status"),
        "raw",
        ("authors", "et_al"),
        "title",
        ("journal", "volume", "issue"),
        ("first_page", "last_page", "article_number", "year"),
        ("doi", "pmid", "url"),
    ]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleEditingForm
    inlines = [BylineInline, QuoteInline, CitationInline]
    list_display = ["headline", "status", "published_at", "section", "byline_names"]
    list_filter = ["status", "section", "tags", "authors"]
    list_select_related = ["section"]
    search_fields = ["headline", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["created_at", "updated_at", "source_name", "source_url", "external_id"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "standfirst", "body", "section", "tags"]}),
        ("Publishing", {"fields": ["status", "published_at", "embargo_until"]}),
        (
            "Hero image",
            {
                "fields": [
                    "hero_image",
                    "hero_alt",
                    "hero_caption",
                    "hero_credit",
                    ("hero_focal_x", "hero_focal_y"),
                ]
            },
        ),
        ("Science context", {"fields": ["disclosure"]}),
        (
            "Record",
            {
                "fields": ["created_at", "updated_at", "source_name", "source_url", "external_id"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
            .defer("search_vector")
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A warning, not an error: the body may paraphrase on purpose, but usually a mismatch is a slip.
        for quote in quotes_not_in_body(form.instance):
            self.message_user(
                request,
                f"The quote “{Truncator(quote.text).words(12)}” ({quote.speaker}) is not in the body "
                "as written: check the wording matches.",
                messages.WARNING,
            )

    @admin.display(description="Bylines")
    def byline_names(self, article):
        return ", ".join(author.name for author in article.byline_authors)

    @admin.action(description="Publish selected stories now")
    def publish(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Status.PUBLISHED):
            article.status = Status.PUBLISHED
            article.published_at = article.published_at or timezone.now()
            article.save(update_fields=["status", "published_at", "updated_at"])
            count += 1
        self.message_user(request, f"Published {count} stories.", messages.SUCCESS)

    @admin.action(description="Unpublish selected stories (back to draft)")
    def unpublish(self, request, queryset):
        count = queryset.filter(status=Status.PUBLISHED).update(
            status=Status.DRAFT, updated_at=timezone.now()
        )
        self.message_user(request, f"Unpublished {count} stories.", messages.SUCCESS)


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
    list_display = ["name", "role", "affiliation", "orcid", "quote_count"]
    search_fields = ["name", "normalised_name", "role", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_speakers"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(quote_total=Count("quotes"))

    @admin.display(description="Quotes", ordering="quote_total")
    def quote_count(self, speaker):
        return speaker.quote_total

    @admin.action(description="Merge selected speakers into one (the one with the most quotes)")
    def merge_speakers(self, request, queryset):
        speakers = list(queryset.order_by("-quote_total", "pk"))
        if len(speakers) < 2:
            self.message_user(request, "Select at least two speakers to merge.", messages.WARNING)
            return
        keep = speakers[0]
        merged = keep.absorb(speakers[1:])
        self.message_user(request, f"Merged {merged} other record(s) into “{keep.name}”.", messages.SUCCESS)


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    form = CitationForm
    list_display = ["__str__", "journal", "year", "doi", "article"]
    list_select_related = ["article"]
    search_fields = ["title", "journal", "doi", "raw"]
    raw_id_fields = ["article"]

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
