from django.contrib import admin, messages
from django.db.models import Count, Prefetch
from django.utils import timezone

from .forms import CitationForm
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
        ("Hero image", {"fields": ["hero_image", "hero_alt", "hero_caption", "hero_credit"]}),
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
