from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Invitation, Practice, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_coach", "is_practice_admin", "practice", "is_active"]
    list_filter = ["is_coach", "is_practice_admin", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "time_zone", "practice")}),
        ("Roles", {"fields": ("is_coach", "is_practice_admin", "is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    # The nonce and the hash are the link's ingredients: nobody reads them, not even operators.
    exclude = ["token_hash", "link_nonce"]
    readonly_fields = [
        "user",
        "role",
        "invited_by",
        "context",
        "engagement_id",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
