"""The seed's world: 下城区总工会 with its 9 social organisations, 20 grassroots unions and 8 CPPCC members;
武义县总工会 with its 6 small and micro enterprise parks; one login per role."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.hashers import make_password

from dajia.accounts.models import Person, Role, RoleAssignment, User
from dajia.demo.codes import uscc
from dajia.demo.names import NameMaker
from dajia.menu.defaults import install_default_categories
from dajia.menu.models import Category, ServiceProject
from dajia.menu.services import title_search_keys
from dajia.orgs.models import Enterprise, Federation, Park, Provider, Union

DEMO_PASSWORD = "dajia2020"  # noqa: S105 - printed on purpose: demo logins for a laptop

# (name, introduction, has_union, [(category code, title, description, format, audience, minutes, price, cap, n)])
PROVIDERS = [
    (
        "杭州市下城区文艺之家文化发展中心",
        "扎根下城十余年的文艺类社会组织，组织职工合唱、舞蹈、越剧兴趣班。",
        True,
        [
            (
                "culture",
                "职工合唱团组建与指导",
                "派驻专业声乐老师，帮助基层工会组建职工合唱团，每月集中排练，指导参加区职工文艺汇演。",
                "offline",
                "企业职工、文艺骨干",
                120,
                "1800.00",
                40,
                12,
            ),
            (
                "culture",
                "越剧进车间",
                "越剧名段欣赏与身段体验，演员走进车间和职工之家，把传统文化送到一线。",
                "offline",
                "一线职工",
                90,
                "2500.00",
                80,
                6,
            ),
            (
                "culture",
                "职工书法摄影兴趣课",
                "书法和手机摄影两门兴趣课，线上讲解与线下采风结合，作品择优参加职工文化节。",
                "hybrid",
                "职工及家属",
                90,
                "1200.00",
                30,
                10,
            ),
        ],
    ),
    (
        "下城区安心安全技能培训中心",
        "专注企业安全生产与应急救护培训的民办非企业单位。",
        False,
        [
            (
                "safety",
                "企业消防安全与应急疏散演练",
                "结合企业实际场景讲解消防器材使用，组织一次全员应急疏散演练并出具隐患整改建议。",
                "offline",
                "企业全体职工",
                120,
                "3000.00",
                100,
                8,
            ),
            (
                "safety",
                "急救技能（心肺复苏+AED）培训",
                "红十字持证讲师授课，心肺复苏与AED实操考核，合格者获得救护员证书。",
                "offline",
                "班组长、一线职工",
                180,
                "2200.00",
                30,
                12,
            ),
        ],
    ),
    (
        "下城区暖心帮困服务社",
        "为困难职工家庭提供入户走访、政策申请和生活帮扶的公益组织。",
        True,
        [
            (
                "hardship",
                "困难职工家庭入户帮扶",
                "社工入户评估困难职工家庭需求，协助申请救助政策，链接爱心资源，跟踪回访三个月。",
                "offline",
                "困难职工家庭",
                120,
                "1500.00",
                10,
                20,
            ),
            (
                "hardship",
                "大病职工关爱计划",
                "为患大病职工提供就医陪诊、医保报销指导和心理陪伴。",
                "offline",
                "大病职工及家属",
                120,
                "1600.00",
                8,
                12,
            ),
        ],
    ),
    (
        "杭州市下城区颐乐为老服务中心",
        "提供社区居家养老和退休职工关爱服务。",
        False,
        [
            (
                "elderly",
                "退休职工智能手机课堂",
                "手把手教退休职工使用健康码、网上挂号、视频通话和防范电信诈骗。",
                "offline",
                "退休职工",
                90,
                "900.00",
                30,
                16,
            ),
            (
                "elderly",
                "职工家中老人居家照护指导",
                "护理师讲解失能老人照护、防跌倒和适老化改造，帮助职工兼顾工作与照料。",
                "hybrid",
                "家有老人的职工",
                90,
                "1100.00",
                50,
                8,
            ),
        ],
    ),
    (
        "下城区心桥心理咨询服务中心",
        "国家二级心理咨询师团队，服务企业员工心理健康（EAP）。",
        True,
        [
            (
                "mental",
                "职工心理减压工作坊",
                "通过团体辅导、正念练习和沙盘体验，帮助职工识别压力、调节情绪。",
                "offline",
                "企业职工",
                120,
                "2800.00",
                25,
                10,
            ),
            (
                "mental",
                "心理咨询热线与线上倾诉",
                "每周固定时段线上一对一心理咨询，保护隐私，必要时转介专业机构。",
                "online",
                "有心理困扰的职工",
                60,
                "600.00",
                1,
                50,
            ),
            (
                "mental",
                "班组长情绪管理培训",
                "面向班组长的沟通与情绪管理课程，减少班组冲突。",
                "offline",
                "班组长、基层管理者",
                150,
                "2600.00",
                40,
                6,
            ),
        ],
    ),
    (
        "下城区匠心职业技能培训学校",
        "经人社部门批准的职业技能培训机构。",
        False,
        [
            (
                "skills",
                "电工技能提升与考证辅导",
                "低压电工理论与实操培训，辅导参加特种作业操作证考试。",
                "offline",
                "企业电工、技术工人",
                240,
                "3500.00",
                30,
                6,
            ),
            (
                "skills",
                "产品包装技能比武指导",
                "协助企业策划组织包装技能竞赛，制定评分标准，培训裁判。",
                "offline",
                "一线包装工人",
                180,
                "2000.00",
                60,
                4,
            ),
            (
                "skills",
                "职工数字技能微课",
                "办公软件、短视频制作等数字技能线上微课，随学随练。",
                "online",
                "全体职工",
                45,
                "0.00",
                200,
                24,
            ),
        ],
    ),
    (
        "下城区童心小候鸟成长服务中心",
        "为外来务工人员子女提供暑期托管和成长陪伴。",
        True,
        [
            (
                "children",
                "“小候鸟”暑期托管班",
                "暑期为外来务工职工子女提供托管、作业辅导、安全教育和兴趣课程，解决一线工人后顾之忧。",
                "offline",
                "职工子女（6-12岁）",
                480,
                "4500.00",
                40,
                4,
            ),
            (
                "children",
                "亲子阅读与家庭教育讲座",
                "亲子共读活动和家庭教育讲座，改善亲子沟通。",
                "hybrid",
                "职工及子女",
                90,
                "1000.00",
                60,
                8,
            ),
        ],
    ),
    (
        "下城区和谐劳动法律服务中心",
        "由执业律师组成，提供劳动法律咨询和普法讲座。",
        True,
        [
            (
                "legal",
                "菜单式普法讲座",
                "劳动合同、工资支付、工伤认定等主题任选，律师进企业开讲并现场答疑。",
                "offline",
                "企业职工、人事经理",
                90,
                "1500.00",
                80,
                10,
            ),
            (
                "legal",
                "职工法律援助咨询",
                "律师坐班解答职工劳动争议问题，协助准备仲裁材料。",
                "hybrid",
                "遇到劳动纠纷的职工",
                60,
                "800.00",
                10,
                24,
            ),
        ],
    ),
    (
        "下城区健康守护公益服务中心",
        "组织医生志愿者开展职工健康讲座和义诊。",
        False,
        [
            (
                "health",
                "职工健康义诊进企业",
                "组织三甲医院医生到企业开展义诊、血压血糖检测和健康咨询。",
                "offline",
                "企业职工",
                180,
                "2400.00",
                150,
                6,
            ),
            (
                "health",
                "女职工健康关爱讲座",
                "妇科常见病预防、两癌筛查知识和孕产期保健讲座。",
                "offline",
                "女职工",
                90,
                "1300.00",
                80,
                6,
            ),
            (
                "matchmaking",
                "青年职工联谊交友活动",
                "为单身青年职工组织户外联谊、兴趣社交活动，营造健康交友环境。",
                "offline",
                "单身青年职工",
                180,
                "3200.00",
                60,
                4,
            ),
        ],
    ),
]

UNION_ENTERPRISES = [
    "杭州武林商贸有限公司",
    "杭州天水物业管理有限公司",
    "杭州朝晖建设工程有限公司",
    "杭州潮鸣食品有限公司",
    "杭州长庆电子科技有限公司",
    "杭州东新园区运营有限公司",
    "杭州石桥汽车服务有限公司",
    "杭州文晖印务有限公司",
    "杭州下城百货有限公司",
    "杭州新天地酒店管理有限公司",
    "杭州凤起物流有限公司",
    "杭州东新服装有限公司",
    "杭州石桥机械制造有限公司",
    "杭州长庆健康科技有限公司",
    "杭州朝晖环境服务有限公司",
    "杭州天水餐饮有限公司",
    "杭州武林广告传媒有限公司",
    "杭州潮鸣软件有限公司",
    "杭州文晖医疗器械有限公司",
    "杭州东新精密制造有限公司",
]

WUYI_PARKS = [
    ("泉溪镇小微企业园", "武义县泉溪镇"),
    ("经济开发区小微企业园", "武义经济开发区"),
    ("桐琴小微企业园", "武义县桐琴镇"),
    ("履坦小微企业园", "武义县履坦镇"),
    ("王宅小微企业园", "武义县王宅镇"),
    ("白洋渡小微企业园", "武义县白洋街道"),
]

WUYI_ENTERPRISES = [
    ("浙江旗昌工贸有限公司", 0),
    ("浙江精匠智能科技有限公司", 1),
    ("武义恒达五金制品有限公司", 0),
    ("武义鑫源电器有限公司", 2),
    ("武义康泰工具有限公司", 3),
    ("武义绿源茶业有限公司", 4),
    ("武义金盾门业有限公司", 5),
    ("武义博远机械有限公司", 1),
]


_HASH: list[str] = []


def _demo_hash() -> str:
    # Hashing once keeps `make run` fast; every demo account shares the printed password anyway.
    if not _HASH:
        _HASH.append(make_password(DEMO_PASSWORD))
    return _HASH[0]


def _user(names: NameMaker, username: str, full_name: str | None = None, **extra) -> User:
    full_name = full_name or names.name()
    user = User(
        username=username, last_name=full_name[:1], first_name=full_name[1:], mobile=names.mobile(), **extra
    )
    user.password = _demo_hash()
    user.save()
    return user


def build() -> dict:
    names = NameMaker(2020)
    zhejiang = Federation.objects.create(
        name="浙江省总工会", level=Federation.Level.PROVINCE, region="浙江省"
    )
    hangzhou = Federation.objects.create(name="杭州市总工会", level="city", parent=zhejiang, region="杭州市")
    jinhua = Federation.objects.create(name="金华市总工会", level="city", parent=zhejiang, region="金华市")
    xiacheng = Federation.objects.create(
        name="下城区总工会", level="district", parent=hangzhou, region="杭州市下城区"
    )
    wuyi = Federation.objects.create(
        name="武义县总工会", level="district", parent=jinhua, region="金华市武义县"
    )

    install_default_categories(Category)  # normally there from the data migration; not after a flush
    categories = {c.code: c for c in Category.objects.all()}
    providers = []
    for i, (pname, intro, has_union, projects) in enumerate(PROVIDERS, start=1):
        contact = names.name()
        provider = Provider.objects.create(
            name=pname,
            uscc=uscc("52", "330103", 5_000_000 + i * 37),
            federation=xiacheng,
            contact_name=contact,
            contact_mobile=names.mobile(),
            address=f"杭州市下城区{['武林', '天水', '朝晖', '潮鸣', '长庆', '东新', '石桥', '文晖', '武林'][i - 1]}街道",
            introduction=intro,
            has_union=has_union,
            status=Provider.Status.APPROVED,
        )
        providers.append(provider)
        for code, title, desc, fmt, audience, minutes, price, cap, n in projects:
            initials, full = title_search_keys(title)
            ServiceProject.objects.create(
                provider=provider,
                category=categories[code],
                title=title,
                description=desc,
                format=fmt,
                audience=audience,
                duration_minutes=minutes,
                price=Decimal(price),
                capacity=cap,
                sessions_per_year=n,
                areas_served="下城区",
                status=ServiceProject.Status.APPROVED,
                title_initials=initials,
                title_pinyin=full,
            )
    # A newly registered organisation waiting for the office, with a draft, so the review flows have work.
    pending = Provider.objects.create(
        name="下城区邻里互助社工服务社",
        uscc=uscc("52", "330103", 5_900_001),
        federation=xiacheng,
        contact_name=names.name(),
        contact_mobile=names.mobile(),
        introduction="新注册的社区社工机构。",
    )
    ServiceProject.objects.create(
        provider=pending,
        category=categories["hardship"],
        title="新就业形态劳动者暖心驿站",
        description="为快递员、外卖骑手提供歇脚、饮水、充电和政策咨询服务。",
        format="offline",
        audience="快递员、外卖骑手",
        duration_minutes=120,
        price=Decimal("900.00"),
        capacity=30,
        sessions_per_year=12,
        status=ServiceProject.Status.DRAFT,
        **dict(
            zip(
                ["title_initials", "title_pinyin"], title_search_keys("新就业形态劳动者暖心驿站"), strict=True
            )
        ),
    )

    unions = []
    for i, ename in enumerate(UNION_ENTERPRISES, start=1):
        enterprise = Enterprise.objects.create(
            name=ename,
            uscc=uscc("91", "330103", 7_000_000 + i * 53),
            federation=xiacheng,
            address="杭州市下城区",
            employees=80 + (i * 37) % 400,
        )
        unions.append(
            Union.objects.create(
                name=f"{ename}工会",
                federation=xiacheng,
                enterprise=enterprise,
                members=enterprise.employees - (i % 7),
                is_model_home=True,
            )
        )
    chairs = []
    for i, union in enumerate(unions, start=1):
        user = _user(names, f"chair{i:02d}")
        RoleAssignment.objects.create(user=user, role=Role.CHAIR, union=union)
        Person.objects.create(
            name=user.display_name,
            kind=Person.Kind.CHAIR,
            federation=xiacheng,
            affiliation=union.name,
            mobile=user.mobile,
            user=user,
        )
        chairs.append(user)
    cppcc = [
        Person.objects.create(
            name=names.name(),
            kind=Person.Kind.CPPCC,
            federation=xiacheng,
            affiliation="下城区政协工会界别",
            mobile=names.mobile(),
        )
        for _ in range(8)
    ]

    office = _user(names, "office", is_staff=True)
    RoleAssignment.objects.create(user=office, role=Role.OFFICE, federation=xiacheng)
    provider_user = _user(names, "provider")
    RoleAssignment.objects.create(user=provider_user, role=Role.PROVIDER, provider=providers[0])
    pending_user = _user(names, "newprovider")
    RoleAssignment.objects.create(user=pending_user, role=Role.PROVIDER, provider=pending)
    worker = _user(names, "worker")
    RoleAssignment.objects.create(user=worker, role=Role.WORKER, union=unions[0])

    parks = [Park.objects.create(name=n, federation=wuyi, address=a) for n, a in WUYI_PARKS]
    for i, (ename, park_index) in enumerate(WUYI_ENTERPRISES, start=1):
        Enterprise.objects.create(
            name=ename,
            uscc=uscc("91", "330723", 8_000_000 + i * 71),
            federation=wuyi,
            park=parks[park_index],
            employees=30 + i * 11,
        )
    wuyi_office = _user(names, "wuyi_office", is_staff=True)
    RoleAssignment.objects.create(user=wuyi_office, role=Role.OFFICE, federation=wuyi)
    expert = _user(names, "expert")
    RoleAssignment.objects.create(user=expert, role=Role.EXPERT, federation=None)
    admin = _user(names, "admin", is_staff=True, is_superuser=True)

    return {
        "xiacheng": xiacheng,
        "wuyi": wuyi,
        "providers": providers,
        "unions": unions,
        "chairs": chairs,
        "cppcc": cppcc,
        "office": office,
        "provider_user": provider_user,
        "worker": worker,
        "wuyi_office": wuyi_office,
        "expert": expert,
        "admin": admin,
        "names": names,
    }


LOGINS = [
    ("office", "区总工会工作人员 / union office staff (下城区总工会)"),
    ("chair01", "基层工会主席 / grassroots union chair (chair01–chair20)"),
    ("provider", "社会组织 / provider (杭州市下城区文艺之家文化发展中心)"),
    ("newprovider", "待审核的社会组织 / provider awaiting approval"),
    ("expert", "专家志愿者 / expert volunteer (律师, 武义县)"),
    ("park_office", "园区办公室 / park office (武义县)"),
    ("enterprise", "企业联系人 / enterprise contact (武义县园区企业)"),
    ("worker", "职工 / worker (下城区, 第一家基层工会)"),
    ("wuyi_office", "县总工会工作人员 / county office staff (武义县总工会)"),
    ("admin", "系统管理员 / administrator (后台 /admin/)"),
]
