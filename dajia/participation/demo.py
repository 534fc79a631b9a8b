"""Demo: the online side of the 2020 session ("当天的活动还在传统协商沟通基础上进行了线上直播,通过线上、线下的多元
互动,吸引了更多的企业和职工参与其中").

A few hundred verified viewers supported up to three projects each while the session was live; the office
moderated their comments (approved, rejected — one by the word list — and answered), recorded the chairs'
suggestions from the floor ("希望社会组织给予更加详细的菜单式服务…"; one viewer's question was never reached), and
during the 公示 window two real-name objections came in, both answered within it.

The session is already published when this runs, so supports and viewers' comments are written as the record of
what happened (the live services refuse a closed session); moderation, answers, floor suggestions and the
objection responses go through the services, on the demo clock set to the day they happened (2020).
"""

from __future__ import annotations

import datetime
import random

from dajia.consultations.models import Session
from dajia.core.validators import mask_mobile
from dajia.demo import clock
from dajia.notices.models import Objection
from dajia.notices.services import objection_respond
from dajia.participation import identity
from dajia.participation.models import (
    Comment,
    LiveSettings,
    SensitiveWord,
    Support,
    SupportCount,
    Viewer,
)
from dajia.participation.services_comments import comment_answer, comment_moderate, floor_suggestion_record

VIEWERS = 326
# Online popularity is not the panel's judgement: parents liked the summer class, retirees the phone class.
POPULARITY = {
    "“小候鸟”暑期托管班": 9.0,
    "职工心理减压工作坊": 7.0,
    "退休职工智能手机课堂": 6.5,
    "企业消防安全与应急疏散演练": 5.0,
    "职工健康义诊进企业": 5.0,
    "困难职工家庭入户帮扶": 4.0,
    "职工合唱团组建与指导": 3.5,
    "菜单式普法讲座": 3.0,
    "电工技能提升与考证辅导": 2.5,
}
WORDS = ["刷票", "代投", "加微信", "返利"]
COMMENTS = [
    # (project title or None, text, outcome: approve | reject | auto, answer)
    (
        "“小候鸟”暑期托管班",
        "双职工家庭暑假最头疼的就是孩子没人管，希望托管班能多开几个点，离厂区近一点。",
        "approve",
        "已转告承办机构，明年将按企业分布增设服务点，具体安排以点单为准。",
    ),
    (
        "退休职工智能手机课堂",
        "我们小区很多退休老人不会用手机挂号，这个课很实用，支持！",
        "approve",
        "",
    ),
    (
        "职工心理减压工作坊",
        "一线员工三班倒，希望工作坊能安排在夜班交接前后，方便大家参加。",
        "approve",
        "好的建议，已列入协议的服务时间要求。",
    ),
    (None, "直播很清楚，希望以后每年都能在线上看到协商会。", "approve", ""),
    (None, "帮忙加微信群，一起给某个项目刷票，有返利。", "auto", ""),
    ("职工合唱团组建与指导", "这个机构上次活动迟到了半小时，不靠谱。", "reject", ""),
    (
        "企业消防安全与应急疏散演练",
        "能不能把演练做到小微企业园里去？我们园区企业多、人员密集。",
        "pending",
        "",
    ),
]
FLOOR = [
    (
        "基层工会主席",
        "希望社会组织给予更加详细的菜单式服务,与工会组织需求能够充分对接,让更多专业化、有特色的项目参与到工会服务当中。",
        "已请各社会组织在服务菜单中补充每个项目的内容、形式、频次和价格明细。",
    ),
    (
        "区政协工会界别委员",
        "希望更多的企业和职工参与其中,选出职工关心、企业关注、群众喜爱、便于参与的好项目。",
        "",
    ),
]


def _pick(rng: random.Random, weights: dict[int, float], k: int) -> list[int]:
    pool = dict(weights)
    chosen = []
    for _ in range(min(k, len(pool))):
        ids = list(pool)
        picked = rng.choices(ids, weights=[pool[i] for i in ids])[0]
        chosen.append(picked)
        pool.pop(picked)
    return chosen


def _viewers(ctx, session: Session, rng: random.Random) -> list[Viewer]:
    start = session.starts_at
    numbers: set[str] = set()
    viewers = []
    while len(numbers) < VIEWERS:
        number = ctx["names"].mobile()
        if number in numbers:
            continue
        numbers.add(number)
        at = start + datetime.timedelta(minutes=rng.uniform(0, 150))
        viewers.append(
            Viewer(
                session=session,
                mobile_hash=identity.viewer_hash(session.pk, number),
                mobile_masked=mask_mobile(number),
                verified_at=at,
                last_verified_at=at,
            )
        )
    return Viewer.objects.bulk_create(viewers)


