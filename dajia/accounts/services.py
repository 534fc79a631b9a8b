"""Writes about people: logins with lockout, provider self-registration, password resets by the office."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.models import Role, RoleAssignment, User
from dajia.accounts.permissions import can_manage_federation
from dajia.core import audit
from dajia.core.validators import mobile_error, normalise_code, normalise_mobile, uscc_error
from dajia.orgs.models import Federation, Provider


class LoginLocked(Exception):
    def __init__(self, until: datetime.datetime):
        super().__init__(until)
        self.until = until


def _find_user(identifier: str) -> User | None:
    ident = (identifier or "").strip()
    if not ident:
        return None
    return User.objects.filter(Q(username=ident) | Q(mobile=normalise_mobile(ident))).first()


@transaction.atomic
def login_attempt(*, request, identifier: str, password: str) -> User | None:
    """Check a password, counting failures; after too many the account is locked for a while.

    Returns the user on success, None on a wrong password, and raises :class:`LoginLocked` while locked
    (even with the right password, so a guesser learns nothing from a locked account)."""
    user = _find_user(identifier)
    now = timezone.now()
    if user is not None:
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.locked_until and user.locked_until > now:
            raise LoginLocked(user.locked_until)
    authed = authenticate(request, username=identifier, password=password)
    if user is None:
        return None
    if authed is not None and authed.pk == user.pk:
        if user.failed_logins or user.locked_until:
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["failed_logins", "locked_until"])
        return authed
    user.failed_logins += 1
    if user.failed_logins >= settings.DAJIA_LOGIN_MAX_FAILURES:
        user.locked_until = now + datetime.timedelta(minutes=settings.DAJIA_LOGIN_LOCK_MINUTES)
        user.failed_logins = 0
        audit.log(action="accounts.user.locked", obj=user, after={"locked_until": user.locked_until})
    user.save(update_fields=["failed_logins", "locked_until"])
    return None


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
    """The office sets a temporary password (shown once) and unlocks the account; the person must change it
    at the next login."""
    if not any(can_manage_federation(actor, fid) for fid in user_federation_ids(user)):
        raise PermissionDenied
    temporary = secrets.token_urlsafe(9)
    user.set_password(temporary)
    user.failed_logins = 0
    user.locked_until = None
    user.must_change_password = True
    user.save(update_fields=["password", "failed_logins", "locked_until", "must_change_password"])
    audit.log(
        actor=actor,
        action="accounts.user.reset_password",
        obj=user,
        federation_id=min(user_federation_ids(user)),
    )
    return temporary


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
