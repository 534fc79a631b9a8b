"""Writes on orders (点单 → 派单 → 接单 → 评单), deliveries and union budgets (sign-ins and ratings:
``services_signins``).

Reserving a session (:func:`order_place`) locks the agreement row, then the union's quota row, then the union's
budget row — always in that order, so two writers never deadlock — and updates counters that CheckConstraints
bound: two chairs ordering the last session at the same moment get exactly one session between them. On SQLite
the connection begins transactions IMMEDIATE (settings), so writers are serialised; on PostgreSQL
``SELECT … FOR UPDATE`` makes the second writer wait and then read the first one's counters.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation, chair_union_ids, provider_ids, require_office
from dajia.agreements.models import Agreement, AgreementQuota
from dajia.core import audit, uploads
from dajia.core.inputs import clean_money, clean_text, clean_whole
from dajia.core.money import yuan
from dajia.orders import workbench
from dajia.orders.models import (
    HOLDING_STATES,
    Delivery,
    DeliveryPhoto,
    Order,
    UnionBudget,
)
from dajia.orgs.models import Federation

OPEN_STATES = ("ordered", "dispatched", "accepted", "proposed")


def cancel_hours() -> int:
    return settings.DAJIA_ORDER_CANCEL_HOURS


def lead_hours() -> int:
    return settings.DAJIA_ORDER_LEAD_HOURS


def _aware(value, *, field: str, label: str) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ValidationError({field: _("%(label)s must be a date and time.") % {"label": label}})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _federation_of(order: Order) -> int:
    return order.union.federation_id


def _log(actor, action: str, order: Order, before: dict | None, after: dict | None, **kw) -> None:
    audit.log(
        actor=actor,
        action=action,
        obj=order,
        before=before,
        after=after,
        federation_id=_federation_of(order),
        **kw,
    )


def _lock_order(order: Order) -> Order:
    return (
        Order.objects.select_for_update()
        .select_related("union", "project__provider", "agreement")
        .get(pk=order.pk)
    )


def _snap(order: Order) -> dict:
    return audit.snapshot(
        order,
        ["state", "state_reason", "starts_at", "ends_at", "place", "expected_audience", "proposed_starts_at"],
    )


def _require_chair(actor, order_or_union_id) -> None:
    union_id = getattr(order_or_union_id, "union_id", order_or_union_id)
    if union_id not in chair_union_ids(actor):
        raise PermissionDenied(_("Only the chair of this order's union may do this."))


def _require_provider(actor, order: Order) -> None:
    if order.project.provider_id not in provider_ids(actor):
        raise PermissionDenied(_("Only the social organisation delivering this order may do this."))


def _ancestor_ids(federation_id: int) -> set[int]:
    ids = set()
    current = federation_id
    while current is not None and current not in ids:
        ids.add(current)
        current = Federation.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return ids


def bookable_agreements(union, project=None):
    """Agreements in force that a union may order from (its own federation's or one above it)."""
    qs = Agreement.objects.filter(
        state=Agreement.State.ACTIVE, federation_id__in=_ancestor_ids(union.federation_id)
    )
    if project is not None:
        qs = qs.filter(project=project)
    return qs


def _new_number(now: datetime.datetime) -> str:
    return f"D{timezone.localtime(now):%Y%m%d}-{secrets.token_hex(3).upper()}"


def _check_clash(agreement: Agreement, starts_at, ends_at, *, exclude: int | None = None) -> None:
    clash = Order.objects.filter(
        project_id=agreement.project_id,
        state__in=HOLDING_STATES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(
            {
                "starts_at": _(
                    "The provider already has a session of this project at that time. Please choose another time."
                )
            }
        )


def _check_period(agreement: Agreement, starts_at, *, field: str = "starts_at") -> None:
    day = timezone.localdate(starts_at)
    if not agreement.starts_on <= day <= agreement.ends_on:
        raise ValidationError(
            {
                field: _("The date must be within the agreement's period, %(a)s to %(b)s.")
                % {"a": agreement.starts_on.isoformat(), "b": agreement.ends_on.isoformat()}
            }
        )


@transaction.atomic
def order_place(
    *,
    actor,
    union,
    project,
    starts_at: datetime.datetime,
    place: str,
    expected_audience,
    notes: str = "",
    now: datetime.datetime | None = None,
) -> Order:
    """点单: a chair orders one session of ``project`` for its union, reserving it on an agreement in force."""
    _require_chair(actor, union.pk)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}

    def attempt(fn):
        try:
            return fn()
        except ValidationError as e:
            for field, msgs in e.message_dict.items():
                errors.setdefault(field, []).extend(msgs)
            return None

    starts_at = attempt(lambda: _aware(starts_at, field="starts_at", label=_("The start")))
    place = attempt(lambda: clean_text(place, field="place", label=_("the place"), max_length=200))
    notes = attempt(
        lambda: clean_text(notes, field="notes", label=_("the notes"), max_length=1000, required=False)
    )
    audience = attempt(
        lambda: clean_whole(
            expected_audience,
            field="expected_audience",
            label=_("The expected audience"),
            minimum=1,
            maximum=10000,
        )
    )
    if starts_at is not None and starts_at < now + datetime.timedelta(hours=lead_hours()):
        errors.setdefault("starts_at", []).append(
            _("Please order at least %(h)s hours ahead, so the provider can prepare.") % {"h": lead_hours()}
        )
    if errors:
        raise ValidationError(errors)

    # Lock every agreement this union could use for the project, then pick the first with a session left.
    candidates = list(bookable_agreements(union, project).select_for_update().order_by("ends_on", "pk"))
    if not candidates:
        raise ValidationError(_("This project has no agreement in force that your union can order from."))
    agreement = None
    quota = None
    reasons: list[str] = []
    for candidate in candidates:
        if candidate.sessions_left <= 0:
            reasons.append(
                _("All %(n)s sessions of agreement %(no)s are taken.")
                % {"n": candidate.sessions, "no": candidate.number}
            )
            continue
        if candidate.allocation == Agreement.Allocation.ALLOCATED:
            q = AgreementQuota.objects.select_for_update().filter(agreement=candidate, union=union).first()
            if q is None:
                reasons.append(
                    _("Your union has no quota under agreement %(no)s.") % {"no": candidate.number}
                )
                continue
            if q.booked >= q.sessions:
                reasons.append(
                    _("Your union has used its whole quota (%(n)s sessions) under agreement %(no)s.")
                    % {"n": q.sessions, "no": candidate.number}
                )
                continue
            quota = q
        agreement = candidate
        break
    if agreement is None:
        raise ValidationError(" ".join(reasons))
    _check_period(agreement, starts_at)
    if audience > agreement.capacity:
        raise ValidationError(
            {
                "expected_audience": _("At most %(n)s people per session under this agreement.")
                % {"n": agreement.capacity}
            }
        )
    ends_at = starts_at + datetime.timedelta(minutes=project.duration_minutes or 90)
    _check_clash(agreement, starts_at, ends_at)
    cost = agreement.unit_price
    budget = None
    if cost > 0:
        year = timezone.localtime(starts_at).year
        budget = UnionBudget.objects.select_for_update().filter(union=union, year=year).first()
        if budget is None:
            raise ValidationError(
                _("No budget is set for your union for %(year)s. Please ask the union office.")
                % {"year": year}
            )
        if budget.committed + cost > budget.amount:
            raise ValidationError(
                _("This session costs %(cost)s but your union has %(left)s left of its %(year)s budget.")
                % {"cost": yuan(cost), "left": yuan(budget.remaining), "year": year}
            )
    try:
        with transaction.atomic():
            Agreement.objects.filter(pk=agreement.pk).update(sessions_booked=F("sessions_booked") + 1)
            if quota is not None:
                AgreementQuota.objects.filter(pk=quota.pk).update(booked=F("booked") + 1)
            if budget is not None:
                UnionBudget.objects.filter(pk=budget.pk).update(committed=F("committed") + cost)
            order = Order.objects.create(
                number=_new_number(now),
                agreement=agreement,
                project=project,
                union=union,
                quota=quota,
                budget=budget,
                ordered_by=actor,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                expected_audience=audience,
                notes=notes,
                cost=cost,
            )
    except IntegrityError:  # a bound was reached by a concurrent writer: the constraints said no
        raise ValidationError(
            _("Someone else has just taken the last session. Please refresh and try again.")
        ) from None
    _log(actor, "orders.order.place", order, None, audit.snapshot(order))
    return order


def _release(order: Order) -> None:
    """Give back the order's session, quota and budget (locks in the same order as :func:`order_place`)."""
    Agreement.objects.filter(pk=order.agreement_id).update(sessions_booked=F("sessions_booked") - 1)
    if order.quota_id:
        AgreementQuota.objects.filter(pk=order.quota_id).update(booked=F("booked") - 1)
    if order.budget_id:
        UnionBudget.objects.filter(pk=order.budget_id).update(committed=F("committed") - order.cost)


@transaction.atomic
def order_dispatch(*, actor, order: Order) -> Order:
    """派单: the office passes an order to the provider under its agreement."""
    order = _lock_order(order)
    require_office(actor, _federation_of(order))
    if order.state != Order.State.ORDERED:
        raise ValidationError(
            _("Only a new order can be dispatched (this one is %(state)s).")
            % {"state": order.get_state_display()}
        )
    if order.agreement.state != Agreement.State.ACTIVE:
        raise ValidationError(_("The agreement of this order is not in force."))
    before = _snap(order)
    order.state = Order.State.DISPATCHED
    order.dispatched_at = timezone.now()
    order.dispatched_by = actor
    order.save(update_fields=["state", "dispatched_at", "dispatched_by"])
    _log(actor, "orders.order.dispatch", order, before, _snap(order))
    workbench.notify_dispatched(order, actor=actor)
    return order


@transaction.atomic
def order_accept(*, actor, order: Order) -> Order:
    """接单: the provider accepts a dispatched order."""
    order = _lock_order(order)
    _require_provider(actor, order)
    if order.state != Order.State.DISPATCHED:
        raise ValidationError(
            _("Only a dispatched order can be accepted (this one is %(state)s).")
            % {"state": order.get_state_display()}
        )
    before = _snap(order)
    order.state = Order.State.ACCEPTED
    order.accepted_at = timezone.now()
    order.save(update_fields=["state", "accepted_at"])
    _log(actor, "orders.order.accept", order, before, _snap(order))
    workbench.notify_answered(order, actor=actor)
    return order


@transaction.atomic
def order_decline(
    *, actor, order: Order, reason: str, proposed_starts_at: datetime.datetime | None = None, now=None
) -> Order:
    """The provider declines with a reason; with a proposed time the session stays reserved until the chair
    accepts the new time or cancels; without one it is released."""
    order = _lock_order(order)
    _require_provider(actor, order)
    if order.state != Order.State.DISPATCHED:
        raise ValidationError(
            _("Only a dispatched order can be declined (this one is %(state)s).")
            % {"state": order.get_state_display()}
        )
    reason = clean_text(reason, field="reason", label=_("the reason"), max_length=300)
    now = now or timezone.now()
    before = _snap(order)
    if proposed_starts_at is not None:
        proposed = _aware(proposed_starts_at, field="proposed_starts_at", label=_("The proposed time"))
        if proposed <= now:
            raise ValidationError({"proposed_starts_at": _("The proposed time must be in the future.")})
        if timezone.localtime(proposed).year != timezone.localtime(order.starts_at).year:
            raise ValidationError(
                {"proposed_starts_at": _("Please propose a time in the same year as the order.")}
            )
        _check_period(order.agreement, proposed, field="proposed_starts_at")
        _check_clash(
            order.agreement, proposed, proposed + (order.ends_at - order.starts_at), exclude=order.pk
        )
        order.state = Order.State.PROPOSED
        order.proposed_starts_at = proposed
    else:
        order.state = Order.State.DECLINED
        order.cancelled_at = now
        _release(order)
    order.state_reason = reason
    order.save()
    _log(actor, "orders.order.decline", order, before, _snap(order))
    workbench.notify_answered(order, actor=actor)
    return order


@transaction.atomic
def order_accept_proposal(*, actor, order: Order) -> Order:
    """The chair takes the provider's proposed time: the order is accepted at that time."""
    order = _lock_order(order)
    _require_chair(actor, order)
    if order.state != Order.State.PROPOSED or order.proposed_starts_at is None:
        raise ValidationError(_("There is no proposed time to accept."))
    list(Agreement.objects.select_for_update().filter(pk=order.agreement_id).values_list("pk", flat=True))
    duration = order.ends_at - order.starts_at
    _check_clash(
        order.agreement, order.proposed_starts_at, order.proposed_starts_at + duration, exclude=order.pk
    )
    before = _snap(order)
    order.starts_at = order.proposed_starts_at
    order.ends_at = order.starts_at + duration
    order.proposed_starts_at = None
    order.state = Order.State.ACCEPTED
    order.accepted_at = timezone.now()
    order.save()
    _log(actor, "orders.order.accept_proposal", order, before, _snap(order))
    return order


@transaction.atomic
def cancel_refusal(*, order: Order, office: bool, now: datetime.datetime | None = None) -> str | None:
    """Why this order cannot be cancelled now (by the office, or else by its chair), or None if it can. The one
    rule: the service enforces it and the order page shows the cancel form only when it returns None."""
    if order.state not in OPEN_STATES:
        return _("This order can no longer be cancelled (it is %(state)s).") % {
            "state": order.get_state_display()
        }
    now = now or timezone.now()
    if (
        not office
        and order.state != Order.State.PROPOSED
        and order.starts_at - now < datetime.timedelta(hours=cancel_hours())
    ):
        return _(
            "Orders can be cancelled up to %(h)s hours before the start. Please contact the union office."
        ) % {"h": cancel_hours()}
    return None


def order_cancel(*, actor, order: Order, reason: str, now: datetime.datetime | None = None) -> Order:
    """Cancel with a reason. A chair may cancel up to ``DAJIA_ORDER_CANCEL_HOURS`` (48) hours before the start
    (or any time while the provider proposes another time); the office may cancel at any time."""
    order = _lock_order(order)
    office = can_manage_federation(actor, _federation_of(order))
    chair = order.union_id in chair_union_ids(actor)
    if not (office or chair):
        raise PermissionDenied(
            _("Only the ordering union's chair or the union office may cancel this order.")
        )
    refusal = cancel_refusal(order=order, office=office, now=now)
    if refusal:
        raise ValidationError(refusal)
    reason = clean_text(reason, field="reason", label=_("the reason"), max_length=300)
    now = now or timezone.now()
    before = _snap(order)
    _release(order)
    order.state = Order.State.CANCELLED
    order.state_reason = reason
    order.cancelled_at = now
    order.save(update_fields=["state", "state_reason", "cancelled_at"])
    _log(actor, "orders.order.cancel", order, before, _snap(order))
    workbench.notify_cancelled([order], actor=actor, was=before["state"])
    return order


def orders_cancel_for_agreement(*, actor, agreement: Agreement, reason: str) -> int:
    """Cancel the open orders of an agreement being voided or terminated (called inside its transaction)."""
    cancelled = []
    for order in (
        Order.objects.select_for_update()
        .filter(agreement=agreement, state__in=OPEN_STATES)
        .select_related("union", "project")
    ):
        before = _snap(order)
        _release(order)
        order.state = Order.State.CANCELLED
        order.state_reason = reason[:300]
        order.cancelled_at = timezone.now()
        order.save(update_fields=["state", "state_reason", "cancelled_at"])
        _log(
            actor,
            "orders.order.cancel",
            order,
            before,
            _snap(order),
            actor_label="" if actor else _("agreement closed"),
        )
        cancelled.append(order)
    workbench.notify_cancelled(cancelled, actor=actor)
    return len(cancelled)


def cancel_on_agreement_closed(sender, *, agreement: Agreement, actor, reason: str, **kwargs) -> int:
    """Receiver of ``dajia.agreements.signals.agreement_closed`` (connected in ``OrdersConfig.ready``)."""
    return orders_cancel_for_agreement(actor=actor, agreement=agreement, reason=reason)


@transaction.atomic
def delivery_record(
    *,
    actor,
    order: Order,
    started_at: datetime.datetime,
    ended_at: datetime.datetime,
    content: str,
    photos: list | None = None,
    now: datetime.datetime | None = None,
) -> Delivery:
    """The provider records the delivered session (times, content, photos)."""
    order = _lock_order(order)
    _require_provider(actor, order)
    if order.state != Order.State.ACCEPTED:
        raise ValidationError(
            _("Only an accepted order can be recorded as delivered (this one is %(state)s).")
            % {"state": order.get_state_display()}
        )
    now = now or timezone.now()
    started_at = _aware(started_at, field="started_at", label=_("The start"))
    ended_at = _aware(ended_at, field="ended_at", label=_("The end"))
    content = clean_text(content, field="content", label=_("what was delivered"), max_length=4000)
    if ended_at <= started_at:
        raise ValidationError({"ended_at": _("The end must be after the start.")})
    if started_at > now:
        raise ValidationError({"started_at": _("A session can be recorded only once it has started.")})
    if abs(started_at - order.starts_at) > datetime.timedelta(hours=12):
        raise ValidationError(
            {"started_at": _("The start is far from the ordered time; please check the date.")}
        )
    # Every photo is checked (and stripped of its metadata) before anything is written, so a refused one leaves
    # neither a record nor a file behind.
    photos = uploads.clean_images(photos, max_count=settings.DAJIA_DELIVERY_PHOTOS_MAX, field="photos")
    delivery = Delivery.objects.create(
        order=order, started_at=started_at, ended_at=ended_at, content=content, recorded_by=actor
    )
    for photo in photos:
        DeliveryPhoto.objects.create(delivery=delivery, image=photo)
    before = _snap(order)
    order.state = Order.State.DELIVERED
    order.save(update_fields=["state"])
    _log(
        actor,
        "orders.delivery.record",
        order,
        before,
        {
            **_snap(order),
            **audit.snapshot(delivery, ["started_at", "ended_at", "content"]),
            "photos": len(photos),
        },
    )
    return delivery


@transaction.atomic
def delivery_confirm(*, actor, order: Order) -> Order:
    """The chair of the ordering union confirms the delivery (评单): the session counts for settlement."""
    order = _lock_order(order)
    _require_chair(actor, order)
    if order.state != Order.State.DELIVERED:
        raise ValidationError(
            _("Only a delivered session can be confirmed (this one is %(state)s).")
            % {"state": order.get_state_display()}
        )
    before = _snap(order)
    order.state = Order.State.CONFIRMED
    order.confirmed_at = timezone.now()
    order.confirmed_by = actor
    order.save(update_fields=["state", "confirmed_at", "confirmed_by"])
    _log(actor, "orders.delivery.confirm", order, before, _snap(order))
    return order


@transaction.atomic
def budget_set(*, actor, union, year, amount) -> UnionBudget:
    """The office sets a union's budget for a year (never below what its orders already commit)."""
    require_office(actor, union.federation_id)
    year = clean_whole(year, field="year", label=_("The year"), minimum=2000, maximum=2100)
    amount = clean_money(amount, field="amount", label=_("The budget"))
    budget = UnionBudget.objects.select_for_update().filter(union=union, year=year).first()
    before = audit.snapshot(budget, ["amount"]) if budget else None
    if budget is None:
        budget = UnionBudget(union=union, year=year, amount=amount)
    if amount < budget.committed:
        raise ValidationError(
            {
                "amount": _("Orders already commit %(c)s of this budget; it cannot be lower.")
                % {"c": yuan(budget.committed)}
            }
        )
    budget.amount = amount
    budget.save()
    audit.log(
        actor=actor,
        action="orders.budget.set",
        obj=budget,
        before=before,
        after=audit.snapshot(budget, ["union", "year", "amount"]),
        federation_id=union.federation_id,
    )
    return budget