def build(ctx) -> None:
    session = ctx["sessions"]["history"]
    with clock.history(session.starts_at) as time:
        _record(ctx, session, time)


def _record(ctx, session: Session, time: clock.Clock) -> None:
    office = ctx["office"]
    rng = random.Random(20200918)  # noqa: S311 - demo data, reproducible on purpose
    for word in WORDS:
        SensitiveWord.objects.get_or_create(
            federation=ctx["xiacheng"], word=word, defaults={"created_by": office}
        )

    entries = {e.project.title: e for e in session.entries.select_related("project")}
    weights = {entries[t].pk: w for t, w in POPULARITY.items() if t in entries}
    viewers = _viewers(ctx, session, rng)
    supports = []
    counts = dict.fromkeys(weights, 0)
    for viewer in viewers:
        k = rng.choices([1, 2, 3], weights=[2, 3, 5])[0]
        for entry_id in _pick(rng, weights, min(k, session.support_limit)):
            at = viewer.verified_at + datetime.timedelta(seconds=rng.uniform(5, 900))
            supports.append(
                Support(
                    session=session,
                    viewer=viewer,
                    entry_id=entry_id,
                    created_at=at,
                    ip=f"192.0.2.{rng.randrange(1, 255)}",
                )
            )
            counts[entry_id] += 1
    Support.objects.bulk_create(supports, batch_size=500)
    SupportCount.objects.bulk_create(
        [SupportCount(entry_id=pk, session=session, supports=n) for pk, n in counts.items()]
    )
    LiveSettings.objects.update_or_create(session=session, defaults={"viewers": len(viewers)})

    at = session.starts_at + datetime.timedelta(minutes=20)
    for index, (title, text, outcome, answer) in enumerate(COMMENTS):
        viewer = viewers[index * 7]
        auto = outcome == "auto"
        comment = Comment.objects.create(
            session=session,
            entry=entries.get(title) if title else None,
            viewer=viewer,
            kind=Comment.Kind.SUGGESTION if "希望" in text else Comment.Kind.COMMENT,
            author_label=viewer.public_label,
            text=text,
            status=Comment.Status.REJECTED if auto else Comment.Status.PENDING,
            status_reason="包含不宜公开的词语：刷票、加微信、返利。" if auto else "",
            auto_rejected=auto,
            moderated_at=at if auto else None,
            created_at=at + datetime.timedelta(minutes=9 * index),
        )
        time.set(comment.created_at + datetime.timedelta(minutes=4))
        if outcome == "approve":
            comment_moderate(actor=office, comment=comment, approve=True)
            if answer:
                comment_answer(actor=office, comment=comment, answer=answer)
        elif outcome == "reject":
            comment_moderate(
                actor=office,
                comment=comment,
                approve=False,
                reason="涉及对具体机构的未经核实的指责，请通过书面渠道反映。",
            )
    for n, (speaker, text, answer) in enumerate(FLOOR):
        time.set(session.closed_at + datetime.timedelta(minutes=n - 4))
        comment = floor_suggestion_record(actor=office, session=session, text=text, speaker=speaker)
        if answer:
            comment_answer(actor=office, comment=comment, answer=answer)

    # Filed on the first working days of the window, answered before it closes.
    published = session.published_at
    objections = [
        (
            "职工健康义诊进企业",
            "该项目得分偏低可能与评委不了解项目有关，申请复核评分。项目已在三家企业试点，职工反映良好。",
            "经复核，评分表均完整有效，计分按公布的规则进行（去掉最高分和最低分后按组加权），结果无误；"
            "欢迎该机构明年继续申报，并在展示中补充试点数据。",
        ),
        (
            "电工技能提升与考证辅导",
            "项目报价包含考证费用，与其他项目口径不一致，建议说明比较方法。",
            "评委按协商会公布的四个维度对服务内容打分，报价不计入得分；预算只在排序确定后按报价依次安排。"
            "考证费用是否列入报价由机构自行说明，已在结果页补充各项目的报价口径。",
        ),
    ]
    for n, (title, reasons, response) in enumerate(objections):
        objection = Objection.objects.create(
            session=session,
            entry=entries[title],
            name=ctx["names"].name(),
            mobile=ctx["names"].mobile(),
            mobile_verified=True,
            reasons=reasons,
            filed_at=published + datetime.timedelta(days=3 + n, hours=-6 + 3 * n),
        )
        time.set(objection.filed_at + datetime.timedelta(days=2))
        objection_respond(actor=office, objection=objection, upheld=False, response=response)
