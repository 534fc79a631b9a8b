"""Back office for the 公示 objections: read-only, since an answer decides whether an agreement takes effect;
answers are given on the office page, whose service writes the audit log."""

from django.contrib import admin

from dajia.core.admin import ReadOnlyAdmin
from dajia.notices.models import Objection


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["session", "entry", "name", "status", "filed_at", "responded_at"]
    list_filter = ["status"]
    search_fields = ["name", "reasons", "response"]
    list_select_related = ["session", "entry__project"]
