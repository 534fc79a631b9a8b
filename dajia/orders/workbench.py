"""What orders contribute to the workbench (orders waiting for someone) and to the notifications (the order
events that need someone: dispatched → the provider; accepted, declined, cancelled → the union's chair)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import chair_union_ids, provider_ids
from dajia.notifications.services import Notice, chairs_of, members_of, notifications_send, notify
from dajia.orders.models import PROVIDER_VISIBLE, Order, Rating
from dajia.orders.selectors import office_orders
from dajia.workbench.registry import Group, Item, group

ITEM_FIELDS = ("pk", "number", "project__title", "union__name", "starts_at")  # what an item prints


def _item(row: dict) -> Item:
    when = timezone.localtime(row["starts_at"]).strftime("%Y-%m-%d %H:%M")
    return Item(
        title=f"{row['number']} {row['project__title']}",
        url=reverse("orders:detail", args=[row["pk"]]),
        detail=f"{row['union__name']} · {when}",
    )


def _orders(base=Order.objects, **filters):
    return base.filter(**filters).order_by("starts_at", "id").values(*ITEM_FIELDS)


def office(user) -> list[Group]:
    return [
        group(
            "orders_to_dispatch",
            _("Orders to dispatch"),
            _orders(office_orders(user), state=Order.State.ORDERED),
            _item,
            url=reverse("orders:overview"),
            order=20,
        )
    ]


def chair(user) -> list[Group]:
    unions = chair_union_ids(user)
    return [
        group(
            "orders_to_confirm",
            _("New times proposed by providers"),
            _orders(state=Order.State.PROPOSED, union_id__in=unions),
            _item,
            url=reverse("orders:list"),
            order=10,
        ),
        group(
            "deliveries_to_confirm",
            _("Deliveries to confirm"),
            _orders(state=Order.State.DELIVERED, union_id__in=unions),
            _item,
            url=reverse("orders:list"),
            order=11,
        ),
    ]


def _rating_item(rating: Rating) -> Item:
    return Item(
        title=f"{rating.order.number} {rating.order.project.title}",
        url=reverse("orders:detail", args=[rating.order_id]),
        detail="★" * rating.stars,
    )


def provider(user) -> list[Group]:
    providers = provider_ids(user)
    return [
        group(
            "orders_to_accept",
            _("Orders to accept"),
            _orders(state=Order.State.DISPATCHED, project__provider_id__in=providers),
            _item,
            url=reverse("orders:list"),
            order=10,
        ),
        group(
            "deliveries_to_record",
            _("Deliveries to record"),
            _orders(
                state=Order.State.ACCEPTED, project__provider_id__in=providers, starts_at__lte=timezone.now()
            ),
            _item,
            url=reverse("orders:list"),
            order=11,
        ),
        group(
            "ratings_to_reply",
            _("Ratings to reply to"),
            Rating.objects.filter(order__project__provider_id__in=providers, reply="")
            .filter(~Q(comment="") | Q(complaint=True))
            .select_related("order__project")
            .order_by("-created_at", "-id"),
            _rating_item,
            order=40,
        ),
    ]


def _params(order: Order) -> dict:
    return {"number": order.number, "project": order.project.title[:20]}


def notify_dispatched(order: Order, *, actor) -> None:
    notify(
        event="order_dispatched",
        key=f"order_dispatched:{order.pk}",
        text=_("Order %(number)s (%(project)s) has been dispatched to you: please accept or decline it."),
        params=_params(order),
        url=reverse("orders:detail", args=[order.pk]),
        audience=members_of(order.project.provider_id),
        exclude_user_id=actor.pk,
    )


def notify_answered(order: Order, *, actor) -> None:
    """The provider accepted, declined or proposed another time: the union's chair is told."""
    if order.state == Order.State.ACCEPTED:
        event, text = "order_accepted", _("Order %(number)s (%(project)s) has been accepted by the provider.")
    elif order.state == Order.State.PROPOSED:
        event, text = (
            "order_declined",
            _(
                "Order %(number)s (%(project)s): the provider proposes another time; please accept it or cancel."
            ),
        )
    else:
        event, text = "order_declined", _("Order %(number)s (%(project)s) has been declined by the provider.")
    notify(
        event=event,
        key=f"{event}:{order.pk}:{order.state}",
        text=text,
        params=_params(order),
        url=reverse("orders:detail", args=[order.pk]),
        audience=chairs_of(order.union_id),
        exclude_user_id=actor.pk,
    )


def notify_cancelled(orders: list[Order], *, actor, was: str = "") -> None:
    """Orders cancelled (by the chair, the office, or with their agreement): the chair, and the provider when
    the order had reached it (``was``: its state before; an agreement's cancelled orders leave the provider to
    the agreement's own notice), are told — the one who cancelled is not."""
    notices = []
    for order in orders:
        audience = chairs_of(order.union_id)
        if was in PROVIDER_VISIBLE:
            audience |= members_of(order.project.provider_id)
        notices.append(
            Notice(
                event="order_cancelled",
                key=f"order_cancelled:{order.pk}",
                text=_("Order %(number)s (%(project)s) has been cancelled: %(reason)s"),
                params={**_params(order), "reason": order.state_reason[:40]},
                url=reverse("orders:detail", args=[order.pk]),
                audience=audience,
                exclude_user_id=getattr(actor, "pk", None),
            )
        )
    notifications_send(notices=notices)
