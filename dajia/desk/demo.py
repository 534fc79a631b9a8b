"""Demo of the expert desk at 武义县 (the seed's 红管家 teams): volunteers from the seed's firms serving the 6
provincial small and micro enterprise parks, a team and a rota per park, and cases in every state — so the
``expert`` login (a lawyer of 浙江中义律师事务所, lead of 泉溪镇's team, on duty on working days) has real work.
Everything is written through the desk's services, as the office would."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dajia.accounts.models import Role, RoleAssignment
from dajia.desk import services
from dajia.desk.models import RotaSlot, Team, Volunteer
from dajia.desk.services import PartyInput
from dajia.orgs.models import Enterprise, Park

# (username, specialty, firm, party member, indices of the parks served)
VOLUNTEERS = [
    ("lawyer02", "lawyer", "浙江中义律师事务所", True, [0, 1]),
    ("lawyer03", "lawyer", "浙江中义律师事务所", None, [2, 3, 4, 5]),
    ("tax01", "tax", "武义信达税务师事务所", False, [0, 1, 2]),
    ("tax02", "accountant", "武义信达税务师事务所", True, [3, 4, 5]),
    ("bank01", "finance", "武义农商银行", True, [0, 1, 2, 3, 4, 5]),
]

MORNING = (datetime.time(8, 30), datetime.time(12, 0))
AFTERNOON = (datetime.time(13, 30), datetime.time(17, 30))


def _volunteer(user, wuyi, specialty, firm, party, parks) -> Volunteer:
    volunteer = Volunteer.objects.create(
        user=user, federation=wuyi, specialty=specialty, firm=firm, is_party_member=party
    )
    RoleAssignment.objects.bulk_create(RoleAssignment(user=user, role=Role.EXPERT, park=p) for p in parks)
    return volunteer


def build(ctx) -> None:
    from dajia.demo.foundation import _user

    wuyi, names = ctx["wuyi"], ctx["names"]
    parks = list(Park.objects.filter(federation=wuyi).order_by("pk"))
    expert = _volunteer(ctx["expert"], wuyi, "lawyer", "浙江中义律师事务所", True, parks[:2])
    others = [
        _volunteer(_user(names, username), wuyi, specialty, firm, party, [parks[i] for i in served])
        for username, specialty, firm, party, served in VOLUNTEERS
    ]
    Team.objects.create(park=parks[0], lead=expert)
    for park, lead in zip(parks[1:], [others[0], others[1], others[3], others[1], others[3]], strict=True):
        Team.objects.create(park=park, lead=lead)
    slots = []
    for day in range(5):  # the expert sits at 泉溪镇's station on every working day
        slots += [
            RotaSlot(park=parks[0], volunteer=expert, weekday=day, starts=s, ends=e)
            for s, e in (MORNING, AFTERNOON)
        ]
    # 每月第二个周二 8:30–12:00 at each park, in turn, for the tax advisers and the bank
    for i, park in enumerate(parks):
        for volunteer in (others[2] if i < 3 else others[3], others[4]):
            slots.append(
                RotaSlot(
                    park=park,
                    volunteer=volunteer,
                    weekday=1,
                    week_of_month=2,
                    starts=MORNING[0],
                    ends=MORNING[1],
                )
            )
    for i, park in enumerate(parks[1:], start=1):
        lawyer = others[0] if i == 1 else others[1]
        slots.append(
            RotaSlot(park=park, volunteer=lawyer, weekday=(i + 1) % 5, starts=MORNING[0], ends=MORNING[1])
        )
    RotaSlot.objects.bulk_create(slots)

    office = ctx["wuyi_office"]
    park_office = _user(names, "park_office")
    RoleAssignment.objects.create(user=park_office, role=Role.PARK, park=parks[0])
    enterprises = list(Enterprise.objects.filter(park=parks[0]).order_by("pk"))
    contact = _user(names, "enterprise")
    RoleAssignment.objects.create(user=contact, role=Role.ENTERPRISE, enterprise=enterprises[0])

    now = timezone.now()
    working = _last_working_morning(now)
    worker = PartyInput(kind="worker", name=names.name(), mobile=names.mobile())

    def raised(actor, days, **kw):
        return services.case_raise(actor=actor, now=working - datetime.timedelta(days=days), **kw)

    def assign(case, volunteer, days):
        services.case_assign(
            actor=office, case=case, volunteer=volunteer, now=working - datetime.timedelta(days=days)
        )

    first = enterprises[0]
    # new, suggested to the expert
    raised(
        contact,
        0,
        enterprise=first,
        specialty="lawyer",
        description="一名员工试用期内提出离职，要求结清工资并出具离职证明，公司需要注意哪些法律问题？",
        counterparties=[PartyInput(kind="worker", name=names.name(), mobile=names.mobile())],
    )
    # assigned, in progress
    case = raised(
        park_office,
        2,
        enterprise=enterprises[1],
        specialty="lawyer",
        description="与上游供货商的买卖合同约定不清，货款迟迟未付，想了解起诉前应准备的证据。",
        urgency="urgent",
        contact_mobile=names.mobile(),
    )
    assign(case, expert, 2)
    case = raised(
        contact,
        5,
        enterprise=first,
        specialty="lawyer",
        description="公司准备与员工签订竞业限制协议，补偿标准和期限怎么约定才有效？",
    )
    assign(case, expert, 5)
    services.case_start(actor=expert.user, case=case)
    # resolved and rated; referred; withdrawn
    case = raised(
        contact,
        12,
        enterprise=first,
        specialty="tax",
        description="小规模纳税人季度销售额超过30万元后，增值税怎么申报？",
    )
    assign(case, others[2], 12)
    services.case_finish(
        actor=others[2].user, case=case, closure="advised", now=working - datetime.timedelta(days=11)
    )
    services.case_rate(actor=contact, case=case, rating=5, comment="解答清楚，及时。")
    case = raised(
        park_office,
        20,
        enterprise=enterprises[1],
        specialty="finance",
        description="想申请技改贷款，抵押物不足，有没有政策性担保渠道？",
    )
    assign(case, others[4], 20)
    services.case_finish(
        actor=others[4].user,
        case=case,
        closure="referred",
        note="武义县融资担保有限公司",
        now=working - datetime.timedelta(days=18),
    )
    case = raised(
        contact,
        30,
        enterprise=first,
        specialty="accountant",
        description="年度财务报表审计需要准备哪些资料？",
    )
    services.case_finish(
        actor=office, case=case, closure="withdrawn", now=working - datetime.timedelta(days=29)
    )
    # The union's legal aid for a worker of the same enterprise: the other side of a dispute is on record too, and
    # the conflict check keeps the expert (who advises the enterprise) off it.
    case = raised(
        office,
        8,
        kind="worker",
        enterprise=first,
        worker=worker,
        specialty="lawyer",
        description="职工反映加班费计算基数低于实际工资，咨询如何维权。",
    )
    assign(case, others[0], 8)
    services.case_finish(
        actor=others[0].user, case=case, closure="solved", now=working - datetime.timedelta(days=6)
    )
    for summary, specialty in [
        ("个体户转企业后社保怎么缴", "accountant"),
        ("电子发票红冲流程", "tax"),
        ("劳务派遣用工比例上限", "lawyer"),
    ]:
        services.consultation_log(
            actor=park_office,
            park=parks[0],
            specialty=specialty,
            channel="station",
            summary=summary,
            now=working,
        )
    services.cases_check_targets(now=now)


def _last_working_morning(now: datetime.datetime) -> datetime.datetime:
    """9:00 on the latest working day whose 9:00 has passed, so the demo's cases are raised on duty."""
    from dajia.core.workdays import workdays

    calendar = workdays()
    day = timezone.localtime(now).date()
    while True:
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
        if calendar.is_working_day(day) and moment <= now:
            return moment
        day -= datetime.timedelta(days=1)
