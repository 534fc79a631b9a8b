"""Demo needs: a few hundred needs voiced by the workers of 下城区's 20 unions (and a few from 武义's parks), with
supports, statuses and the office's answers, two merged duplicates, a few corrected categories, and a finished
needs survey answered through each of the 20 unions' links (plus one still open).

The texts are generated from realistic fragments (what is wanted + why), deterministically."""

from __future__ import annotations

import datetime
import random
import secrets

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from dajia.accounts.models import Role, RoleAssignment, User
from dajia.demo.names import NameMaker
from dajia.menu.models import Category
from dajia.needs import services
from dajia.needs.models import Answer, Need, NeedUpdate, Question, Response, Support, Survey, SurveyInvite
from dajia.needs.suggest import default_suggester, tokenize

# category code → [(what is wanted, [why, …])], combined by PATTERNS; the weights below follow the seed's order of
# concern (文化活动的指导、安全技能培训、帮困服务、为老服务……).
FRAGMENTS: dict[str, list[tuple[str, list[str]]]] = {
    "safety": [
        ("组织消防安全培训", ["车间新员工多", "很多人不会用灭火器", "仓库里易燃物多", "外来务工人员流动大"]),
        ("请专业老师教心肺复苏和AED", ["去年厂里有工友突然晕倒", "车间离医院远", "班组里没人会急救"]),
        ("开展一次应急疏散演练", ["车间新员工多", "厂房通道窄，人多", "夜班人手少"]),
        ("讲讲夏季防暑降温", ["夏天车间温度高", "户外作业的工友多"]),
        ("教大家正确佩戴劳保用品", ["打磨车间粉尘大", "很多人嫌麻烦不戴", "外来务工人员流动大"]),
        ("请专家排查车间安全隐患", ["去年厂里出过小事故", "设备用了十几年", "大家安全意识还不够"]),
        ("普及用电安全知识", ["宿舍里私拉电线的多", "电动车在楼道里充电"]),
        ("开展职业病防护讲座", ["喷漆车间气味大", "噪声大的岗位多"]),
    ],
    "culture": [
        ("组建职工合唱团", ["厂里有不少文艺骨干", "想参加区里的职工文艺汇演"]),
        ("请老师来教广场舞", ["女职工多，下班后想活动活动", "下班后大家业余生活单调"]),
        ("办一场职工文艺汇演", ["年轻人多，喜欢热闹", "外地职工过节回不了家"]),
        ("开设书法和摄影兴趣班", ["职工之家的活动室空着", "周末大家没地方去"]),
        ("搞一次读书分享会", ["职工书屋的书没人看", "年轻人想多读点书"]),
        ("请越剧团来厂里演出", ["老职工爱听戏", "外地职工过节回不了家"]),
        ("组织趣味运动会", ["想增强团队凝聚力", "部门之间平时不熟"]),
        ("办个职工乐队", ["年轻人多，喜欢热闹", "有几个小伙子会弹吉他"]),
    ],
    "hardship": [
        ("对困难职工家庭多一些帮扶", ["有同事家里老人和孩子都生病", "单亲职工生活压力大"]),
        ("给大病职工申请救助", ["有工友得了重病，医药费负担重", "有同事做透析，自费部分太多"]),
        ("设立职工互助金", ["有职工家里遭遇变故", "一线职工收入不高"]),
        ("在街道设个户外劳动者爱心驿站", ["快递员、外卖骑手中午没地方歇脚", "环卫工人夏天没地方喝水"]),
        ("春节前走访慰问困难职工", ["一线职工收入不高", "有职工家里遭遇变故"]),
        ("帮困难职工的孩子申请助学金", ["单亲职工生活压力大", "有工友的孩子刚考上大学，学费还差一截"]),
    ],
    "elderly": [
        ("给退休职工开智能手机课", ["退休老职工不会用健康码和网上挂号", "老人想和外地的孙子视频"]),
        ("提供家中老人的照护指导", ["很多职工家里有卧床的老人", "父母年纪大了没人照顾"]),
        ("组织退休职工定期聚会", ["退休后老同事们很少见面", "老职工在家闷得慌"]),
        ("为独居老人安排上门探访", ["上班时老人一个人在家", "父母住在老家没人照看"]),
        ("开展防范养老诈骗宣传", ["老人常被保健品推销骗", "有退休职工被骗了养老钱"]),
        ("介绍日间照料和助餐服务", ["家里老人行动不便", "上班时老人一个人在家"]),
    ],
    "legal": [
        ("请律师来厂里开普法讲座", ["不少人入职时没签劳动合同", "加班费怎么算大家说不清"]),
        ("提供劳动合同方面的法律咨询", ["不少人入职时没签劳动合同", "劳务派遣工同工不同酬"]),
        ("帮忙讨回拖欠的工资", ["有工友被拖欠了两个月工资", "包工头跑了，工钱没着落"]),
        ("讲讲工伤认定和社保", ["有同事上班路上受伤不知道算不算工伤", "有人不清楚社保交了哪些"]),
        ("开展工资集体协商指导", ["企业效益下滑，大家担心被辞退", "几年没涨工资了"]),
        ("设立法律援助联系点", ["遇到劳动纠纷不知道找谁", "有工友被辞退没拿到补偿"]),
    ],
    "mental": [
        ("请心理咨询师来做减压辅导", ["订单多，大家工作压力很大", "年轻员工遇到挫折容易想不开"]),
        ("开通心理倾诉热线", ["有些心事不好当面讲", "外地员工逢年过节想家"]),
        ("开一期情绪管理课", ["客服每天面对投诉，情绪很难调节", "班组里经常为小事吵架"]),
        ("设一个减压室", ["订单多，大家工作压力很大", "很多人晚上失眠"]),
        ("给班组长讲讲怎么疏导员工情绪", ["年轻员工遇到挫折容易想不开", "新员工流失快"]),
    ],
    "children": [
        ("办小候鸟暑期托管班", ["孩子暑假没人照看", "老家的孩子暑假要来团聚"]),
        ("开设职工子女课后托管", ["放学早下班晚，孩子没人接", "双职工家庭带娃难"]),
        ("组织亲子阅读活动", ["孩子整天玩手机", "平时陪孩子的时间太少"]),
        ("请专家讲家庭教育", ["孩子整天玩手机", "孩子到了青春期不好沟通"]),
        ("办个暑期夏令营", ["孩子暑假没人照看", "老家的孩子暑假要来团聚"]),
    ],
    "skills": [
        ("开展电工考证培训", ["大家想多拿一个证", "持证上岗的要求越来越严"]),
        ("组织一次包装技能比武", ["企业想培养技术能手", "新员工手法不熟练"]),
        ("开设数控编程培训", ["新设备上线，老员工不会操作", "年轻人想提升自己"]),
        ("提供学历提升的渠道", ["很多人只有初中学历", "年轻人想提升自己"]),
        ("开展师带徒结对", ["老师傅快退休了手艺没人接", "新员工上手慢"]),
        ("开设办公软件和短视频课程", ["年轻人想提升自己", "公司想在网上卖货"]),
    ],
    "health": [
        ("组织三甲医院医生进企业义诊", ["体检报告里异常的人越来越多", "很多人血压偏高"]),
        ("增加体检项目", ["体检报告里异常的人越来越多", "现在只查最基本的几项"]),
        ("开展女职工两癌筛查", ["女职工多", "有女同事查出了乳腺结节"]),
        ("讲讲颈椎腰椎的保健", ["久坐办公的人颈椎都不好", "一线工人长期站立腰酸背痛"]),
        ("在厂里建个健身角", ["大家体重普遍超标", "下班后没地方锻炼"]),
        ("开设营养膳食讲座", ["很多人血压偏高", "上夜班作息不规律，胃不好"]),
    ],
    "matchmaking": [
        ("组织单身青年联谊活动", ["厂里男多女少，小伙子找对象难", "单身职工多，平时没机会认识人"]),
        ("和附近企业合办交友会", ["厂里男多女少，小伙子找对象难", "外地来的年轻人在这边没人介绍"]),
        ("请老师讲恋爱沟通", ["大龄青年家里催婚", "谈了几个都没成"]),
        ("七夕办个交友派对", ["单身职工多，平时没机会认识人", "大龄青年家里催婚"]),
    ],
    "tax": [
        ("请税务师讲讲小微企业税收优惠", ["新出的减税政策不太清楚", "园区企业大多没有专职会计"]),
        ("提供代理记账和报税辅导", ["园区企业大多没有专职会计", "账目比较乱"]),
        ("讲讲增值税发票的管理", ["开票不规范怕有税务风险", "客户经常要专票"]),
        ("帮企业做一次财务规范体检", ["账目比较乱", "开票不规范怕有税务风险"]),
    ],
    "finance": [
        ("请银行到园区对接贷款", ["订单多了资金周转不过来", "小企业没有抵押物贷款难"]),
        ("介绍创业担保贷款和贴息政策", ["想扩大生产但缺资金", "小企业没有抵押物贷款难"]),
        ("讲讲防范非法集资", ["有职工被高息理财骗了", "有人拉工友去投资"]),
        ("帮企业做融资规划", ["原材料涨价要提前备货", "订单多了资金周转不过来"]),
    ],
}

