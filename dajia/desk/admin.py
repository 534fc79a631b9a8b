"""The office keeps volunteers, teams, the rota and leave here until the desk has its own pages for them."""

from django.contrib import admin

from dajia.core.admin import ReadOnlyAdmin
from dajia.desk import tally
from dajia.desk.models import (
    Assignment,
    Attachment,
    Case,
    Consultation,
    ContactRequest,
    Leave,
    Party,
    RotaSlot,
    Tally,
    Team,
    Volunteer,
)


class RotaInline(admin.TabularInline):
    model = RotaSlot
    extra = 0


class LeaveInline(admin.TabularInline):
    model = Leave
    extra = 0


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["user", "specialty", "firm", "is_party_member", "is_active"]
    list_filter = ["specialty", "is_active"]
    inlines = [RotaInline, LeaveInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "firm" in form.changed_data:
            # The ledger credits a firm with its volunteers' cases: their months are counted again.
            tally.tallies_recount(keys=tally.volunteer_keys(obj))


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["park", "lead"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    # Case content is confidential: the admin lists, the desk pages show (to those who may see it).
    list_display = ["number", "park", "specialty", "status", "urgency", "created_at"]
    list_filter = ["status", "specialty", "urgency"]
    fields = ["status", "waiting", "response_overdue", "resolution_overdue"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    # A case is the desk's record (the ledger's tallies count it, the audit log names it): never deleted here.
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["summary", "park", "specialty", "channel", "created_at"]


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "enterprise", "status", "created_at"]


@admin.register(RotaSlot)
class RotaSlotAdmin(admin.ModelAdmin):
    list_display = ["park", "volunteer", "weekday", "week_of_month", "starts", "ends"]
    list_filter = ["park"]


@admin.register(Leave)
class LeaveAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "starts", "ends"]


# A case's parties, assignments and files are written by the desk's services (the conflict check, the audit of
# an override, the upload rule): the back office only reads them, and never lists a worker's number or ID.
@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["case", "side", "kind"]
    list_filter = ["side", "kind"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "volunteer", "assigned_at"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["case", "uploaded_at"]
    exclude = ["file"]  # private evidence: opened through the desk's permission-checked view only


# The tallies are counted from the cases by the desk's services (dajia/desk/tally.py); an edit here would make the
# ledger disagree with the cases it says it counts.
@admin.register(Tally)
class TallyAdmin(ReadOnlyAdmin):
    list_display = ["month", "park", "kind", "firm", "volunteer", "finished", "solved", "minutes"]
    list_filter = ["kind", "federation"]
    list_select_related = ["park", "volunteer"]
