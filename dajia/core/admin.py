from django.contrib import admin

from dajia.core.models import AuditLog, CalendarDay, OfficeHoursSetting


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (the audit log, scores, published results): read here, never
    written, so the back office cannot bypass the audit trail."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "object_repr", "federation"]
    list_filter = ["action", "federation"]
    search_fields = ["action", "object_repr", "actor_label"]
    date_hierarchy = "at"


@admin.register(CalendarDay, OfficeHoursSetting)
class CalendarAdmin(ReadOnlyAdmin):
    """The office's own holidays, working days and hours change the 公示 windows: they are edited on the office's
    calendar page (audited services), only read here."""
