"""The seed's consultation session (下城区 2020), run through the same services a real session uses, and the
next year's session as a draft, ready to be run live with the demo evaluators' links.

2020: 9 social organisations present one project each; 8 CPPCC union-sector members and 20 grassroots union
chairs score them on the seed's four dimensions. The office weights the two groups 0.4 / 0.6: the chairs are
the ones who will order these services for their members, so their judgement weighs more, while the CPPCC
members' view (fewer of them, looking across the district) still counts for well over a third. The budget of
¥200,000 does not cover every proposal (¥264,000 in all), so the ranking decides who is left out.
"""

from __future__ import annotations

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from dajia.accounts.models import Person
from dajia.consultations import services_console, services_roster, services_setup, services_sheets
from dajia.consultations.models import Session
from dajia.consultations.services_results import session_publish, session_reveal
from dajia.menu.models import ServiceProject

WEIGHTS = {"政协委员": "0.4", "基层工会主席": "0.6"}
GROUP_BY_KIND = {Person.Kind.CPPCC: "政协委员", Person.Kind.CHAIR: "基层工会主席"}

# (provider's project title, proposed amount for the year, latent quality as a share of the maximum)
SESSION_2020 = [
    ("职工合唱团组建与指导", "24000", Decimal("0.80")),
    ("企业消防安全与应急疏散演练", "32000", Decimal("0.86")),
    ("困难职工家庭入户帮扶", "30000", Decimal("0.83")),
    ("退休职工智能手机课堂", "18000", Decimal("0.74")),
    ("职工心理减压工作坊", "36000", Decimal("0.89")),
    ("电工技能提升与考证辅导", "28000", Decimal("0.70")),
    ("“小候鸟”暑期托管班", "36000", Decimal("0.77")),
    ("菜单式普法讲座", "20000", Decimal("0.63")),
    ("职工健康义诊进企业", "40000", Decimal("0.55")),
]
SESSION_2021 = [
    "越剧进车间",
    "急救技能（心肺复苏+AED）培训",
    "大病职工关爱计划",
    "职工家中老人居家照护指导",
    "班组长情绪管理培训",
    "职工数字技能微课",
    "亲子阅读与家庭教育讲座",
    "职工法律援助咨询",
    "女职工健康关爱讲座",
]


def _at(year: int, month: int, day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def _project(providers, title: str) -> ServiceProject:
    return ServiceProject.objects.get(provider__in=providers, title=title)


def _panel(ctx) -> list[Person]:
    chairs = list(Person.objects.filter(user__in=ctx["chairs"]).order_by("pk"))
    return list(ctx["cppcc"]) + chairs


def _set_up(ctx, *, title: str, starts_at, entries: list[tuple[ServiceProject, str | None]]) -> Session:
    office = ctx["office"]
    session = services_setup.session_create(
        actor=office,
        federation=ctx["xiacheng"],
        title=title,
        starts_at=starts_at,
        venue="下城区职工服务中心三楼报告厅",
        stream_url="https://live.example.org/xiacheng-union",
        budget=Decimal("200000"),
        minimum_score=Decimal("60"),
        method="trimmed",
        trim_min=5,
        group_weights=WEIGHTS,
    )
    services_setup.criterion_set(actor=office, session=session, criteria=services_setup.DEFAULT_CRITERIA)
    for project, amount in entries:
        services_roster.entry_add(actor=office, session=session, project=project, amount=amount)
    services_roster.evaluators_add_people(
        actor=office, session=session, people=_panel(ctx), group_by_kind=GROUP_BY_KIND
    )
    return session


def _score(rng: random.Random, quality: Decimal, bias: float, maximum: Decimal, halves: bool) -> Decimal:
    share = float(quality) + bias + rng.gauss(0, 0.055)
    value = Decimal(str(max(0.0, min(1.0, share)) * float(maximum)))
    step = Decimal("0.5") if halves else Decimal("1")
    value = (value / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step
    return min(max(value, Decimal("0")), maximum)


def build_2020(ctx) -> Session:
    office = ctx["office"]
    providers = ctx["providers"]
    session = _set_up(
        ctx,
        title="2020年下城区工会购买服务协商会",
        starts_at=_at(2020, 9, 18, 14),
        entries=[(_project(providers, t), amount) for t, amount, _ in SESSION_2020],
    )
    rng = random.Random(20200918)  # noqa: S311 - demo data, reproducible on purpose
    evaluators = list(session.evaluators.all())
    criteria = list(session.criteria.all())
    quality = {
        e.pk: q for e, (_, _, q) in zip(session.entries.order_by("position"), SESSION_2020, strict=True)
    }
    # Each evaluator is a little generous or strict; CPPCC members a shade stricter on average; about a third
    # of the panel uses half points.
    bias = {e.pk: rng.gauss(-0.015 if e.group == "政协委员" else 0.01, 0.035) for e in evaluators}
    halves = {e.pk: rng.random() < 0.35 for e in evaluators}
    services_setup.session_open(actor=office, session=session)
    # One chair's union has used the legal-aid provider's services: they declare it and abstain.
    conflicted = next(e for e in evaluators if e.group == "基层工会主席")
    for entry in session.entries.select_related("project").order_by("position"):
        services_console.entry_stage(actor=office, entry=entry)
        if entry.project.title == "菜单式普法讲座":
            services_sheets.conflict_declare(
                evaluator=conflicted, entry=entry, reason="本单位是该机构的法律顾问客户"
            )
        services_console.window_open(actor=office, entry=entry)
        for ev in evaluators:
            if ev is conflicted and entry.project.title == "菜单式普法讲座":
                continue
            scores = {
                c.pk: _score(rng, quality[entry.pk], bias[ev.pk], c.max_points, halves[ev.pk])
                for c in criteria
            }
            services_sheets.sheet_submit(
                evaluator=ev, entry=entry, scores=scores, submission_id=f"demo-{ev.pk}-{entry.pk}"
            )
        services_console.window_close(actor=office, entry=entry)
    services_console.session_close(actor=office, session=session)
    session_reveal(actor=office, session=session)
    session_publish(actor=office, session=session)
    session.refresh_from_db()
    return session


def build_2021(ctx) -> Session:
    providers = ctx["providers"]
    return _set_up(
        ctx,
        title="2021年下城区工会购买服务协商会",
        starts_at=_at(2021, 9, 17, 14),
        entries=[(_project(providers, t), None) for t in SESSION_2021],
    )


def build(ctx) -> None:
    build_2020(ctx)
    build_2021(ctx)
