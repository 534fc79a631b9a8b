"""The finance files in the back office. The needs decide the ledger's loan figures, so they are read-only here
(only the services write them, with the audit log)."""

from django.contrib import admin

from dajia.core.admin import ReadOnlyAdmin
from dajia.finance.models import EnterpriseFile, FinancingNeed


@admin.register(EnterpriseFile)
class EnterpriseFileAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "park", "opened_at"]
    list_filter = ["park"]
    search_fields = ["enterprise__name"]


@admin.register(FinancingNeed)
class FinancingNeedAdmin(ReadOnlyAdmin):
    list_display = ["file", "status", "loan_amount", "product", "decided_on", "volunteer"]
    list_filter = ["status"]
    date_hierarchy = "decided_on"
