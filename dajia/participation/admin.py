"""Back office for live participation. Hashes and codes are never shown in clear (there is no clear form)."""

from django.contrib import admin

from dajia.participation.models import (
    Comment,
    LiveSettings,
    RollMember,
    SensitiveWord,
    Support,
    SupportCount,
    VerificationCode,
    Viewer,
)


@admin.register(LiveSettings)
class LiveSettingsAdmin(admin.ModelAdmin):
    list_display = ["session", "require_roll", "comments_open", "viewers", "updated_at"]
    list_select_related = ["session"]


@admin.register(Viewer)
class ViewerAdmin(admin.ModelAdmin):
    list_display = ["session", "mobile_masked", "union", "verified_at", "erased_at"]
    list_filter = ["session"]
    search_fields = ["mobile_masked"]
    readonly_fields = ["mobile_hash"]
    list_select_related = ["session", "union"]


@admin.register(VerificationCode)
class VerificationCodeAdmin(admin.ModelAdmin):
    list_display = ["session", "purpose", "mobile_masked", "created_at", "expires_at", "attempts", "used_at"]
    list_filter = ["purpose"]
    readonly_fields = ["mobile_hash", "code_hash"]
    list_select_related = ["session"]


@admin.register(Support)
class SupportAdmin(admin.ModelAdmin):
    list_display = ["session", "entry", "viewer", "created_at"]
    list_filter = ["session"]
    list_select_related = ["session", "entry__project", "viewer"]


@admin.register(SupportCount)
class SupportCountAdmin(admin.ModelAdmin):
    list_display = ["session", "entry", "supports"]
    list_select_related = ["session", "entry__project"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["session", "kind", "source", "author_label", "status", "created_at"]
    list_filter = ["status", "kind", "source"]
    search_fields = ["text", "answer", "author_label"]
    list_select_related = ["session"]


@admin.register(SensitiveWord)
class SensitiveWordAdmin(admin.ModelAdmin):
    list_display = ["word", "federation", "created_at"]
    search_fields = ["word"]
    list_select_related = ["federation"]


@admin.register(RollMember)
class RollMemberAdmin(admin.ModelAdmin):
    list_display = ["name_masked", "mobile_masked", "union", "federation", "imported_at"]
    search_fields = ["name_masked", "mobile_masked"]
    readonly_fields = ["mobile_hash"]
    list_select_related = ["union", "federation"]
