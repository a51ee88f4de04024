"""The outbox in the admin site, read-only: operators look at failures; the tick and the sends write."""

from django.contrib import admin

from .models import Notification, NotificationPreference, OptOut, SourceFailure


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient_email", "period_key", "status", "due_at", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient_email", "period_key"]
    date_hierarchy = "due_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "reflection_weekday", "reflection_time", "updated_at"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["recipient_key", "kind", "via", "created_at"]
    list_filter = ["kind", "via"]
    search_fields = ["recipient_key"]


@admin.register(SourceFailure)
class SourceFailureAdmin(admin.ModelAdmin):
    """Rows a source could not turn into a message; delete one once its data is repaired."""

    list_display = ["kind", "row", "stage", "count", "first_seen_at", "last_seen_at", "error"]
    list_filter = ["kind", "stage"]
    search_fields = ["row", "error"]
    readonly_fields = [f.name for f in SourceFailure._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