# Needs whose wording misleads the suggestion: the office corrected their category (and Dajia learns from it).
CORRECTED = [
    ("hardship", "食堂饭菜越来越贵，一线工人吃不起，希望工会给点餐补"),
    ("culture", "想组织职工去周边踏青，顺便看看非遗老街"),
    ("health", "车间里太闷了，好多人下午头晕，希望改善通风"),
    ("skills", "希望教大家用手机上的线上审批和打卡系统，老员工总出错"),
    ("mental", "新来的大学生说上班像坐牢，每天都不想起床"),
    ("legal", "主管口头答应的提成一直没兑现，没有书面凭证怎么办"),
]

XIACHENG_COUNTS = {
    "safety": 42,
    "culture": 38,
    "hardship": 34,
    "elderly": 30,
    "legal": 30,
    "children": 28,
    "mental": 26,
    "skills": 24,
    "health": 22,
    "matchmaking": 14,
    "tax": 4,
    "finance": 4,
}
WUYI_COUNTS = {"tax": 8, "finance": 9, "legal": 7, "safety": 4}

PATTERNS = [
    "希望{w}，{r}",
    "{r}，希望{w}",
    "{r}，能不能{w}？",
    "建议工会{w}，因为{r}",
    "{r}。想请工会{w}",
    "{w}，{r}，盼望早点安排",
]

