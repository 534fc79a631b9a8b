"""Writes on the attendee's side of a session: sign-ins (one per server-issued device, at most the agreement's
capacity per session, numbered by seat under the order's row lock) and ratings (one per sign-in, and the chair's).

The device id comes from ``dajia.core.devices`` (the signed cookie); these functions take it as given and
never from the client's own choosing. The sign-in rule itself is ``dajia.core.signins.sign_in``, the one
implementation an order's session and a lecture (``dajia.lectures``) both call; this module passes it the
order's facts under the order's row lock.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.core import audit, signins
from dajia.core.devices import clean_device
from dajia.core.inputs import clean_text, normalise
from dajia.orders.models import Attendance, Order, Rating
from dajia.orders.services import _require_chair, _require_provider


def rating_days() -> int:
    return settings.DAJIA_RATING_DAYS


SIGNIN_STATES = ("accepted", "delivered", "confirmed")


@transaction.atomic
def attendance_sign_in(
    *, order: Order, device: str, name: str, union_name: str, now: datetime.datetime | None = None
) -> tuple[Attendance, bool]:
    """An attendee signs in from the session's QR code, under the one rule of ``dajia.core.signins`` (the
    lectures' too). The same phone signing in twice counts once: the second time returns the first sign-in
    (``created`` False)."""
    # The order's row lock serialises the sign-ins of one session, so the count and the next seat are exact.
    order = Order.objects.select_for_update().select_related("union", "agreement").get(pk=order.pk)
    opens, closes = order.signin_window()
    gate = signins.Gate(
        open=order.state in SIGNIN_STATES,
        opens=opens,
        closes=closes,
        capacity=order.agreement.capacity,
        federation_id=order.union.federation_id,
    )
    return signins.sign_in(
        model=Attendance,
        parent={"order": order},
        gate=gate,
        device=device,
        name=name,
        union_name=union_name,
        action="orders.attendance.sign_in",
        now=now,
    )


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
