"""Writes about people: provider self-registration, password resets and clearing failed logins by the office.

The login gate itself is in ``dajia.accounts.backends`` (every login path passes there) and its counters in
``dajia.core.ratelimit``; the office's lever on it is :func:`user_login_failures_clear`."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dajia.accounts.models import Role, RoleAssignment, User
from dajia.accounts.permissions import can_manage_federation
from dajia.core import audit, ratelimit
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


def user_federation_ids(user: User) -> set[int]:
    """The federations a user belongs to through any role (to decide which office may manage them)."""
    ids: set[int] = set()
    for r in user.roles.select_related("union", "provider"):
        if r.federation_id:
            ids.add(r.federation_id)
        if r.union_id:
            ids.add(r.union.federation_id)
        if r.provider_id:
            ids.add(r.provider.federation_id)
    return ids


@transaction.atomic
def user_reset_password(*, actor: User, user: User) -> str:
    """The office sets a temporary password (shown once) and clears the failed logins; the person must change
    it at the next login."""
    if not any(can_manage_federation(actor, fid) for fid in user_federation_ids(user)):
        raise PermissionDenied
    temporary = secrets.token_urlsafe(9)
    user.set_password(temporary)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    ratelimit.login_clear(account=ratelimit.login_account(user_id=user.pk, identifier=""))
    audit.log(
        actor=actor,
        action="accounts.user.reset_password",
        obj=user,
        federation_id=min(user_federation_ids(user)),
    )
    return temporary


@transaction.atomic
def user_login_failures_clear(*, actor: User, user: User) -> int:
    """The office forgets an account's failed logins, holds and delay (someone was refused after mistyping,
    or a stranger guessed); returns how many counters went."""
    fed_ids = user_federation_ids(user)
    if not any(can_manage_federation(actor, fid) for fid in fed_ids):
        raise PermissionDenied
    cleared = ratelimit.login_clear(account=ratelimit.login_account(user_id=user.pk, identifier=""))
    audit.log(
        actor=actor,
        action="accounts.user.clear_login_failures",
        obj=user,
        after={"counters": cleared},
        federation_id=min(fed_ids),
    )
    return cleared


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.log(actor=user, action="accounts.user.change_password", obj=user)


@transaction.atomic
def api_token_create(*, user: User, name: str) -> str:
    """Create an API token and return its key; only its hash is kept."""
    import hashlib

    from dajia.accounts.models import ApiToken

    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:60] or "API", key_hash=hashlib.sha256(key.encode()).hexdigest()
    )
    audit.log(actor=user, action="accounts.token.create", obj=token)
    return key