ANSWERS = {
    Need.Status.HANDLING: [
        "已收到，正在与相关社会组织联系，了解服务方案和价格。",
        "已转交区总工会职工服务部，正在调研各基层工会的类似需求。",
        "已和企业工会沟通，近期将上门了解具体情况。",
    ],
    Need.Status.ANSWERED: [
        "该需求已列入今年工会购买服务的备选项目，协商会后将公布入选的服务和时间安排。",
        "区总工会菜单里已有对口服务，请企业工会主席在“服务菜单”中点单，我们会尽快派单。",
        "已与服务机构确认，可按月安排服务，请企业工会提供合适的场地和时间。",
    ],
    Need.Status.RESOLVED: [
        "服务已在企业开展，参加职工反馈良好。感谢提出！",
        "已完成对接并安排了首场服务，后续将定期开展。",
    ],
    Need.Status.DECLINED: [
        "该事项属于企业内部管理范围，建议通过职工代表大会与企业协商解决；如遇劳动纠纷可申请法律援助。",
        "内容与已有需求重复且已在办理，请关注并附议原需求。",
    ],
}


def _text(rng: random.Random, code: str, used: set[str]) -> str:
    for _attempt in range(30):
        want, reasons = rng.choice(FRAGMENTS[code])
        text = rng.choice(PATTERNS).format(w=want, r=rng.choice(reasons))
        if text not in used:
            used.add(text)
            return text
    return text


def _workers(ctx: dict, rng: random.Random) -> dict[int, list[User]]:
    """A handful of worker accounts per union (they raise and support needs); no password (demo voices)."""
    names = NameMaker(2021)
    unusable = make_password(None)
    users = []
    plan = []
    for union in ctx["unions"]:
        for _i in range(rng.randint(5, 9)):
            full = names.name()
            users.append(
                User(
                    username=f"w{len(users) + 1:03d}",
                    last_name=full[:1],
                    first_name=full[1:],
                    password=unusable,
                )
            )
            plan.append(union)
    created = User.objects.bulk_create(users)
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role=Role.WORKER, union=union) for u, union in zip(created, plan, strict=True)
    )
    by_union: dict[int, list[User]] = {}
    for user, union in zip(created, plan, strict=True):
        by_union.setdefault(union.pk, []).append(user)
    return by_union


