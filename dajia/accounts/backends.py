"""The one way a password is checked: by username or mobile number, through the login gate.

Every login path — the site's form, ``/admin/login/``, ``Client.login`` in a shell — ends in Django's
``authenticate()``, which calls this backend, so the gate (``dajia.core.ratelimit``: per address and account,
and the account's delay) holds for all of them without each view repeating it. A refused attempt checks no
password; the refusal is left on the request (``request.dajia_login_refusal``) for the form to explain.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.utils.translation import gettext as _

from dajia.accounts.models import User
from dajia.accounts.services import user_federation_ids
from dajia.core import audit, ratelimit
from dajia.core.validators import normalise_mobile


def find_user(identifier: str) -> User | None:
    """The account a username or mobile number names, or None."""
    ident = (identifier or "").strip()
    if not ident:
        return None
    return User.objects.filter(Q(username=ident) | Q(mobile=normalise_mobile(ident))).first()


def refusal_message(refusal: ratelimit.LoginRefusal) -> str:
    """What a refused login is told, on the site's form and on the admin's."""
    if refusal.reason == "address":
        minutes = max(1, (refusal.retry_after + 59) // 60)
        return _(
            "Too many wrong passwords for this account from this address. Please try again in %(m)d minutes, "
            "or ask the union office to clear the failed logins."
        ) % {"m": minutes}
    return _("Too many wrong passwords for this account. Please wait %(s)d seconds and try again.") % {
        "s": refusal.retry_after
    }


class UsernameOrMobileBackend(ModelBackend):
    """Log in with a username or a mobile number, through the login gate."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = find_user(username)
        account = ratelimit.login_account(user_id=user.pk if user else None, identifier=username)
        address = ratelimit.client_address(request) if request is not None else "unknown"
        refusal = ratelimit.login_refusal(account=account, address=address)
        if refusal.refused:
            if request is not None:
                request.dajia_login_refusal = refusal
            return None
        if user is None:
            # The same work as a real check: no timing hint that the name is unknown.
            User().set_password(password)
            ratelimit.login_failed(account=account, address=address)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            ratelimit.login_succeeded(account=account, address=address)
            return user
        if ratelimit.login_failed(account=account, address=address):
            # In the office's audit log: someone at this address kept guessing this account's password.
            federations = user_federation_ids(user)
            audit.log(
                action="accounts.login.hold",
                obj=user,
                after={"address": address},
                actor_label=address,
                federation_id=min(federations) if federations else None,
            )
        return None
