from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import second_factor
from .models import AuditEntry, StaffAccount


class StoryFilter(admin.SimpleListFilter):
    """Stories in the entries being shown (the newest few); each row's story links here for any other."""

    title = "story"
    parameter_name = "story"

    def lookups(self, request, model_admin):
        stories = (
            model_admin.get_queryset(request)
            .filter(article__isnull=False)
            .order_by("article_id")
            .values_list("article_id", "article__headline")
            .distinct()
        )
        return list(stories[:30])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(article_id=self.value())
        return queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Who did what, when: readable by Editors, and by no one editable or deletable."""

    list_display = ["happened_at", "actor_name", "action", "story", "target", "summary", "ip_address"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter), StoryFilter]
    search_fields = ["actor_name", "target", "detail", "article__headline"]
    date_hierarchy = "happened_at"
    list_select_related = ["article"]
    list_per_page = 100
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Detail")
    def summary(self, entry):
        # Long details (a role's whole permission list) are read in full on the entry's own page.
        return Truncator(entry.detail).chars(120)

    @admin.display(description="Story", ordering="article__headline")
    def story(self, entry):
        if entry.article is None:
            return ""
        return format_html(
            '<a href="{}?story={}">{}</a>',
            reverse("admin:accounts_auditentry_changelist"),
            entry.article_id,
            entry.article.headline,
        )


@admin.register(StaffAccount)
class StaffAccountAdmin(admin.ModelAdmin):
    """Staff logins and their second factor, for Editors: a lost phone is reset here (and audited)."""

    list_display = ["username", "full_name", "roles", "two_step_login", "last_login", "is_active"]
    list_filter = ["groups", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return (
            super()
            .get_queryset(request)
            .filter(is_staff=True)
            .annotate(has_authenticator=Exists(devices))
            .prefetch_related("groups")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_reset_second_factor_permission(self, request):
        return request.user.has_perm("accounts.reset_second_factor")

    @admin.display(description="Name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description="Roles")
    def roles(self, user):
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description="Two-step login", boolean=True, ordering="has_authenticator")
    def two_step_login(self, user):
        return user.has_authenticator

    @admin.action(description="Reset two-step login (lost phone): they set it up again at next login")
    def reset_second_factor(self, request, queryset):
        done = []
        for user in queryset:
            # An Editor's reset must not become a way into an account with more power than their own.
            if user.is_superuser and not request.user.is_superuser:
                self.message_user(
                    request, f"Only a superuser can reset {user}'s two-step login.", messages.ERROR
                )
                continue
            second_factor.reset(user, by=request.user)
            done.append(user.get_username())
        if done:
            self.message_user(
                request, f"Reset two-step login for {', '.join(done)}; they were logged out everywhere."
            )