def build(ctx: dict) -> None:
    rng = random.Random(2020)  # noqa: S311 - reproducible demo data, not a secret
    now = timezone.now()
    categories = {c.code: c for c in Category.objects.all()}
    suggester = default_suggester()
    unions = ctx["unions"]
    by_union = _workers(ctx, rng)
    everyone = [u for users in by_union.values() for u in users]
    office = ctx["office"]
    worker = ctx["worker"]
    # The demo "worker" login is a member of the first union (the foundation links it).

    used: set[str] = set()
    plan: list[tuple[str, object, object]] = []  # (code, union or None, park or None)
    for code, n in XIACHENG_COUNTS.items():
        for _ in range(n):
            plan.append((code, rng.choice(unions), None))
    parks = list(ctx["wuyi"].parks.all())
    for code, n in WUYI_COUNTS.items():
        for _ in range(n):
            plan.append((code, None, rng.choice(parks)))
    rng.shuffle(plan)
    fixed = {rng.randrange(len(plan)): item for item in CORRECTED}
    for index, (code, text) in fixed.items():
        plan[index] = (code, rng.choice(unions), None)
        used.add(text)

    needs: list[Need] = []
    for i, (code, union, park) in enumerate(plan):
        text = fixed[i][1] if i in fixed else _text(rng, code, used)
        if union is not None:
            author = worker if i in (3, 40, 77) else rng.choice(by_union[union.pk])
            voice = Need.Voice.WORKER
            if rng.random() < 0.12:
                author = ctx["chairs"][unions.index(union)]
                voice = Need.Voice.UNION
        else:
            # 武义's park needs come from its enterprises; the county office records them on its park visits
            # (a 下城区 account never speaks for another federation's park).
            author = ctx["wuyi_office"]
            voice = Need.Voice.ENTERPRISE
        suggestion = suggester.suggest(text)
        suggested = categories.get(suggestion.code) if suggestion else None
        intended = categories[code]
        needs.append(
            Need(
                federation=union.federation if union else park.federation,
                union=union,
                park=park,
                author=author,
                voice=voice,
                text=text,
                anonymous=rng.random() < 0.25,
                tokens=" ".join(tokenize(text)),
                suggested_category=suggested,
                category=intended,
                # Where Dajia suggested another category, the office corrected it (and Dajia learns from that).
                category_by=(
                    Need.CategoryBy.SUGGESTED
                    if suggested == intended and i not in fixed
                    else Need.CategoryBy.OFFICE
                ),
            )
        )
    needs = Need.objects.bulk_create(needs)
    for need in needs:
        need.created_at = now - datetime.timedelta(days=rng.randint(1, 180), minutes=rng.randint(0, 1440))
    Need.objects.bulk_update(needs, ["created_at"])

    # Supports: a few needs gather many voices, most a few; never the author's own, never twice.
    supports = []
    for need in needs:
        if need.union_id is None:
            continue  # a 武义 park's need: the demo's accounts are 下城区's, who never see it
        pool = by_union[need.union_id]
        wanted = min(int(rng.paretovariate(1.3)) - 1 + rng.randint(0, 3), 25)
        others = [u for u in (pool + rng.sample(everyone, 10)) if u.pk != need.author_id]
        for user in {u.pk: u for u in rng.sample(others, min(wanted, len(others)))}.values():
            supports.append(Support(need=need, user=user))
    Support.objects.bulk_create(supports, ignore_conflicts=True)
    Need.objects.filter(pk__in=[need.pk for need in needs]).recount_supports()

    # Statuses and the office's answers (some only for the person who raised the need).
    updates = []
    for need in needs:
        updates.append(
            NeedUpdate(
                need=need, status=Need.Status.RECEIVED, message="已收到，总工会将尽快处理并在这里答复。"
            )
        )
        roll = rng.random()
        steps: list[str] = []
        if roll < 0.08:
            steps = [Need.Status.DECLINED]
        elif roll < 0.4:
            steps = []
        elif roll < 0.65:
            steps = [Need.Status.HANDLING]
        elif roll < 0.87:
            steps = [Need.Status.HANDLING, Need.Status.ANSWERED]
        else:
            steps = [Need.Status.HANDLING, Need.Status.ANSWERED, Need.Status.RESOLVED]
        for status in steps:
            updates.append(
                NeedUpdate(
                    need=need,
                    status=status,
                    message=rng.choice(ANSWERS[status]),
                    public=rng.random() > 0.1,
                    actor=office if need.federation_id == ctx["xiacheng"].pk else ctx.get("wuyi_office"),
                )
            )
        if steps:
            need.status = steps[-1]
    NeedUpdate.objects.bulk_create(updates)
    Need.objects.bulk_update(needs, ["status"])

    # Two duplicates raised again in other words, merged by the office.
    for original_index, text in ((0, None), (1, None)):
        original = needs[original_index]
        if original.union_id is None or original.status == Need.Status.DECLINED:
            continue
        copy = services.need_create(
            actor=rng.choice([u for u in by_union[original.union_id] if u.pk != original.author_id]),
            text=text or original.text.replace("希望", "很希望").replace("，", "，而且") + "。",
            union=original.union,
        )
        services.need_merge(actor=office, source=copy, target=original)

    _survey(ctx, rng, everyone)


