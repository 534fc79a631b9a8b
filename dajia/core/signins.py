"""The one sign-in rule, for everything people sign in to by QR code: an order's session, a lecture.

An attendee's sign-in is a name and a union or workplace, nothing more, from a phone known by its server-issued
device id (``dajia.core.devices``). The rule, in :func:`sign_in`: one sign-in per device and parent (the same
phone twice counts once and gets its first sign-in back); only while the parent admits sign-ins and within its
window (:func:`window`: from ``DAJIA_SIGNIN_OPENS_MINUTES_BEFORE`` before the start to
``DAJIA_SIGNIN_CLOSES_MINUTES_AFTER`` after the end); at most the parent's capacity, the seats numbered 1, 2, 3…
Core imports no other app, so the caller passes the parent's facts in (:class:`Gate`) and must hold the parent's
row lock (``select_for_update`` inside its ``@transaction.atomic`` service): the lock serialises one parent's
sign-ins, so the count and the next seat are exact. The rows' table derives from :class:`SignInRecord` and
carries :func:`signin_constraints`, so the database keeps one sign-in per device and per seat whatever the code.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dajia.core import audit
from dajia.core.devices import clean_device
from dajia.core.inputs import clean_text
from dajia.core.validators import mask_name


class SignInRecord(models.Model):
    """The fields of one attendee's sign-in; the concrete model adds the foreign key to its parent and
    :func:`signin_constraints` for it."""

    device = models.CharField(max_length=64)
    seat = models.PositiveIntegerField(gettext_lazy("sign-in number"))
    name = models.CharField(gettext_lazy("name"), max_length=30)
    union_name = models.CharField(gettext_lazy("union or workplace"), max_length=120)
    signed_at = models.DateTimeField(gettext_lazy("signed in at"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


def signin_constraints(parent: str, prefix: str) -> list:
    """One sign-in per device and per seat of a parent, seats from 1 (``prefix`` names the constraints)."""
    return [
        models.UniqueConstraint(fields=[parent, "device"], name=f"{prefix}_one_per_device"),
        models.UniqueConstraint(fields=[parent, "seat"], name=f"{prefix}_one_per_seat"),
        models.CheckConstraint(condition=Q(seat__gte=1), name=f"{prefix}_seat_positive"),
    ]


def window(
    starts_at: datetime.datetime, ends_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """When sign-in is open for a parent held from ``starts_at`` to ``ends_at``."""
    before = datetime.timedelta(minutes=settings.DAJIA_SIGNIN_OPENS_MINUTES_BEFORE)
    after = datetime.timedelta(minutes=settings.DAJIA_SIGNIN_CLOSES_MINUTES_AFTER)
    return starts_at - before, ends_at + after


@dataclass(frozen=True)
class Gate:
    """The parent's facts the rule needs, read by the caller under the parent's row lock."""

    open: bool  # the parent's state admits sign-ins (an accepted order, a scheduled lecture…)
    opens: datetime.datetime | None  # None only while closed (a lecture not yet scheduled has no time)
    closes: datetime.datetime | None
    capacity: int
    federation_id: int | None


def sign_in(
    *,
    model: type[SignInRecord],
    parent: dict,
    gate: Gate,
    device: str,
    name: str,
    union_name: str,
    action: str,
    now: datetime.datetime | None = None,
) -> tuple[SignInRecord, bool]:
    """Sign ``device`` in to the parent ``parent`` names (``{"order": order}``) as a row of ``model``; returns
    the sign-in and whether it is new. ``action`` is the audit log's name for it."""
    if not transaction.get_connection().in_atomic_block:
        # Without the caller's transaction there is no row lock on the parent, and capacity would not hold.
        raise RuntimeError(
            "signins.sign_in must run inside the service's transaction, under the parent's lock"
        )
    device = clean_device(device)
    now = now or timezone.now()
    rows = model.objects.filter(**parent)
    existing = rows.filter(device=device).first()
    if existing is not None:
        return existing, False
    if not gate.open:
        raise ValidationError(_("Sign-in is not open for this session."))
    if now < gate.opens:
        raise ValidationError(
            _("Sign-in opens at %(t)s, 30 minutes before the start.")
            % {"t": timezone.localtime(gate.opens).strftime("%m-%d %H:%M")}
        )
    if now > gate.closes:
        raise ValidationError(
            _("Sign-in for this session closed at %(t)s.")
            % {"t": timezone.localtime(gate.closes).strftime("%m-%d %H:%M")}
        )
    errors: dict[str, list[str]] = {}
    try:
        name = clean_text(name, field="name", label=_("your name"), max_length=30)
    except ValidationError as e:
        errors.update(e.message_dict)
    try:
        union_name = clean_text(
            union_name, field="union_name", label=_("your union or workplace"), max_length=120
        )
    except ValidationError as e:
        errors.update(e.message_dict)
    if errors:
        raise ValidationError(errors)
    seat = rows.count() + 1
    if seat > gate.capacity:
        raise ValidationError(
            _(
                "This session is full: %(n)s people have signed in, as many as it has places. "
                "Please ask the organiser."
            )
            % {"n": gate.capacity}
        )
    try:
        with transaction.atomic():
            row = model.objects.create(
                **parent, device=device, seat=seat, name=name, union_name=union_name, signed_at=now
            )
    except IntegrityError:  # the same phone, twice at once (the seat is taken under the lock)
        existing = rows.filter(device=device).first()
        if existing is None:
            raise ValidationError(_("Many people are signing in at once. Please try again.")) from None
        return existing, False
    audit.log(
        actor=None,
        actor_label=_("attendee %(name)s") % {"name": mask_name(name)},
        action=action,
        obj=row,
        after={
            **{key: value.pk for key, value in parent.items()},
            "name": mask_name(name),
            "union_name": union_name,
        },
        federation_id=gate.federation_id,
    )
    return row, True
