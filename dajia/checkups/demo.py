"""Demo of the legal health checks at 武义县: the county office's checklist (20 questions over the seven areas),
and a year of checks — 405 enterprises of the parks with an issued 《法律风险评估报告》 (the seed's "为405家小微企业园
企业开展了“全生命周期”法治体检"), reviewed by the desk demo's lawyers; their failed items opened follow-up cases on
the desk, 38 of them since closed as 问题解决 and a few still open; most return visits made. A few checks are still
in self-check and review, so the ``enterprise`` and ``expert`` logins have work. Everything goes through the
services, in batches, as the office and the volunteers would."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dajia.checkups import services, services_visits
from dajia.checkups.models import CheckAnswer, HealthCheck
from dajia.desk import services as desk
from dajia.desk.models import Case, Volunteer
from dajia.orgs.models import Park

# (area, question, the review's recommendation when it fails, what the enterprise put right)
CHECKLIST = [
    (
        "recruitment",
        "招聘广告和录用条件中是否没有性别、民族、地域、年龄等就业歧视内容？",
        "删除招聘信息中的性别和年龄限制，按岗位实际要求表述录用条件。",
        "已修改招聘启事，删除歧视性条件",
    ),
    (
        "recruitment",
        "招用员工时是否未扣押身份证等证件、未收取押金或保证金？",
        "立即退还已收取的押金，停止扣押证件，避免被责令退还并处以罚款。",
        "已退还全部押金并归还证件",
    ),
    (
        "recruitment",
        "招用员工前是否核实其已年满16周岁，并保存身份证复印件？",
        "建立入职核验登记，招用前核对身份证原件并留存复印件。",
        "已建立入职年龄核验登记",
    ),
    (
        "contracts",
        "是否自用工之日起一个月内与全部员工订立书面劳动合同？",
        "一个月内补签书面劳动合同；超过一个月未签的，依法需支付二倍工资。",
        "已与全部员工补签书面劳动合同",
    ),
    (
        "contracts",
        "劳动合同是否载明工作内容、工作地点、工作时间、劳动报酬和社会保险等必备条款？",
        "按《劳动合同法》第十七条修订合同文本，补齐必备条款。",
        "已换用修订后的劳动合同范本",
    ),
    (
        "contracts",
        "试用期期限和试用期工资是否符合法律规定（同一员工只约定一次试用期）？",
        "按合同期限重新核定试用期，试用期工资不低于约定工资的百分之八十。",
        "已调整试用期约定并补发差额",
    ),
    (
        "contracts",
        "连续订立两次固定期限合同或工作满十年的员工，是否依法订立无固定期限劳动合同？",
        "梳理符合条件的员工名单，依法订立无固定期限劳动合同。",
        "已与符合条件的员工签订无固定期限合同",
    ),
    (
        "wages",
        "是否按月以货币形式足额支付工资，且不低于当地最低工资标准？",
        "按时足额发放工资，补发低于最低工资标准的差额，避免欠薪风险。",
        "已补发工资差额并按月发放",
    ),
    (
        "wages",
        "延长工作时间、休息日和法定节假日加班是否依法支付加班工资？",
        "按150%、200%、300%标准计发加班工资，并保存加班审批和考勤记录。",
        "已补发加班工资，完善加班审批",
    ),
    (
        "wages",
        "工资支付台账是否记录支付金额、时间、领取人签字并保存两年以上？",
        "建立工资支付台账并至少保存两年，工资条发给员工本人。",
        "已建立工资支付台账",
    ),
    (
        "social_insurance",
        "是否自用工之日起三十日内为全部员工办理社会保险登记并足额缴费？",
        "为未参保员工补办社保登记并补缴，不得以员工自愿放弃为由不缴。",
        "已为全部员工补缴社会保险",
    ),
    (
        "social_insurance",
        "是否未与员工约定以现金补贴代替缴纳社会保险？",
        "终止“社保补贴”约定，依法缴纳社会保险，防范员工解除合同并索要经济补偿。",
        "已停止现金补贴，依法缴纳社保",
    ),
    (
        "social_insurance",
        "发生工伤时是否在30日内提出工伤认定申请？",
        "建立工伤报告流程，事故发生后30日内向人社部门提出工伤认定申请。",
        "已制定工伤报告和认定流程",
    ),
    (
        "hours",
        "日常加班是否一般不超过1小时、每月不超过36小时，实行特殊工时制是否经过审批？",
        "调整排班，控制加班时长；需要综合计算工时的，向人社部门申请审批。",
        "已调整排班并取得综合工时审批",
    ),
    (
        "hours",
        "是否保障员工每周至少休息一日，并依法安排带薪年休假？",
        "制定休息休假制度，未休年休假的按日工资的300%支付报酬。",
        "已制定年休假制度并补发未休假报酬",
    ),
    (
        "leaving",
        "解除劳动合同是否有法定理由和程序，单方解除前是否通知工会？",
        "解除前核实法定事由，书面通知工会并听取意见，避免违法解除的二倍赔偿。",
        "已建立解除合同前通知工会的流程",
    ),
    (
        "leaving",
        "是否依法支付经济补偿，并在解除或终止合同时出具证明、15日内办理档案和社保转移？",
        "按工作年限计发经济补偿，离职时出具解除证明并按时办理转移手续。",
        "已补发经济补偿并出具离职证明",
    ),
    (
        "leaving",
        "规章制度是否经职工代表大会或全体职工讨论，并向员工公示？",
        "将规章制度提交职工代表大会或全体职工讨论，公示并保留签收记录。",
        "已经职工大会讨论并公示规章制度",
    ),
    (
        "women_minors",
        "是否未因怀孕、生育、哺乳降低女职工工资或解除劳动合同，并依法安排产假？",
        "保障孕期、产期、哺乳期待遇，不得因此降薪或解除合同，依法安排98天产假。",
        "已恢复女职工待遇并安排产假",
    ),
    (
        "women_minors",
        "是否未安排女职工和未成年工（16至18周岁）从事禁忌劳动，并为未成年工定期体检？",
        "调整女职工和未成年工岗位，为未成年工进行定期健康检查并登记。",
        "已调整岗位并为未成年工体检登记",
    ),
]

COUNT = 405  # the seed: 为405家小微企业园企业开展了“全生命周期”法治体检
SOLVED = 38  # follow-up cases closed as 问题解决
FAILING_EVERY = 9  # every ninth enterprise (from the tenth) had one item at risk: 44 follow-up cases
RISKS = ["medium", "high", "red", "low"]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def build(ctx) -> None:
    from dajia.demo.wuyi import enterprises as roll

    wuyi, office = ctx["wuyi"], ctx["wuyi_office"]
    for area, question, _advice, _fix in CHECKLIST:
        services.checklist_item_add(actor=office, federation=wuyi, area=area, question=question)
    advice = {q: (a, f) for _area, q, a, f in CHECKLIST}
    lawyers = list(Volunteer.objects.filter(federation=wuyi, specialty="lawyer").select_related("user"))
    serving: dict[int, list[Volunteer]] = {}
    for lawyer in lawyers:
        for park_id in lawyer.user.roles.filter(role="expert", park__isnull=False).values_list(
            "park_id", flat=True
        ):
            serving.setdefault(park_id, []).append(lawyer)
    enterprises = roll(wuyi, COUNT)
    today = timezone.localdate()
    failing = {i for i in range(10, COUNT, FAILING_EVERY)}
    # Spread over the past year, the oldest first; batches of one reviewer and four weeks.
    batches: dict[tuple[int, int], list[tuple[int, object]]] = {}
    for i, enterprise in enumerate(enterprises):
        team = serving[enterprise.park_id]
        reviewer = team[i % len(team)]
        week = (COUNT - 1 - i) * 12 // COUNT * 4 + 2  # weeks ago: 46, 42 … 2 (a batch every four weeks)
        batches.setdefault((reviewer.pk, week), []).append((i, enterprise))
    by_id = {v.pk: v for v in lawyers}
    follow_ups: list[tuple[datetime.datetime, Case, Volunteer, str]] = []
    for (reviewer_id, week), rows in sorted(batches.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        reviewer = by_id[reviewer_id]
        opened = today - datetime.timedelta(weeks=week)
        while opened.weekday() >= 5:
            opened -= datetime.timedelta(days=1)
        checks = services.checks_open(
            actor=office, enterprises=[e for _i, e in rows], reviewer=reviewer, now=_at(opened, 9)
        )
        fail_of = {c.pk: i in failing for c, (i, _e) in zip(checks, rows, strict=True)}
        answers = list(
            CheckAnswer.objects.filter(health_check__in=checks).order_by("health_check_id", "position")
        )
        # The failing enterprise's item: one per check, turning through the list.
        chosen = {}
        for c, (i, _e) in zip(checks, rows, strict=True):
            if fail_of[c.pk]:
                chosen[c.pk] = (i // FAILING_EVERY) % len(CHECKLIST)
        position = {}
        for a in answers:
            position.setdefault(a.health_check_id, []).append(a)
        failed_rows = {position[pk][n].pk: pk for pk, n in chosen.items()}
        services.selfchecks_submit(
            actor=office,
            answers={
                a.pk: services.SelfInput(answer="no" if a.pk in failed_rows else "yes") for a in answers
            },
            now=_at(opened + datetime.timedelta(days=2), 10),
        )
        reviews = {}
        for a in answers:
            if a.pk in failed_rows:
                n = len(follow_ups) + sum(1 for r in reviews.values() if r.risk != "pass")
                reviews[a.pk] = services.ReviewInput(
                    risk=RISKS[n % len(RISKS)], recommendation=advice[a.question][0]
                )
            else:
                reviews[a.pk] = services.ReviewInput(risk="pass")
        services.reviews_save(actor=reviewer.user, reviews=reviews)
        reported = _at(opened + datetime.timedelta(days=7), 10)
        services.reports_issue(actor=reviewer.user, checks=checks, now=reported)
        for a in CheckAnswer.objects.filter(pk__in=failed_rows).select_related("follow_up"):
            follow_ups.append((reported, a.follow_up, reviewer, advice[a.question][1]))
    # The oldest follow-ups were put right; the most recent are still being worked on.
    follow_ups.sort(key=lambda f: (f[0], f[1].pk))
    for reported, case, reviewer, fix in follow_ups[:SOLVED]:
        if case.status == Case.Status.NEW:
            # The desk kept the reviewer off it (a conflict of interest): the office puts the lead's choice on.
            desk.case_assign(
                actor=office, case=case, volunteer=reviewer, override_reason="体检整改跟进", now=reported
            )
        desk.case_finish(
            actor=reviewer.user,
            case=case,
            closure="solved",
            note=fix,
            now=reported + datetime.timedelta(days=9),
        )
    # Return visits made for every report whose visit fell before this week, but the expert's latest ones.
    expert = Volunteer.objects.filter(user=ctx["expert"]).first()
    due = HealthCheck.objects.filter(status="reported", visit_due__lt=today).select_related("reviewer__user")
    left = set(due.filter(reviewer=expert).order_by("-visit_due").values_list("pk", flat=True)[:3])
    visits: dict[int, list[services_visits.VisitInput]] = {}
    with_follow_up = set(
        CheckAnswer.objects.filter(follow_up__isnull=False).values_list("health_check_id", flat=True)
    )
    for check in due.order_by("pk"):
        if check.pk in left:
            continue
        note = (
            "回访确认整改措施已落实，制度和台账齐全。"
            if check.pk in with_follow_up
            else "回访确认各项用工管理保持合规。"
        )
        visits.setdefault(check.reviewer_id, []).append(
            services_visits.VisitInput(check, check.visit_due, note)
        )
    by_reviewer = {v.pk: v.user for v in lawyers}
    for reviewer_id, batch in visits.items():
        services_visits.visits_record(actor=by_reviewer[reviewer_id], visits=batch, today=today)
    _in_progress(wuyi, office, enterprises)


def _in_progress(wuyi, office, enterprises) -> None:
    """This year's re-checks at 泉溪镇's park: the ``enterprise`` login's self-check to fill, and self-checks
    handed in for the ``expert`` to review."""
    from dajia.accounts.models import RoleAssignment

    park = Park.objects.filter(federation=wuyi).order_by("pk").first()
    here = [e for e in enterprises if e.park_id == park.pk]
    with_contact = set(
        RoleAssignment.objects.filter(role="enterprise", enterprise__in=here).values_list(
            "enterprise_id", flat=True
        )
    )
    first = [e for e in here if e.pk in with_contact][:1] or here[:1]
    others = [e for e in here if e not in first][:3]
    now = timezone.now()
    services.checks_open(actor=office, enterprises=first, now=now)
    checks = services.checks_open(actor=office, enterprises=others, now=now - datetime.timedelta(days=3))
    answers = CheckAnswer.objects.filter(health_check__in=checks)
    services.selfchecks_submit(
        actor=office,
        answers={a.pk: services.SelfInput(answer="no" if a.position % 7 == 4 else "yes") for a in answers},
        now=now - datetime.timedelta(days=1),
    )
