"""The SMS step of a provider's self-registration: the number is proven before the account exists.

It uses the one one-time-code rule of every app (``dajia.core.codes``: code generation, keyed hashes, the
code's validity and attempts, the text through the pluggable SMS sender) and the one rate limiter
(``dajia.core.ratelimit``: per client address and per number).

Whether a number is already registered is told only to the phone that holds it: for a taken number the
message says so and no usable code is sent, while the page answers exactly as for a free number.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.models import RegistrationCode, User
from dajia.core import audit, ratelimit
from dajia.core.codes import (
    CodeOutcome,
    clean_code,
    code_minutes,
    judge_code,
    keep_days,
    keyed,
    new_code,
    send_text,
)
from dajia.core.inputs import clean_mobile
from dajia.core.ratelimit import RateLimited
from dajia.core.validators import mask_mobile

HOUR = 3600


def mobile_token(number: str) -> str:
    """The keyed hash a registration code is filed under (and that a browser keeps once it proved the number)."""
    return keyed("register", number)


def _code_hash(number: str, code: str) -> str:
    return keyed(f"register-code:{number}", code)


def _enforce(*, key: str, limit: int) -> None:
    verdict = ratelimit.hit(key=key, limit=limit, window=HOUR)
    if verdict.refused:
        raise RateLimited(
            _("Too many requests. Please try again in %(s)d seconds.") % {"s": verdict.retry_after},
            retry_after=verdict.retry_after,
        )


def registration_code_limits(*, mobile: str, ip: str) -> None:
    """Count a code request per address and per number (committed at once, so refused ones count too);
    raises :class:`RateLimited` beyond ``DAJIA_REGISTER_CODES_PER_ADDRESS`` / ``…_PER_MOBILE`` an hour."""
    _enforce(key=f"register_ip:{ip}", limit=settings.DAJIA_REGISTER_CODES_PER_ADDRESS)
    _enforce(
        key=f"register_mobile:{ratelimit.subject_token(mobile)}",
        limit=settings.DAJIA_REGISTER_CODES_PER_MOBILE,
    )


@transaction.atomic
def registration_code_send(*, mobile: str, ip: str | None) -> str:
    """Text a code to ``mobile`` (or, when it is registered already, a note saying so); returns the masked
    number. Call :func:`registration_code_limits` first, outside this transaction."""
    number = clean_mobile(mobile)
    now = timezone.now()
    hashed = mobile_token(number)
    # Numbers and addresses are kept no longer than the live page's codes (个人信息保护法).
    RegistrationCode.objects.filter(created_at__lt=now - datetime.timedelta(days=keep_days())).delete()
    RegistrationCode.objects.filter(mobile_hash=hashed, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    code = new_code()
    taken = User.objects.filter(mobile=number).exists()
    masked = mask_mobile(number)
    row = RegistrationCode.objects.create(
        mobile_hash=hashed,
        mobile_masked=masked,
        # A taken number's code is never sent, so nobody can pass the step with it.
        code_hash=_code_hash(number, new_code() if taken else code),
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=code_minutes()),
        ip=ip,
    )
    event, params = ("registration_number_taken", {}) if taken else ("registration_code", {"code": code})
    if taken:
        text = _(
            "[Dajia] Someone tried to register a new account with this number, which already has one. "
            "Please log in with it; the union office can reset your password. Ignore this message if it was "
            "not you."
        )
    else:
        text = _(
            "[Dajia] Your registration code is %(code)s, valid for %(minutes)d minutes. Do not share it. "
            "Ignore this message if you did not ask for it."
        ) % {"code": code, "minutes": code_minutes()}
    send_text(number, text, event=event, params={**params, "minutes": code_minutes()} if params else params)
    audit.log(
        action="accounts.register.code_send",
        obj=row,
        after={"mobile": masked, "taken": taken, "ip": ip},
        actor_label=masked,
    )
    return masked


@transaction.atomic
def registration_code_verify(*, mobile: str, code: str) -> CodeOutcome:
    """Check the code sent to ``mobile`` (used once; expired, used up or wrong: refused with the reason, the
    wrong attempt counted, which is why this returns instead of raising). A malformed number or code counts
    nothing and raises ValidationError."""
    number = clean_mobile(mobile)
    entered = clean_code(code)
    now = timezone.now()
    row = (
        RegistrationCode.objects.select_for_update()
        .filter(mobile_hash=mobile_token(number))
        .order_by("-created_at", "-id")
        .first()
    )
    refused = judge_code(row, _code_hash(number, entered), now)
    if refused is not None:
        return refused
    audit.log(
        action="accounts.register.code_verify",
        obj=row,
        after={"mobile": row.mobile_masked},
        actor_label=row.mobile_masked,
    )
    return CodeOutcome(ok=True)
