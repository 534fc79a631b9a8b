"""The back office shows the health checks; what decides a report (the checks and their answers) only services
write, so it is read-only here. The checklist is the office's own page; the back office may correct it."""

from django.contrib import admin

from dajia.checkups.models import CheckAnswer, ChecklistItem, ChecklistTemplate, HealthCheck
from dajia.core.admin import ReadOnlyAdmin


class ItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "federation"]
    inlines = [ItemInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["question", "area", "position", "is_active", "template"]
    list_filter = ["area", "is_active"]
    search_fields = ["question"]


@admin.register(HealthCheck)
class HealthCheckAdmin(ReadOnlyAdmin):
    list_display = ["number", "enterprise", "park", "status", "reviewer", "reported_at", "visit_due"]
    list_filter = ["status"]
    search_fields = ["enterprise__name"]
    list_select_related = ["enterprise", "park", "reviewer__user"]


@admin.register(CheckAnswer)
class CheckAnswerAdmin(ReadOnlyAdmin):
    list_display = ["question", "area", "answer", "risk", "follow_up", "health_check"]
    list_filter = ["area", "risk"]
    list_select_related = ["health_check", "follow_up"]
