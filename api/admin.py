from django.contrib import admin

from .models import ApiToken, ApiWrite


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["token_hash", "prefix", "created_at", "last_used_at"]


@admin.register(ApiWrite)
class ApiWriteAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "token", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["user__email", "token__name"]
    list_select_related = ["user", "token"]
