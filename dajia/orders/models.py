"""Orders and delivery: 点单 → 派单 → 接单 → 评单.

A chair orders a session of a project under an active agreement (the session is reserved on the agreement, the
union's quota and the union's budget at once, under row locks); the office dispatches it; the provider accepts,
declines or proposes another time; the provider records the delivery; attendees sign in by QR code and rate;
the chair confirms. Counters (``UnionBudget.committed``, the agreement's ``sessions_booked``, the quota's
``booked``) are guarded by CheckConstraints so that no interleaving can overbook.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dajia.core import signins
from dajia.core.signins import SignInRecord
from dajia.core.uploads import private_storage

# States in which an order holds a session of its agreement.
HOLDING_STATES = ("ordered", "dispatched", "accepted", "proposed", "delivered", "confirmed")


def new_signin_token() -> str:
    return secrets.token_urlsafe(12)


class UnionBudget(models.Model):
    """What one grassroots union may spend on ordered sessions in one year."""

    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("grassroots union"), on_delete=models.CASCADE, related_name="budgets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2)
    committed = models.DecimalField(_("committed (yuan)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("union budget")
        verbose_name_plural = _("union budgets")
        ordering = ["-year", "union__name"]
        constraints = [
            models.UniqueConstraint(fields=["union", "year"], name="budget_one_per_union_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_not_negative"),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(committed__lte=F("amount")), name="budget_never_exceeded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.year}"

    @property
    def remaining(self):
        return self.amount - self.committed


class OrderQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("project__provider", "union", "agreement")

    def visible_to(self, user):
        from dajia.accounts.permissions import chair_union_ids, office_federation_ids, provider_ids

        return self.filter(
            Q(union__federation_id__in=office_federation_ids(user))
            | Q(union_id__in=chair_union_ids(user))
            | Q(project__provider_id__in=provider_ids(user), state__in=PROVIDER_VISIBLE)
        )


PROVIDER_VISIBLE = ("dispatched", "accepted", "proposed", "declined", "delivered", "confirmed", "cancelled")


class Order(models.Model):
    class State(models.TextChoices):
        ORDERED = "ordered", _("ordered, awaiting dispatch")
        DISPATCHED = "dispatched", _("dispatched, awaiting the provider")
        ACCEPTED = "accepted", _("accepted")
        PROPOSED = "proposed", _("provider proposes another time")
        DECLINED = "declined", _("declined by the provider")
        DELIVERED = "delivered", _("delivered, awaiting the chair's confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("order number"), max_length=32, unique=True)
    agreement = models.ForeignKey(
        "agreements.Agreement", verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="orders"
    )
    project = models.ForeignKey(
        "menu.ServiceProject",
        verbose_name=_("service project"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    union = models.ForeignKey(
        "orgs.Union", verbose_name=_("grassroots union"), on_delete=models.PROTECT, related_name="orders"
    )
    quota = models.ForeignKey(
        "agreements.AgreementQuota", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    budget = models.ForeignKey(
        UnionBudget, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ordered by"), on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    expected_audience = models.PositiveIntegerField(_("expected audience"))
    notes = models.TextField(_("notes"), blank=True)
    cost = models.DecimalField(_("cost charged to the union budget"), max_digits=12, decimal_places=2)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.ORDERED)
    state_reason = models.CharField(_("reason"), max_length=300, blank=True)
    proposed_starts_at = models.DateTimeField(_("proposed time"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    signin_token = models.CharField(max_length=32, unique=True, default=new_signin_token, editable=False)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="order_ends_after_start"),
            models.CheckConstraint(condition=Q(expected_audience__gte=1), name="order_audience_positive"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="order_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        "ordered",
                        "dispatched",
                        "accepted",
                        "proposed",
                        "declined",
                        "delivered",
                        "confirmed",
                        "cancelled",
                    ]
                ),
                name="order_state_valid",
            ),
        ]
        # The overview's first orders of each state by start time: the id breaks ties in the index itself, so
        # PostgreSQL reads them in order without a sort (dajia/orders/tests/test_plans.py). The union rides
        # along so that the office's capped counts and first ids, filtered to its unions, read the index alone
        # (overview SQL at 1,000,000 orders: 11 -> 1 ms).
        indexes = [models.Index(fields=["state", "starts_at", "id", "union"], name="order_state_start")]

    def __str__(self) -> str:
        return f"{self.number} {self.project.title if self.project_id else ''}".strip()

    @property
    def holds_session(self) -> bool:
        return self.state in HOLDING_STATES

    def signin_window(self) -> tuple[datetime.datetime, datetime.datetime]:
        return signins.window(self.starts_at, self.ends_at)


class Delivery(models.Model):
    """The provider's record of a delivered session."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="delivery")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    content = models.TextField(_("what was delivered"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery record")
        verbose_name_plural = _("delivery records")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=F("started_at")), name="delivery_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return str(self.order)


class DeliveryPhoto(models.Model):
    """Evidence of a delivery: stored in the private storage (no public URL), served by ``orders:photo`` only to
    those who may see the order."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="deliveries/%Y/%m/", storage=private_storage)
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("delivery photo")
        verbose_name_plural = _("delivery photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class Attendance(SignInRecord):
    """One attendee's sign-in to an order's session: the fields and the rule are ``dajia.core.signins``'s, shared
    with the lectures' sign-ins. One per phone (the server-issued device id of ``dajia.core.devices``) and
    session; ``seat`` numbers the sign-ins of a session 1, 2, 3…: it is given under the order's row lock and
    never above the agreement's capacity, and the database keeps two sign-ins from ever holding the same seat,
    so a session cannot hold more sign-ins than seats handed out."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attendances")

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["signed_at", "id"]
        constraints = signins.signin_constraints("order", "attendance")


class Rating(models.Model):
    """A rating of a delivered session (1–5 and a comment), by a signed-in attendee (the rating belongs to the
    sign-in: one each) or by the chair."""

    class Role(models.TextChoices):
        ATTENDEE = "attendee", _("attendee")
        CHAIR = "chair", _("union chair")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="ratings")
    role = models.CharField(_("rated as"), max_length=16, choices=Role.choices)
    attendance = models.OneToOneField(
        Attendance, null=True, blank=True, on_delete=models.CASCADE, related_name="rating"
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stars = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    complaint = models.BooleanField(_("this is a complaint"), default=False)
    created_at = models.DateTimeField(_("rated at"))
    reply = models.CharField(_("provider's reply"), max_length=500, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_1_to_5"),
            models.CheckConstraint(condition=Q(role__in=["attendee", "chair"]), name="rating_role_valid"),
            models.UniqueConstraint(fields=["order"], condition=Q(role="chair"), name="rating_one_by_chair"),
            models.CheckConstraint(
                condition=Q(role="chair", attendance__isnull=True)
                | Q(role="attendee", attendance__isnull=False),
                name="rating_attendee_has_signin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.stars}★"

    @property
    def is_complaint(self) -> bool:
        return self.complaint or self.stars <= 2