# ---- the surveys --------------------------------------------------------------------------------------------

# Each union's own profile of demand: a weight per category (manufacturing → safety and skills, services → mental
# and health, …), so the per-union rankings differ like real ones.
BASE_WEIGHTS = {
    "safety": 10,
    "culture": 9,
    "hardship": 7,
    "elderly": 7,
    "legal": 6,
    "children": 7,
    "mental": 6,
    "skills": 6,
    "health": 6,
    "matchmaking": 3,
    "tax": 1,
    "finance": 1,
}
PROFILES = {
    "制造": {"safety": 8, "skills": 6},
    "机械": {"safety": 8, "skills": 6},
    "电子": {"skills": 5, "mental": 3},
    "建设": {"safety": 10, "legal": 4},
    "物流": {"safety": 5, "legal": 4, "hardship": 3},
    "物业": {"elderly": 4, "hardship": 4},
    "环境": {"hardship": 6, "health": 3},
    "酒店": {"mental": 5, "matchmaking": 3},
    "餐饮": {"health": 4, "mental": 3},
    "软件": {"mental": 6, "matchmaking": 5, "health": 3},
    "医疗": {"health": 5, "mental": 3},
    "食品": {"safety": 5, "health": 3},
    "服装": {"children": 5, "culture": 3},
    "百货": {"culture": 3, "children": 3},
}


def _weights(union_name: str) -> dict[str, int]:
    weights = dict(BASE_WEIGHTS)
    for word, extra in PROFILES.items():
        if word in union_name:
            for code, add in extra.items():
                weights[code] += add
    return weights


