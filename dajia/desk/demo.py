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
    _year_of_work(ctx, parks=parks, volunteers=[expert, *others], office=office, now=now)
    services.cases_check_targets(now=now)


# The seed's year: "已解决小微企业各类难题260余个" and "提供“线上+线下”法律咨询185次". The desk's own share of the
# ledger is 225 problems solved (the health checks' follow-ups bring the other 38) and all 185 legal
# consultations; the hand-made cases above hold 1 and 1 of them.
SOLVED, LEGAL_CONSULTATIONS = 225, 185
HAND_MADE_SOLVED, HAND_MADE_LEGAL = 1, 1
ADVISED = 36  # advice given without the problem being solved: finished, not counted as solved
BECAME_CASES = 40  # legal consultations that became (recorded) cases: still one consultation each

PROBLEMS = {
    "lawyer": [
        "劳动合同续签与经济补偿",
        "拖欠货款的催收与诉前保全",
        "员工工伤认定与待遇",
        "租赁厂房合同纠纷",
    ],
    "tax": ["研发费用加计扣除申报", "小规模纳税人增值税减免", "出口退税资料准备"],
    "accountant": ["年度汇算清缴账务整理", "成本核算与存货盘点", "财务制度建立"],
    "finance": ["流动资金贷款申请材料", "设备按揭贷款方案", "应收账款质押融资"],
}
CONSULTED = [
    "加班费计算基数",
    "试用期解除劳动合同",
    "劳务派遣用工比例",
    "竞业限制补偿",
    "合同违约金约定",
    "商标侵权风险",
]
CHANNELS = ["station", "online", "visit"]


def _year_of_work(ctx, *, parks, volunteers, office, now) -> None:
    """A year of finished cases (from the parks' registers, entered by the office) and of legal consultations
    (logged by the lawyers at their parks), through the desk's batch services, dated across the ledger's
    default period (the twelve months ending with this one) up to now."""
    from dajia.demo.wuyi import enterprises
    from dajia.desk.services_batch import (
        ConsultationInput,
        FinishedCaseInput,
        cases_record_finished,
        consultations_log,
    )
    from dajia.ledger.period import past_year

    start = past_year(timezone.localdate(now)).moments()[0]
    span = now - start - datetime.timedelta(days=3)
    firms = enterprises(ctx["wuyi"], 300)

    def moment(i: int, n: int) -> datetime.datetime:
        return start + span * (i + 0.5) / n

    # Who serves which park in each specialty (the role rows the demo gave them): the first one does the work.
    who: dict[tuple[int, str], Volunteer] = {}
    for v in volunteers:
        for park_id in v.user.roles.filter(role=Role.EXPERT).values_list("park_id", flat=True):
            who.setdefault((park_id, v.specialty), v)

    solved = SOLVED - HAND_MADE_SOLVED
    total = solved + ADVISED
    entries = []
    for i in range(total):
        enterprise = firms[i % len(firms)]
        specialty = list(PROBLEMS)[i % 4 if i % 3 else 0]  # lawyers take the largest share
        if (enterprise.park_id, specialty) not in who:  # tax advisers serve 3 parks, accountants the other 3
            specialty = "accountant" if specialty == "tax" else "tax"
        raised_at = moment(i, total)
        entries.append(
            FinishedCaseInput(
                enterprise=enterprise,
                specialty=specialty,
                description=PROBLEMS[specialty][i % len(PROBLEMS[specialty])],
                volunteer=who[(enterprise.park_id, specialty)],
                closure="solved" if i < solved else "advised",
                raised_at=raised_at,
                finished_at=raised_at + datetime.timedelta(days=2),
                minutes=60 + i * 17 % 120,
                channel=CHANNELS[i % 3],
            )
        )
    cases = cases_record_finished(actor=office, entries=entries)
    legal_cases = [c for c in cases if c.specialty == "lawyer"][:BECAME_CASES]
    count = LEGAL_CONSULTATIONS - HAND_MADE_LEGAL
    by_lawyer: dict[Volunteer, list[ConsultationInput]] = {}
    for i in range(count):
        case = legal_cases[i] if i < len(legal_cases) else None
        park = case.park if case else parks[i % len(parks)]
        lawyer = who[(park.pk, "lawyer")]
        at = case.created_at - datetime.timedelta(hours=1) if case else moment(i, count)
        by_lawyer.setdefault(lawyer, []).append(
            ConsultationInput(
                park=park,
                specialty="lawyer",
                channel="online" if i % 2 else "station",
                summary=CONSULTED[i % len(CONSULTED)],
                minutes=20 + i * 7 % 40,
                at=max(at, start),
                case=case,
            )
        )
    for lawyer, batch in by_lawyer.items():
        consultations_log(actor=lawyer.user, entries=batch)
    # Tax and accounting questions at the desks too (not legal: the ledger's legal figure leaves them out).
    consultations_log(
        actor=office,
        entries=[
            ConsultationInput(
                park=parks[i % len(parks)],
                specialty="tax" if i % 2 else "accountant",
                channel="station",
                summary="发票与纳税申报" if i % 2 else "记账与报表",
                minutes=30,
                at=moment(i, 60),
            )
            for i in range(60)
        ],
    )


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
