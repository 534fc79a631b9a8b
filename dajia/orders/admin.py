"""The back office of orders: read-only, since budgets, orders, deliveries, sign-ins and ratings decide the
track records and change only through the audited services."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dajia.core.admin import ReadOnlyAdmin
from dajia.orders.models import Attendance, Delivery, DeliveryPhoto, Order, Rating, UnionBudget


@admin.register(UnionBudget)
class UnionBudgetAdmin(ReadOnlyAdmin):
    list_display = ["union", "year", "amount", "committed"]
    list_filter = ["year"]
    search_fields = ["union__name"]
    list_select_related = ["union"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "project", "union", "starts_at", "state", "cost"]
    list_filter = ["state"]
    search_fields = ["number", "project__title", "union__name", "place"]
    list_select_related = ["project", "union"]
    date_hierarchy = "starts_at"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["order", "started_at", "ended_at", "recorded_by"]
    search_fields = ["order__number"]
    list_select_related = ["order", "recorded_by"]


@admin.register(DeliveryPhoto)
class DeliveryPhotoAdmin(ReadOnlyAdmin):
    """Photos come only with a delivery record (the service checks and strips them); they are private, so the
    back office links the permission-checked view instead of a file URL, which private storage does not have."""

    list_display = ["delivery", "caption"]
    list_select_related = ["delivery__order"]
    fields = ["delivery", "caption", "evidence"]
    readonly_fields = ["evidence"]

    @admin.display(description=_("photo"))
    def evidence(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("orders:photo", args=[obj.delivery.order_id, obj.pk]),
            _("View the photo"),
        )


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["order", "seat", "name", "union_name", "signed_at"]
    search_fields = ["order__number", "name", "union_name"]
    list_select_related = ["order"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["order", "role", "stars", "complaint", "created_at"]
    list_filter = ["role", "stars", "complaint"]
    search_fields = ["order__number", "comment"]
    list_select_related = ["order"]
    raw_id_fields = ["attendance"]
