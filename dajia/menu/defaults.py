"""The twelve default service categories: the seed's four, then what district offices commonly buy.
Keywords drive the need-to-category suggestion; the office edits both."""

DEFAULT_CATEGORIES = [
    (
        "culture",
        "文化活动指导",
        "Cultural activity guidance",
        "文化 文艺 演出 合唱 舞蹈 书法 摄影 读书 活动 越剧 乐器 团建",
    ),
    (
        "safety",
        "安全技能培训",
        "Safety skills training",
        "安全 消防 急救 隐患 事故 防护 应急 演练 生产安全 职业病",
    ),
    ("hardship", "帮困服务", "Hardship assistance", "困难 帮扶 救助 大病 补助 生活困难 慰问 帮困 低收入"),
    ("elderly", "为老服务", "Services for the elderly", "老人 退休 养老 老年 照护 陪护 助老 长者 适老"),
    (
        "legal",
        "法律服务",
        "Legal services",
        "法律 劳动合同 工资 拖欠 维权 仲裁 纠纷 律师 工伤 社保 加班费 辞退",
    ),
    ("tax", "财税服务", "Tax and accounting services", "税务 发票 财务 会计 报税 增值税 个税 记账 审计"),
    ("finance", "金融服务", "Financial services", "贷款 融资 银行 资金 信贷 理财 利率 授信"),
    ("mental", "心理健康", "Mental health", "心理 压力 焦虑 情绪 抑郁 疏导 减压 睡眠 倾诉"),
    ("skills", "技能提升", "Skills upgrading", "技能 培训 考证 学历 竞赛 技术 比武 工匠 电工 焊工 数控"),
    ("health", "健康关爱", "Health care", "体检 健康 疾病 医疗 义诊 颈椎 营养 健身 女职工 两癌筛查"),
    (
        "children",
        "亲子关爱",
        "Family and children (小候鸟 classes)",
        "孩子 子女 小候鸟 暑期 托管 亲子 家庭教育 辅导 作业",
    ),
    ("matchmaking", "婚恋交友", "Dating and friendship", "婚恋 交友 相亲 单身 联谊 恋爱 脱单"),
]


def install_default_categories(category_model) -> None:
    """Create the default categories that are missing (used by the data migration and by tests that flush)."""
    for position, (code, zh, en, keywords) in enumerate(DEFAULT_CATEGORIES, start=1):
        category_model.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "position": position,
                "keywords": "\n".join(keywords.split()),
            },
        )
