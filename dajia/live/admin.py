from django.contrib import admin

from dajia.live.models import LiveEvent


@admin.register(LiveEvent)
class LiveEventAdmin(admin.ModelAdmin):
    """To see what the big screens were told, e.g. when one did not update. Read-only: the bus writes it."""

    list_display = ["id", "channel", "event", "created_at"]
    list_filter = ["event"]
    search_fields = ["=channel"]
    date_hierarchy = "created_at"
    readonly_fields = ["channel", "event", "data", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
