"""Reads shared by the live page, the big screen, the results page, the API and the export.

:func:`audience_index` is the one source of the audience index (网络人气): every place that shows it calls it,
so they agree to the digit. It reads the maintained per-project counters (one query whatever the number of
viewers) and never the panel's sheets: it cannot change a score, and a score cannot change it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.consultations.models import Session, SessionProject
from dajia.core.reads import compiled_read
from dajia.participation.models import (
    Comment,
    LiveSettings,
    Support,
    SupportCount,
    VerificationCode,
)

ZERO_SHARE = Decimal("0.0")


def audience_label() -> str:
    return _("Audience index (for reference only)")


@dataclass(frozen=True)
class AudienceRow:
    entry_id: int
    position: int
    title: str
    organisation: str
    supports: int
    share: Decimal  # percent of all supports, one decimal, half-up
    bar: int = 0  # bar length in whole percent of the most supported project (for the screens' meters)

    @property
    def share_text(self) -> str:
        return f"{self.share:.1f}"


@dataclass(frozen=True)
class AudienceIndex:
    session_id: int
    support_limit: int
    viewers: int
    total_supports: int
    rows: list[AudienceRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        return audience_label()

    def as_data(self) -> dict:
        """The JSON form: what the API returns and what the live event carries."""
        return {
            "session": self.session_id,
            "label": self.label,
            "advisory": True,
            "support_limit": self.support_limit,
            "viewers": self.viewers,
            "total_supports": self.total_supports,
            "entries": [
                {
                    "entry_id": r.entry_id,
                    "position": r.position,
                    "title": r.title,
                    "organisation": r.organisation,
                    "supports": r.supports,
                    "share": r.share_text,
                }
                for r in self.rows
            ],
        }


def share_of(supports: int, total: int) -> Decimal:
    if total <= 0:
        return ZERO_SHARE
    return (Decimal(supports) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@compiled_read
def _audience_rows(session_id):
    # The projects as plain values (the results page, the console and the screens read 100 rows a view), each
    # with its maintained counter and the session's verified viewers as subqueries; compiled once
    # (``core.reads``): the supports' batch reads this after every batch, and the query cost ten times more
    # to build than to run.
    return (
        SessionProject.objects.filter(session_id=session_id)
        .annotate(
            n=Coalesce(Subquery(SupportCount.objects.filter(entry=OuterRef("pk")).values("supports")[:1]), 0),
            v=Subquery(LiveSettings.objects.filter(session=OuterRef("session")).values("viewers")[:1]),
        )
        .order_by("position")
        .values_list("pk", "position", "project__title", "project__provider__name", "n", "v")
    )


def audience_index(session: Session) -> AudienceIndex:
    """Support counts and share (percent of all supports) per invited project, in presentation order."""
    found = _audience_rows(session.pk)
    if found:
        viewers = found[0][5] or 0
    else:  # no project invited yet: nothing to carry the count
        viewers = LiveSettings.objects.filter(session=session).values_list("viewers", flat=True).first() or 0
    total = sum(n for *_, n, _v in found)
    most = max((n for *_, n, _v in found), default=0)
    rows = [
        AudienceRow(
            entry_id=pk,
            position=position,
            title=title,
            organisation=organisation,
            supports=n,
            share=share_of(n, total),
            bar=int(100 * n / most + 0.5) if most else 0,
        )
        for pk, position, title, organisation, n, _v in found
    ]
    return AudienceIndex(
        session_id=session.pk,
        support_limit=session.support_limit,
        viewers=viewers,
        total_supports=total,
        rows=rows,
    )


def live_settings(session: Session) -> LiveSettings:
    found = LiveSettings.objects.filter(session=session).first()
    return found if found is not None else LiveSettings(session=session)


def agenda(session: Session) -> list[SessionProject]:
    """The invited projects in presentation order, with what the live page shows of each."""
    return list(
        SessionProject.objects.filter(session=session)
        .select_related("project__provider", "project__category")
        .order_by("position")
    )


def supported_ids(viewer) -> set[int]:
    if viewer is None:
        return set()
    return set(Support.objects.filter(viewer=viewer).values_list("entry_id", flat=True))


def public_comments(session: Session, limit: int = 50) -> list[Comment]:
    """Approved comments and floor suggestions, newest first (never a pending or rejected one)."""
    return list(
        Comment.objects.filter(session=session, status=Comment.Status.APPROVED)
        .select_related("entry__project")
        .order_by("-created_at", "-id")[:limit]
    )


def own_comments(viewer) -> list[Comment]:
    if viewer is None:
        return []
    return list(
        Comment.objects.filter(viewer=viewer).select_related("entry__project").order_by("-created_at")
    )


def moderation_queue(session: Session, status: str | None = None) -> list[Comment]:
    qs = Comment.objects.filter(session=session).select_related(
        "entry__project", "moderated_by", "answered_by", "recorded_by"
    )
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-created_at", "-id"))


def comment_counts(session: Session) -> dict[str, int]:
    row = Comment.objects.filter(session=session).aggregate(
        pending=Count("id", filter=Q(status="pending")),
        approved=Count("id", filter=Q(status="approved")),
        rejected=Count("id", filter=Q(status="rejected")),
    )
    return {k: v or 0 for k, v in row.items()}


# ---- the office's report of suspicious patterns ----------------------------------------------------------


@dataclass
class AbuseReport:
    busy_addresses: list[dict]  # one address, many numbers asking for codes
    bursts: list[dict]  # minutes with many supports
    address_bursts: list[dict]  # one address, many supports in one minute
    limited: list[dict]  # rate-limit refusals from the audit log
    thresholds: dict


def abuse_report(
    session: Session, *, numbers_per_address: int = 5, votes_per_minute: int = 60, votes_per_address: int = 20
) -> AbuseReport:
    from dajia.core.models import AuditLog

    busy = list(
        VerificationCode.objects.filter(session=session, ip__isnull=False)
        .values("ip")
        .annotate(numbers=Count("mobile_hash", distinct=True), codes=Count("id"))
        .filter(numbers__gte=numbers_per_address)
        .order_by("-numbers")[:50]
    )
    minutes: dict[datetime.datetime, int] = {}
    per_address: dict[tuple[str, datetime.datetime], int] = {}
    for at, ip in Support.objects.filter(session=session).values_list("created_at", "ip").iterator():
        minute = timezone.localtime(at).replace(second=0, microsecond=0)
        minutes[minute] = minutes.get(minute, 0) + 1
        if ip:
            per_address[(ip, minute)] = per_address.get((ip, minute), 0) + 1
    bursts = [{"minute": m, "supports": n} for m, n in sorted(minutes.items()) if n >= votes_per_minute]
    address_bursts = [
        {"ip": ip, "minute": m, "supports": n}
        for (ip, m), n in sorted(per_address.items(), key=lambda kv: (-kv[1], kv[0][1]))
        if n >= votes_per_address
    ][:50]
    limited = [
        {"at": row.at, **(row.after or {})}
        for row in AuditLog.objects.filter(
            action="participation.rate_limited",
            object_type="consultations.session",
            object_id=str(session.pk),
        ).order_by("-at")[:50]
    ]
    return AbuseReport(
        busy_addresses=busy,
        bursts=bursts,
        address_bursts=address_bursts,
        limited=limited,
        thresholds={
            "numbers_per_address": numbers_per_address,
            "votes_per_minute": votes_per_minute,
            "votes_per_address": votes_per_address,
        },
    )
