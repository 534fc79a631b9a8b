"""Demo of the lectures at 武义县: the federation's menu of topics per specialty (the seed's “菜单式”普法讲座), and
the seed's 5 delivered lectures — requested by 泉溪镇's park office or its enterprise contact, scheduled by the
office or the park team's lead, signed in by QR code and marked delivered — plus one scheduled for next week
(the ``expert`` login speaks) and one still requested (on the office's workbench). Everything is written
through the services, each at the time it would have happened, so attendance is the sign-ins."""

from __future__ import annotations

import datetime

from django.utils import timezone

from dajia.accounts.models import Role, RoleAssignment
from dajia.demo.wuyi import enterprises
from dajia.desk.models import Volunteer
from dajia.lectures import services
from dajia.orgs.models import Park

# (specialty, title, minutes, summary)
TOPICS = [
    (
        "lawyer",
        "劳动合同签订与解除",
        90,
        "书面合同的订立时限、试用期、无固定期限合同，以及解除合同的程序和经济补偿。",
    ),
    ("lawyer", "工资支付与加班费", 90, "工资按时足额支付、加班费的计算基数与标准、拖欠工资的法律责任。"),
    ("lawyer", "工伤认定与职业病防治", 60, "工伤认定申请时限、停工留薪期待遇，以及车间职业病危害的预防。"),
    ("accountant", "社会保险缴纳", 60, "五险的缴费基数、比例与补缴，灵活就业人员与新入职员工的参保。"),
    ("tax", "税收优惠政策", 90, "小规模纳税人增值税减免、小型微利企业所得税优惠、研发费用加计扣除。"),
    ("tax", "电子发票与纳税申报", 60, "数电发票的开具与红冲，按期申报与常见差错。"),
    ("finance", "小微企业融资", 90, "信用贷款、抵押与担保、政策性融资担保和贴息，如何准备贷款材料。"),
    ("finance", "防范非法集资与电信诈骗", 45, "识别非法集资的常见手法，财务人员防范冒充领导转账诈骗。"),
]

# (topic index, days ago, hour, places, sign-ins, requester: "park" or "enterprise", speaker's username)
DELIVERED = [
    (0, 150, 14, 60, 48, "park", "expert"),
    (3, 118, 9, 40, 31, "enterprise", "tax01"),
    (6, 86, 14, 50, 42, "park", "bank01"),
    (1, 52, 14, 60, 55, "park", "lawyer02"),
    (4, 20, 9, 45, 37, "enterprise", "tax01"),
]


def _at(now: datetime.datetime, days: int, hour: int) -> datetime.datetime:
    day = timezone.localtime(now).date() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def build(ctx) -> None:
    wuyi, names, office = ctx["wuyi"], ctx["names"], ctx["wuyi_office"]
    park = Park.objects.filter(federation=wuyi).order_by("pk").first()
    park_office = RoleAssignment.objects.get(role=Role.PARK, park=park).user
    contact_row = RoleAssignment.objects.filter(role=Role.ENTERPRISE, enterprise__park=park).first()
    contact, enterprise = contact_row.user, contact_row.enterprise
    speakers = {v.user.username: v for v in Volunteer.objects.filter(federation=wuyi).select_related("user")}
    lead = park.team.lead.user
    now = timezone.now()
    first = _at(now, 200, 9)
    topics = [
        services.topic_save(
            actor=office,
            federation_id=wuyi.pk,
            specialty=specialty,
            title=title,
            minutes=minutes,
            summary=summary,
        )
        for specialty, title, minutes, summary in TOPICS
    ]
    workplaces = [e.name for e in enterprises(wuyi, 40) if e.park_id == park.pk] or [enterprise.name]

    def request(topic, by: str, requested_at, audience: int):
        if by == "enterprise":
            return services.lecture_request(
                actor=contact,
                topic=topic,
                enterprise=enterprise,
                preferred_dates="工作日下午均可",
                place=f"{enterprise.name}会议室",
                expected_audience=audience,
                now=requested_at,
            )
        return services.lecture_request(
            actor=park_office,
            topic=topic,
            park=park,
            preferred_dates="本月内任一周二或周四",
            place=f"{park.name}党群服务中心",
            expected_audience=audience,
            now=requested_at,
        )

    for i, (topic_index, days, hour, places, signed, by, speaker) in enumerate(DELIVERED):
        starts_at = _at(now, days, hour)
        requested_at = max(first, starts_at - datetime.timedelta(days=14))
        lecture = request(topics[topic_index], by, requested_at, places - 5)
        lecture = services.lecture_schedule(
            actor=office if i % 2 else lead,
            lecture=lecture,
            starts_at=starts_at,
            place=lecture.place,
            capacity=places,
            speaker=speakers[speaker],
            now=requested_at + datetime.timedelta(days=2),
        )
        for seat in range(signed):
            services.lecture_sign_in(
                lecture=lecture,
                device=f"demo-lecture-{lecture.pk}-{seat:04d}",
                name=names.name(),
                union_name=workplaces[seat % len(workplaces)],
                now=starts_at - datetime.timedelta(minutes=15) + datetime.timedelta(seconds=20 * seat),
            )
        services.lecture_deliver(
            actor=speakers[speaker].user,
            lecture=lecture,
            now=starts_at + datetime.timedelta(minutes=lecture.topic.minutes),
        )
    # One scheduled for next week, the expert speaking (their workbench's “next lectures”).
    lecture = request(topics[2], "park", now - datetime.timedelta(days=3), 40)
    services.lecture_schedule(
        actor=lead,
        lecture=lecture,
        starts_at=_at(now, -7, 14),
        place=lecture.place,
        capacity=50,
        speaker=speakers["expert"],
        now=now - datetime.timedelta(days=1),
    )
    # One waiting for the office or the lead to schedule it.
    request(topics[6], "enterprise", now - datetime.timedelta(days=1), 25)
