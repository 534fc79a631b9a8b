"""Back office for the 公示 objections (answers are given on the office page, which writes the audit log)."""

from django.contrib import admin

from dajia.notices.models import Objection


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["session", "entry", "name", "status", "filed_at", "responded_at"]
    list_filter = ["status"]
    search_fields = ["name", "reasons", "response"]
    list_select_related = ["session", "entry__project"]
