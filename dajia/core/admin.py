"""The back office of what ``core`` keeps: read-only, since only audited services write these records."""

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


# The working days decide when a 公示 window ends; they are kept on the office's calendar page, whose service
# audits every change, so the back office only reads them.
@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "kind", "note"]
    list_filter = ["kind"]
    date_hierarchy = "day"


@admin.register(OfficeHoursSetting)
class OfficeHoursSettingAdmin(ReadOnlyAdmin):
    list_display = ["morning_opens", "morning_closes", "afternoon_opens", "afternoon_closes"]
