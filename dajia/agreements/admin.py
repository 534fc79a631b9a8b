"""The back office of agreements: read-only, since amounts, states, versions, signatures and quotas change only
through the audited services (the template is the office's own text and stays editable)."""

from django.contrib import admin

from dajia.agreements.models import Agreement, AgreementQuota, AgreementTemplate, AgreementVersion, Signature
from dajia.core.admin import ReadOnlyAdmin


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    list_display = ["federation", "updated_at", "updated_by"]
    list_select_related = ["federation", "updated_by"]


class VersionInline(admin.TabularInline):
    model = AgreementVersion
    extra = 0
    fields = ["number", "reason", "created_at", "created_by"]
    readonly_fields = fields


class QuotaInline(admin.TabularInline):
    model = AgreementQuota
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["number", "project", "provider", "amount", "sessions", "state", "starts_on", "ends_on"]
    list_filter = ["state", "federation", "allocation"]
    search_fields = ["number", "project__title", "provider__name"]
    list_select_related = ["project", "provider"]
    inlines = [VersionInline, QuotaInline]


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "number", "reason", "created_at", "created_by"]
    search_fields = ["agreement__number"]
    list_select_related = ["agreement", "created_by"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["version", "party", "signer_name", "signed_at"]
    list_filter = ["party"]
    search_fields = ["signer_name", "version__agreement__number"]
    list_select_related = ["version__agreement"]


@admin.register(AgreementQuota)
class AgreementQuotaAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "union", "sessions", "booked"]
    search_fields = ["agreement__number", "union__name"]
    list_select_related = ["agreement", "union"]
