from django.contrib import admin

from dajia.notifications.models import Message, SmsDelivery, SmsPreference


@admin.register(SmsDelivery)
class SmsDeliveryAdmin(admin.ModelAdmin):
    """Operators look here for messages stuck in "being sent" (the worker died mid-send) or given up."""

    list_display = ["created_at", "event", "mobile", "state", "attempts", "last_error", "sent_at"]
    list_filter = ["state", "event"]
    readonly_fields = ["key", "event", "mobile", "text", "params", "attempts", "created_at", "sent_at"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "event", "read_at"]
    list_filter = ["event"]
    raw_id_fields = ["recipient"]


@admin.register(SmsPreference)
class SmsPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "sms_enabled", "updated_at"]
    list_filter = ["sms_enabled"]
    raw_id_fields = ["user"]
