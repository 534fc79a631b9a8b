"""Demo: the agreements signed on the spot after each published session ("首批服务项目成功对接,并现场签订协议"), one
per selected project, in force once the 公示 window has passed.

- The seed's 2020 session: signed on 18 September 2020, for the rest of that budget year (to 31 December 2020),
  in force after the window and completed at the year's end — history, stamped in 2020 by the demo clock.
- Last year's session: signed the evening it was held, for this whole year, in force now; the delivery demo
  (``dajia/orders/demo.py``) runs this year's season on them.

Runs after the consultations demo and reads its sessions from ``ctx["sessions"]``.
"""

from __future__ import annotations

import datetime

from dajia.accounts.models import Role, RoleAssignment
from dajia.agreements import services, services_quotas
from dajia.agreements.models import Agreement
from dajia.consultations.models import Session
from dajia.demo import clock
from dajia.notices.services import notices_close_due
from dajia.notices.window import notice_window


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


def _sign(ctx, session: Session, *, starts_on: datetime.date, ends_on: datetime.date) -> list[Agreement]:
    """Generate, set the budget year's term (version 2: the office amends the default one-year term, as offices
    do to match the budget year), sign on the spot and bring into force the day after the 公示 window closes.

    Runs on the demo clock, from a quarter of an hour after publication."""
    office = ctx["office"]
    published = session.published_at
    with clock.history(published + datetime.timedelta(minutes=15)) as time:
        drafted = services.agreements_generate(actor=office, session=session)
        for agreement in drafted:
            services.agreement_amend(
                actor=office,
                agreement=agreement,
                reason="服务期限按年度预算执行期调整",
                starts_on=starts_on,
                ends_on=ends_on,
            )
            agreement.refresh_from_db()
            version = agreement.versions.order_by("-number").first()
            services.agreement_sign(
                actor=office, agreement=agreement, party="federation", sha256=version.sha256
            )
            member = _member(ctx, agreement.provider)
            services.agreement_sign(
                actor=member, agreement=agreement, party="provider", sha256=version.sha256
            )
        closes = notice_window(session).end
        moment = clock.at(closes.year, closes.month, closes.day, 9) + datetime.timedelta(days=1)
        time.set(moment)
        notices_close_due(now=moment)
    return list(Agreement.objects.filter(pk__in=[a.pk for a in drafted]).select_related("project"))


def build(ctx) -> None:
    sessions = ctx["sessions"]
    office = ctx["office"]
    history = sessions["history"]
    year = history.starts_at.year
    ctx["history_agreements"] = _sign(
        ctx, history, starts_on=datetime.date(year, 10, 9), ends_on=datetime.date(year, 12, 31)
    )
    last = sessions["last"]
    year = last.starts_at.year + 1
    ctx["agreements"] = _sign(
        ctx, last, starts_on=datetime.date(year, 1, 1), ends_on=datetime.date(year, 12, 31)
    )
    # One agreement shares its sessions by allocation, to show quotas.
    if len(ctx["agreements"]) > 1:
        allocated = ctx["agreements"][1]
        unions = ctx["unions"]
        services_quotas.quotas_set(
            actor=office,
            agreement=allocated,
            allocation="allocated",
            quotas={u.pk: 1 for u in unions[: min(len(unions), allocated.sessions)]},
        )
