"""Writes about people: password resets, API tokens and clearing failed logins by the office (a provider's
self-registration creates an organisation, so it lives in ``dajia.orgs.services``).

The login gate itself is in ``dajia.accounts.backends`` (every login path passes there) and its counters in
``dajia.core.ratelimit``; the office's lever on it is :func:`user_login_failures_clear`."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dajia.accounts.models import User
from dajia.accounts.permissions import can_manage_federation
from dajia.core import audit, ratelimit


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
