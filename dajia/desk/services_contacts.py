"""Enterprise contacts: a person registers for an enterprise by its 统一社会信用代码 and park, and the park office
or the union office confirms; the confirmation gives the account the enterprise role the desk reads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dajia.accounts.models import Role, RoleAssignment
from dajia.accounts.permissions import can_manage_federation, park_office_ids
from dajia.core import audit
from dajia.core.validators import normalise_code, uscc_error
from dajia.desk.models import ContactRequest
from dajia.orgs.models import Enterprise, Park


def may_confirm(user, enterprise: Enterprise) -> bool:
    return enterprise.park_id in park_office_ids(user) or can_manage_federation(
        user, enterprise.federation_id
    )


@transaction.atomic
def contact_register(*, actor, uscc: str, park: Park) -> ContactRequest:
    code = normalise_code(uscc)
    error = uscc_error(code)
    if error:
        raise ValidationError({"uscc": error})
    enterprise = Enterprise.objects.filter(uscc=code, park=park).first()
    if enterprise is None:
        raise ValidationError(
            {"uscc": _("No enterprise of this park has this code; ask the park office to add it.")}
        )
    if RoleAssignment.objects.filter(user=actor, role=Role.ENTERPRISE, enterprise=enterprise).exists():
        raise ValidationError({"uscc": _("You are already a contact of this enterprise.")})
    if ContactRequest.objects.filter(
        user=actor, enterprise=enterprise, status=ContactRequest.Status.PENDING
    ).exists():
        raise ValidationError({"uscc": _("Your registration for this enterprise awaits confirmation.")})
    request = ContactRequest.objects.create(user=actor, enterprise=enterprise)
    audit.log(
        actor=actor,
        action="desk.contact.register",
        obj=request,
        after={"enterprise_id": enterprise.pk},
        federation_id=enterprise.federation_id,
    )
    return request


@transaction.atomic
def contact_decide(*, actor, request: ContactRequest, confirm: bool) -> ContactRequest:
    request = ContactRequest.objects.select_for_update().select_related("enterprise").get(pk=request.pk)
    if not may_confirm(actor, request.enterprise):
        raise PermissionDenied
    if request.status != ContactRequest.Status.PENDING:
        raise ValidationError(_("This registration has already been decided."))
    request.status = ContactRequest.Status.CONFIRMED if confirm else ContactRequest.Status.REFUSED
    request.decided_by = actor
    request.save(update_fields=["status", "decided_by"])
    if confirm:
        RoleAssignment.objects.get_or_create(
            user=request.user, role=Role.ENTERPRISE, enterprise=request.enterprise
        )
    audit.log(
        actor=actor,
        action="desk.contact.decide",
        obj=request,
        before={"status": ContactRequest.Status.PENDING},
        after={"status": request.status},
        federation_id=request.enterprise.federation_id,
    )
    return request
