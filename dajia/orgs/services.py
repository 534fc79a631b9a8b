"""Writes about organisations: a provider registers itself (its account with it), the office reviews it, and
providers and unions keep their own details."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dajia.accounts.models import Role, RoleAssignment, User
from dajia.accounts.permissions import can_manage_federation, provider_ids, require_office
from dajia.core import audit
from dajia.core.validators import mobile_error, normalise_code, normalise_mobile, uscc_error
from dajia.orgs.models import Federation, Provider


def _check_password_and_mobile(*, username: str, mobile: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if User.objects.filter(username=username).exists():
        errors["username"] = _("This username is already taken.")
    err = mobile_error(mobile)
    if err:
        errors["mobile"] = err
    elif User.objects.filter(mobile=normalise_mobile(mobile)).exists():
        errors["mobile"] = _("This mobile number is already registered.")
    return errors


@transaction.atomic
def provider_register(
    *,
    username: str,
    password: str,
    full_name: str,
    mobile: str,
    organisation_name: str,
    uscc: str,
    federation: Federation,
    address: str = "",
    introduction: str = "",
    has_union: bool = False,
) -> Provider:
    """A social organisation registers itself: an account plus the organisation, awaiting the office's
    approval before any of its projects can be submitted."""
    errors = _check_password_and_mobile(username=username, mobile=mobile)
    code = normalise_code(uscc)
    err = uscc_error(code)
    if err:
        errors["uscc"] = err
    elif Provider.objects.filter(uscc=code).exists():
        errors["uscc"] = _("An organisation with this credit code is already registered.")
    if Provider.objects.filter(name=organisation_name.strip()).exists():
        errors["organisation_name"] = _("An organisation with this name is already registered.")
    if errors:
        raise ValidationError(errors)
    user = User(username=username, mobile=normalise_mobile(mobile))
    user.last_name, user.first_name = full_name[:1], full_name[1:]
    user.set_password(password)
    user.save()
    provider = Provider.objects.create(
        name=organisation_name.strip(),
        uscc=code,
        federation=federation,
        contact_name=full_name,
        contact_mobile=normalise_mobile(mobile),
        address=address,
        introduction=introduction,
        has_union=has_union,
    )
    RoleAssignment.objects.create(user=user, role=Role.PROVIDER, provider=provider)
    audit.log(
        actor=user,
        action="orgs.provider.register",
        obj=provider,
        after=audit.snapshot(provider),
        federation_id=federation.pk,
    )
    audit.log(
        actor=user,
        action="accounts.user.create",
        obj=user,
        after=audit.snapshot(user),
        federation_id=federation.pk,
    )
    return provider


@transaction.atomic
def provider_review(*, actor, provider: Provider, approve: bool, reason: str = "") -> Provider:
    """The office approves a registered organisation, or rejects it with a reason."""
    require_office(actor, provider.federation_id)
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Please give a reason for the rejection.")})
    before = audit.snapshot(provider)
    provider.status = Provider.Status.APPROVED if approve else Provider.Status.REJECTED
    provider.status_reason = reason.strip()
    provider.save(update_fields=["status", "status_reason"])
    audit.log(
        actor=actor,
        action="orgs.provider.review",
        obj=provider,
        before=before,
        after=audit.snapshot(provider),
        federation_id=provider.federation_id,
    )
    return provider


EDITABLE_PROVIDER_FIELDS = ("contact_name", "contact_mobile", "address", "introduction", "has_union", "uscc")


@transaction.atomic
def provider_update(*, actor, provider: Provider, **changes) -> Provider:
    """A provider member edits its own organisation (or the office, for one it manages)."""
    if provider.pk not in provider_ids(actor) and not can_manage_federation(actor, provider.federation_id):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_PROVIDER_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    errors = {}
    if "uscc" in changes:
        changes["uscc"] = normalise_code(changes["uscc"])
        err = uscc_error(changes["uscc"])
        if err:
            errors["uscc"] = err
        elif Provider.objects.exclude(pk=provider.pk).filter(uscc=changes["uscc"]).exists():
            errors["uscc"] = _("An organisation with this credit code is already registered.")
    if "contact_mobile" in changes:
        err = mobile_error(changes["contact_mobile"])
        if err:
            errors["contact_mobile"] = err
        else:
            changes["contact_mobile"] = normalise_mobile(changes["contact_mobile"])
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(provider)
    for key, value in changes.items():
        setattr(provider, key, value)
    provider.save()
    audit.log(
        actor=actor,
        action="orgs.provider.update",
        obj=provider,
        before=before,
        after=audit.snapshot(provider),
        federation_id=provider.federation_id,
    )
    return provider


@transaction.atomic
def union_update(*, actor, union, members: int):
    """A chair keeps its own union's figures up to date (the office may too)."""
    from dajia.accounts.permissions import chair_union_ids

    if union.pk not in chair_union_ids(actor) and not can_manage_federation(actor, union.federation_id):
        raise PermissionDenied
    if members < 0:
        raise ValidationError({"members": _("The number of members cannot be negative.")})
    before = audit.snapshot(union)
    union.members = members
    union.save(update_fields=["members"])
    audit.log(
        actor=actor,
        action="orgs.union.update",
        obj=union,
        before=before,
        after=audit.snapshot(union),
        federation_id=union.federation_id,
    )
    return union
