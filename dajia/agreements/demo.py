"""Demo: the agreements signed on the spot after "2020年下城区工会购买服务协商会" ("首批服务项目成功对接,并现场签订
协议"), one per selected project, in force after the 公示 window.

Runs after the consultations demo and reads its published selection. If that demo has not published the
session (e.g. it is not there yet), a minimal published session is made here from the documented models so the
delivery demo still has agreements to run on.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from dajia.accounts.models import Role, RoleAssignment
from dajia.agreements import services
from dajia.agreements.models import Agreement
from dajia.consultations.models import PublishedResult, Session, SessionProject
from dajia.menu.models import ServiceProject
from dajia.notices.services import notices_close_due
from dajia.notices.window import notice_window

SESSION_TITLE = "2020年下城区工会购买服务协商会"
# Used only when the consultations demo has not published the session.
FALLBACK_SELECTION = [
    ("职工合唱团组建与指导", "21600.00"),
    ("企业消防安全与应急疏散演练", "24000.00"),
    ("职工心理减压工作坊", "28000.00"),
    ("菜单式普法讲座", "15000.00"),
    ("退休职工智能手机课堂", "14400.00"),
]


def _fallback_session(ctx) -> Session:
    now = timezone.now()
    session = Session.objects.create(
        federation=ctx["xiacheng"],
        title=SESSION_TITLE,
        starts_at=now - datetime.timedelta(days=80),
        venue="下城区职工服务中心",
        budget=Decimal("120000.00"),
        state=Session.State.PUBLISHED,
        published_at=now - datetime.timedelta(days=78),
        created_by=ctx["office"],
    )
    projects = []
    for position, (title, amount) in enumerate(FALLBACK_SELECTION, start=1):
        project = ServiceProject.objects.get(title=title, provider__federation=ctx["xiacheng"])
        entry = SessionProject.objects.create(
            session=session, project=project, position=position, amount=Decimal(amount)
        )
        projects.append({"entry_id": entry.pk, "title": title, "selected": True, "amount": amount})
    PublishedResult.objects.create(
        session=session,
        payload={"session": session.pk, "title": SESSION_TITLE, "projects": projects},
        canonical_sheets="",
        digest="",
        published_by=ctx["office"],
    )
    return session


def _member(ctx, provider):
    """A login of the provider to sign with (the foundation gives providers[0] one: ``provider``)."""
    found = (
        RoleAssignment.objects.filter(role=Role.PROVIDER, provider=provider).select_related("user").first()
    )
    if found:
        return found.user
    from dajia.demo.foundation import _user

    index = ctx["providers"].index(provider) + 1
    user = _user(ctx["names"], f"provider{index:02d}")
    RoleAssignment.objects.create(user=user, role=Role.PROVIDER, provider=provider)
    return user


def build(ctx) -> None:
    session = Session.objects.filter(
        federation=ctx["xiacheng"], title=SESSION_TITLE, state=Session.State.PUBLISHED
    ).first()
    if session is None:
        session = _fallback_session(ctx)
    office = ctx["office"]
    drafted = services.agreements_generate(actor=office, session=session)
    # A season of delivery needs a term around today: the office amends the period (version 2), as offices do
    # when the start slips; both sides then sign on the spot.
    start = timezone.localdate() - datetime.timedelta(days=70)
    agreements = []
    for agreement in drafted:
        services.agreement_amend(
            actor=office,
            agreement=agreement,
            reason="服务期限按实际对接日期调整",
            starts_on=start,
            ends_on=services.max_term_end(start),
        )
        agreement.refresh_from_db()
        version = agreement.versions.order_by("-number").first()
        services.agreement_sign(actor=office, agreement=agreement, party="federation", sha256=version.sha256)
        member = _member(ctx, agreement.provider)
        services.agreement_sign(actor=member, agreement=agreement, party="provider", sha256=version.sha256)
        agreements.append(agreement)
    window = notice_window(session)
    moment = timezone.now()
    if window is not None and window.is_open(moment):
        moment = timezone.make_aware(
            datetime.datetime.combine(window.end + datetime.timedelta(days=1), datetime.time(9))
        )
    notices_close_due(now=moment)
    ctx["agreements"] = list(
        Agreement.objects.filter(pk__in=[a.pk for a in agreements]).select_related("project")
    )
    # One agreement shares its sessions by allocation, to show quotas.
    if len(ctx["agreements"]) > 1:
        allocated = ctx["agreements"][1]
        unions = ctx["unions"]
        services.quotas_set(
            actor=office,
            agreement=allocated,
            allocation="allocated",
            quotas={u.pk: 1 for u in unions[: min(len(unions), allocated.sessions)]},
        )
