from django.contrib import admin

from dajia.orgs.models import Enterprise, Federation, Park, Provider, Union


@admin.register(Federation)
class FederationAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "region"]
    list_filter = ["level"]
    search_fields = ["name", "region"]


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ["name", "federation", "address"]
    list_filter = ["federation"]
    search_fields = ["name"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "federation", "park", "employees"]
    list_filter = ["federation", "park"]
    search_fields = ["name", "uscc"]
    list_select_related = ["federation", "park"]


@admin.register(Union)
class UnionAdmin(admin.ModelAdmin):
    list_display = ["name", "federation", "enterprise", "members", "is_model_home"]
    list_filter = ["federation", "is_model_home"]
    search_fields = ["name"]
    list_select_related = ["federation", "enterprise"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "federation", "status", "has_union", "created_at"]
    list_filter = ["status", "federation", "has_union"]
    search_fields = ["name", "uscc", "contact_name"]
    list_select_related = ["federation"]