def _pick(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    pool = dict(weights)
    out = []
    for _ in range(k):
        codes = list(pool)
        choice = rng.choices(codes, [pool[c] for c in codes])[0]
        out.append(choice)
        del pool[choice]
    return out


def _survey(ctx: dict, rng: random.Random, everyone: list[User]) -> None:
    xiacheng, office, unions = ctx["xiacheng"], ctx["office"], ctx["unions"]
    categories = list(Category.objects.active())
    start = timezone.now() - datetime.timedelta(days=60)
    survey = Survey.objects.create(
        federation=xiacheng,
        title="2020年下城区职工服务需求调研问卷",
        intro="为了按照职工群众最关心的需求选择服务项目，请花两分钟填写。问卷不记名。",
        state=Survey.State.CLOSED,
        opened_at=start,
        closed_at=start + datetime.timedelta(days=21),
        created_by=office,
    )
    q_rank = Question.objects.create(
        survey=survey,
        position=1,
        kind=Question.Kind.RANKING,
        text="您最希望工会购买哪些服务？请选出最需要的3类并排序",
        rank_limit=3,
    )
    q_rank.categories.set(categories)
    q_time = Question.objects.create(
        survey=survey,
        position=2,
        kind=Question.Kind.SINGLE,
        text="您最方便参加哪个时段的活动？",
        options=["工作日午休", "工作日下班后", "周末白天", "周末晚上"],
    )
    q_form = Question.objects.create(
        survey=survey,
        position=3,
        kind=Question.Kind.MULTIPLE,
        text="您希望以什么形式参加服务？（可多选）",
        options=["线下集中活动", "线上课程或直播", "服务人员进车间、上门", "一对一咨询"],
    )
    q_rate = Question.objects.create(
        survey=survey, position=4, kind=Question.Kind.RATING, text="您对去年工会提供的服务满意吗？"
    )
    q_text = Question.objects.create(
        survey=survey,
        position=5,
        kind=Question.Kind.TEXT,
        text="您还有什么心里话想对工会说？",
        required=False,
    )
    remarks = [
        "希望活动时间能照顾到倒班的职工",
        "服务项目能不能提前公布菜单，让我们自己选",
        "希望多办一些进车间的服务，下班后大家都累了",
        "去年的急救培训很实用，希望继续",
        "希望小候鸟班名额多一点",
        "法律讲座可以再具体一些，多讲案例",
        "",
        "",
        "",
    ]
    invites = []
    for i, union in enumerate(unions):
        invites.append(
            SurveyInvite(
                survey=survey,
                union=union,
                token=secrets.token_urlsafe(16),
                expected=(union.members // 2) if i % 4 == 0 else None,
            )
        )
    invites = SurveyInvite.objects.bulk_create(invites)
    responses: list[Response] = []
    answers: list[tuple[int, Question, object]] = []
    for invite, union in zip(invites, unions, strict=True):
        base = invite.expected or union.members
        rate = rng.uniform(0.18, 0.62)
        weights = _weights(union.name)
        for _ in range(max(3, int(base * rate))):
            index = len(responses)
            responses.append(
                Response(
                    survey=survey,
                    invite=invite,
                    submission_id=f"demo-{index}",
                    source=Response.Source.PAPER if rng.random() < 0.15 else Response.Source.LINK,
                )
            )
            answers.append((index, q_rank, _pick(rng, weights, rng.choice([3, 3, 3, 2]))))
            answers.append((index, q_time, rng.choices(range(4), [3, 5, 4, 1])[0]))
            answers.append((index, q_form, sorted(rng.sample(range(4), rng.choice([1, 1, 2, 2, 3])))))
            answers.append((index, q_rate, rng.choices(range(1, 6), [1, 2, 6, 10, 8])[0]))
            remark = rng.choice(remarks)
            if remark:
                answers.append((index, q_text, remark))
    responses = Response.objects.bulk_create(responses, batch_size=500)
    Answer.objects.bulk_create(
        (Answer(response=responses[i], question=q, value=v) for i, q, v in answers), batch_size=1000
    )
    Response.objects.filter(survey=survey).update(created_at=start + datetime.timedelta(days=7))

    # A second survey, open now, sent to five unions so far: the office watches the response rate grow.
    current = Survey.objects.create(
        federation=xiacheng,
        title="2021年上半年职工服务满意度与新需求调研",
        intro="请告诉我们今年最需要的服务。",
        state=Survey.State.OPEN,
        opened_at=timezone.now() - datetime.timedelta(days=3),
        closes_at=timezone.now() + datetime.timedelta(days=14),
        created_by=office,
    )
    rank2 = Question.objects.create(
        survey=current,
        position=1,
        kind=Question.Kind.RANKING,
        text="今年您最需要哪3类服务？请排序",
        rank_limit=3,
    )
    rank2.categories.set(categories)
    Question.objects.create(
        survey=current, position=2, kind=Question.Kind.RATING, text="您对本单位工会服务的总体评价"
    )
    Question.objects.create(
        survey=current, position=3, kind=Question.Kind.TEXT, text="其他意见和建议", required=False
    )
    for union in unions[:5]:
        invite = SurveyInvite.objects.create(survey=current, union=union, token=secrets.token_urlsafe(16))
        for n in range(rng.randint(2, 9)):
            response = Response.objects.create(
                survey=current, invite=invite, submission_id=f"demo2-{union.pk}-{n}"
            )
            Answer.objects.create(
                response=response, question=rank2, value=_pick(rng, _weights(union.name), 3)
            )
