from django.contrib import admin

from dajia.core.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_repr", "federation"]
    list_filter = ["action", "federation"]
    search_fields = ["action", "object_repr", "actor_label"]
    date_hierarchy = "at"

    # The audit log is a record: nobody edits or deletes it, not even in the back office.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
