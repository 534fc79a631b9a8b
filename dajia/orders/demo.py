"""Demo: the seasons of delivery under the demo agreements, and a budget for every grassroots union.

- This year, under last year's session's agreements: orders in every state around today, QR sign-ins and
  ratings, a complaint with the provider's reply — every workbench has work on the first login.
- 2020, under the seed session's agreements: ten sessions delivered and confirmed between October and December
  2020 (stamped in 2020 by the demo clock), after which the office completes those agreements.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from dajia.accounts.models import Role, RoleAssignment
from dajia.agreements import services as agreement_services
from dajia.agreements.models import Agreement
from dajia.demo import clock
from dajia.orders import services, services_signins

CONTENT = "按服务方案完成：开场说明、主题讲解、互动体验和现场答疑，发放资料并收集职工意见。"
PLACES = ["职工之家活动室", "三楼多功能会议室", "食堂二楼", "车间休息区", "园区党群服务中心"]
COMMENTS = {
    5: ["很实用，希望多来几次", "老师讲得生动，大家都参与了", "内容接地气，车间同事都说好"],
    4: ["整体不错，时间可以再长一点", "收获很大，资料很有用"],
    3: ["内容可以，场地有点挤", "一般，互动少了些"],
    2: ["开始晚了二十分钟，音响效果差"],
}

# (agreement index, day offset from today, hour, the state to reach, minutes late)
SEASON = [
    (0, -60, 14, "confirmed", 0),
    (1, -55, 9, "confirmed", 0),
    (2, -50, 14, "confirmed", 3),
    (3, -45, 15, "confirmed", 0),
    (0, -40, 9, "confirmed", 0),
    (2, -33, 14, "confirmed", 22),
    (4, -26, 9, "confirmed", 0),
    (1, -19, 14, "confirmed", 0),
    (3, -12, 9, "confirmed", 5),
    (2, -4, 14, "delivered", 0),
    (0, -2, 9, "delivered", 0),
    (1, 5, 14, "accepted", 0),
    (4, 6, 9, "accepted", 0),
    (2, 8, 14, "dispatched", 0),
    (3, 9, 9, "ordered", 0),
    (0, 10, 14, "ordered", 0),
    (4, 11, 14, "proposed", 0),
    (3, 13, 9, "declined", 0),
    (2, 15, 14, "cancelled", 0),
]


# (agreement index, month, day, hour, minutes late): every one delivered and confirmed, in 2020.
HISTORY_SEASON = [
    (0, 10, 16, 14, 0),
    (1, 10, 22, 9, 0),
    (2, 10, 29, 14, 0),
    (3, 11, 5, 15, 10),
    (4, 11, 12, 9, 0),
    (0, 11, 19, 14, 0),
    (2, 11, 26, 9, 25),
    (1, 12, 3, 14, 0),
    (3, 12, 10, 9, 0),
    (4, 12, 17, 14, 0),
]


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _member(provider):
    return (
        RoleAssignment.objects.filter(role=Role.PROVIDER, provider=provider)
        .select_related("user")
        .first()
        .user
    )


def build(ctx) -> None:
    office, unions = ctx["office"], ctx["unions"]
    history = ctx.get("history_agreements") or []
    if history:
        year = history[0].starts_on.year
        with clock.history(clock.at(year, 9, 28, 10)) as time:
            for union in unions:
                services.budget_set(actor=office, union=union, year=year, amount="30000.00")
            plan = [
                (index, clock.at(year, month, day, hour), "confirmed", late)
                for index, month, day, hour, late in HISTORY_SEASON
            ]
            _season(ctx, history, plan, rng=random.Random(year), time=time)  # noqa: S311 - reproducible
            time.set(clock.at(year, 12, 31, 17))
            for agreement in history:
                agreement_services.agreement_complete(actor=office, agreement=agreement)
    agreements = ctx.get("agreements") or []
    if not agreements:
        return
    today = timezone.localdate()
    for union in unions:
        for year in sorted({(today + datetime.timedelta(days=d)).year for d in (-90, 0, 90)}):
            services.budget_set(actor=office, union=union, year=year, amount="30000.00")
    # Early or late in the year part of the season would fall outside the agreements' term: left out.
    first, last = min(a.starts_on for a in agreements), max(a.ends_on for a in agreements)
    plan = [
        (index, _at(days, hour), target, late)
        for index, days, hour, target, late in SEASON
        if first <= timezone.localdate(_at(days, hour)) <= last
    ]
    _season(ctx, agreements, plan, rng=random.Random(today.year), time=None)  # noqa: S311 - reproducible


def _season(ctx, agreements: list[Agreement], plan, *, rng: random.Random, time: clock.Clock | None) -> None:
    """Place and carry each order of ``plan`` to its state. On the demo clock (history) every step is stamped
    when it would have happened; on the real clock the office and provider act now."""
    office, unions, chairs, names = ctx["office"], ctx["unions"], ctx["chairs"], ctx["names"]

    def step(moment: datetime.datetime) -> None:
        if time is not None:
            time.set(moment)

    next_union: dict[int, int] = {}
    for n, (index, starts_at, target, late) in enumerate(plan):
        agreement = None
        for k in range(len(agreements)):  # the first agreement from ``index`` on with a session left
            candidate = agreements[(index + k) % len(agreements)]
            candidate.refresh_from_db()
            if candidate.sessions_left > 0:
                agreement = candidate
                break
        if agreement is None:
            return
        if agreement.allocation == Agreement.Allocation.ALLOCATED:
            quota_unions = sorted(q.union_id for q in agreement.quotas.all() if q.booked < q.sessions)
            if not quota_unions:
                continue
            u = next(i for i, un in enumerate(unions) if un.pk == quota_unions[0])
        else:
            u = next_union.get(agreement.pk, n) % len(unions)
            next_union[agreement.pk] = u + 3
        union, chair = unions[u], chairs[u]
        member = _member(agreement.provider)
        step(starts_at - datetime.timedelta(days=7))
        order = services.order_place(
            actor=chair,
            union=union,
            project=agreement.project,
            starts_at=starts_at,
            place=f"{union.name.removesuffix('工会')}{PLACES[n % len(PLACES)]}",
            expected_audience=max(1, min(agreement.capacity, agreement.capacity * 3 // 4)),
            notes="请提前半小时到场布置" if n % 4 == 0 else "",
            now=starts_at - datetime.timedelta(days=7),
        )
        if target == "ordered":
            continue
        if target == "cancelled":
            services.order_cancel(
                actor=chair,
                order=order,
                reason="企业当周安排全员加班，改期再约",
                now=starts_at - datetime.timedelta(days=5),
            )
            continue
        step(starts_at - datetime.timedelta(days=6, hours=-1))
        services.order_dispatch(actor=office, order=order)
        if target == "dispatched":
            continue
        if target == "declined":
            services.order_decline(
                actor=member, order=order, reason="该时段讲师已有安排，且场地不具备演练条件"
            )
            continue
        if target == "proposed":
            services.order_decline(
                actor=member,
                order=order,
                reason="讲师当天外出培训",
                proposed_starts_at=starts_at + datetime.timedelta(days=2),
            )
            continue
        step(starts_at - datetime.timedelta(days=5, hours=-2))
        services.order_accept(actor=member, order=order)
        if target == "accepted":
            continue
        started = starts_at + datetime.timedelta(minutes=late)
        ended = order.ends_at + datetime.timedelta(minutes=late)
        present = max(1, int(agreement.capacity * rng.uniform(0.55, 0.95)))
        present = min(present, 45)
        devices = []
        for i in range(present):
            device = f"demo-{order.pk:05d}-{i:08d}"
            services_signins.attendance_sign_in(
                order=order,
                device=device,
                name=names.name(),
                union_name=union.name,
                now=starts_at - datetime.timedelta(minutes=rng.randint(-40, 25)),
            )
            devices.append(device)
        for device in rng.sample(devices, k=max(1, len(devices) * 2 // 5)):
            stars = 2 if late > 15 and rng.random() < 0.5 else rng.choice([5, 5, 5, 4, 4, 3])
            services_signins.rating_submit(
                order=order,
                device=device,
                stars=stars,
                comment=rng.choice(COMMENTS[stars]) if rng.random() < 0.7 else "",
                now=ended,
            )
        step(ended + datetime.timedelta(hours=1))
        services.delivery_record(
            actor=member,
            order=order,
            started_at=started,
            ended_at=ended,
            content=f"{agreement.project.title}：{CONTENT}",
            now=ended + datetime.timedelta(hours=1),
        )
        if target == "delivered":
            continue
        step(ended + datetime.timedelta(days=1))
        services.delivery_confirm(actor=chair, order=order)
        services_signins.rating_submit(
            order=order, actor=chair, stars=4 if late > 15 else 5, comment="服务规范，职工反响好", now=ended
        )
        complaint = order.ratings.filter(stars__lte=2).first()
        if complaint:
            step(ended + datetime.timedelta(days=2))
            services_signins.rating_reply(
                actor=member,
                rating=complaint,
                reply="非常抱歉，已调整交通安排并更换音响设备，下次提前到场调试。",
            )
