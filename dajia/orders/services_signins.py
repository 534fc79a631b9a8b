"""Writes on the attendee's side of a session: sign-ins (one per server-issued device, at most the agreement's
capacity per session, numbered by seat under the order's row lock) and ratings (one per sign-in, and the chair's).

The device id comes from ``dajia.orders.devices`` (the signed cookie); these functions take it as given and
never from the client's own choosing. A later sign-in for lectures can follow the same pattern: device from
the cookie, capacity checked under the parent row's lock, a seat unique per parent.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.core import audit
from dajia.core.inputs import clean_text, normalise
from dajia.core.validators import mask_name
from dajia.orders.models import Attendance, Order, Rating
from dajia.orders.services import _require_chair, _require_provider

DEVICE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def rating_days() -> int:
    return settings.DAJIA_RATING_DAYS


def clean_device(device) -> str:
    device = str(device or "").strip()
    if not DEVICE_RE.match(device):
        raise ValidationError(
            _("This phone could not be recognised. Please allow cookies and reload the page.")
        )
    return device


SIGNIN_STATES = ("accepted", "delivered", "confirmed")


@transaction.atomic
def attendance_sign_in(
    *, order: Order, device: str, name: str, union_name: str, now: datetime.datetime | None = None
) -> tuple[Attendance, bool]:
    """An attendee signs in from the session's QR code. The same phone signing in twice counts once: the second
    time returns the first sign-in (``created`` False)."""
    device = clean_device(device)
    now = now or timezone.now()
    # The order's row lock serialises the sign-ins of one session, so the count and the next seat are exact.
    order = Order.objects.select_for_update().select_related("union", "agreement").get(pk=order.pk)
    existing = Attendance.objects.filter(order=order, device=device).first()
    if existing is not None:
        return existing, False
    if order.state not in SIGNIN_STATES:
        raise ValidationError(_("Sign-in is not open for this session."))
    opens, closes = order.signin_window()
    if now < opens:
        raise ValidationError(
            _("Sign-in opens at %(t)s, 30 minutes before the start.")
            % {"t": timezone.localtime(opens).strftime("%m-%d %H:%M")}
        )
    if now > closes:
        raise ValidationError(
            _("Sign-in for this session closed at %(t)s.")
            % {"t": timezone.localtime(closes).strftime("%m-%d %H:%M")}
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
    capacity = order.agreement.capacity
    seat = Attendance.objects.filter(order=order).count() + 1
    if seat > capacity:
        raise ValidationError(
            _(
                "This session is full: %(n)s people have signed in, as many as it has places. "
                "Please ask the organiser."
            )
            % {"n": capacity}
        )
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                order=order, device=device, seat=seat, name=name, union_name=union_name, signed_at=now
            )
    except IntegrityError:  # the same phone, twice at once (the seat is taken under the lock)
        existing = Attendance.objects.filter(order=order, device=device).first()
        if existing is None:
            raise ValidationError(_("Many people are signing in at once. Please try again.")) from None
        return existing, False
    audit.log(
        actor=None,
        actor_label=_("attendee %(name)s") % {"name": mask_name(name)},
        action="orders.attendance.sign_in",
        obj=attendance,
        after={"order": order.pk, "name": mask_name(name), "union_name": union_name},
        federation_id=order.union.federation_id,
    )
    return attendance, True


def _stars(value) -> int:
    raw = normalise(value, cell=True)
    if raw not in {"1", "2", "3", "4", "5"}:
        raise ValidationError({"stars": _("Please choose a rating from 1 to 5 stars.")})
    return int(raw)


RATING_STATES = ("accepted", "delivered", "confirmed")


def _rating_window(order: Order, now) -> None:
    if order.state not in RATING_STATES:
        raise ValidationError(_("This session cannot be rated."))
    if now < order.starts_at:
        raise ValidationError(_("The session can be rated once it has started."))
    if now > order.ends_at + datetime.timedelta(days=rating_days()):
        raise ValidationError(
            _("Ratings for this session closed %(d)s days after it ended.") % {"d": rating_days()}
        )


@transaction.atomic
def rating_submit(
    *,
    order: Order,
    stars,
    comment: str = "",
    complaint: bool = False,
    device: str = "",
    actor=None,
    now: datetime.datetime | None = None,
) -> Rating:
    """A rating from an attendee's phone (``device``: the rating belongs to its sign-in, so there is none
    without one) or from the ordering union's chair (``actor``). One each; a second rating replaces the first
    until the provider has replied."""
    now = now or timezone.now()
    order = Order.objects.select_related("union").get(pk=order.pk)
    if actor is not None and getattr(actor, "is_authenticated", False) and not device:
        _require_chair(actor, order)
        role = Rating.Role.CHAIR
        lookup = {"order": order, "role": role}
        label = ""
    else:
        device = clean_device(device)
        attendance = Attendance.objects.filter(order=order, device=device).first()
        if attendance is None:
            raise ValidationError(_("Please sign in to the session on this phone before rating it."))
        role = Rating.Role.ATTENDEE
        lookup = {"order": order, "role": role, "attendance": attendance}
        actor = None
        label = _("attendee")
    _rating_window(order, now)
    stars = _stars(stars)
    comment = clean_text(comment, field="comment", label=_("the comment"), max_length=500, required=False)
    rating = Rating.objects.select_for_update().filter(**lookup).first()
    before = None
    if rating is not None:
        if rating.replied_at:
            raise ValidationError(_("The provider has replied to your rating; it can no longer be changed."))
        before = audit.snapshot(rating, ["stars", "comment", "complaint"])
    else:
        rating = Rating(**lookup, rated_by=actor, created_at=now)
    rating.stars = stars
    rating.comment = comment
    rating.complaint = bool(complaint)
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise ValidationError(
            _("This rating was just sent from another window. Please reload the page.")
        ) from None
    audit.log(
        actor=actor,
        actor_label=label,
        action="orders.rating.submit",
        obj=rating,
        before=before,
        after=audit.snapshot(rating, ["order", "role", "stars", "comment", "complaint"]),
        federation_id=order.union.federation_id,
    )
    return rating


@transaction.atomic
def rating_reply(*, actor, rating: Rating, reply: str) -> Rating:
    """The provider replies to a rating, once."""
    rating = (
        Rating.objects.select_for_update().select_related("order__project", "order__union").get(pk=rating.pk)
    )
    _require_provider(actor, rating.order)
    if rating.replied_at:
        raise ValidationError(_("You have already replied to this rating."))
    rating.reply = clean_text(reply, field="reply", label=_("the reply"), max_length=500)
    rating.replied_at = timezone.now()
    rating.replied_by = actor
    rating.save(update_fields=["reply", "replied_at", "replied_by"])
    audit.log(
        actor=actor,
        action="orders.rating.reply",
        obj=rating,
        after=audit.snapshot(rating, ["reply", "replied_at"]),
        federation_id=rating.order.union.federation_id,
    )
    return rating
