"""The enterprises of 武义县's six small and micro enterprise parks, for every demo that needs many of them.

The seed names eight firms; its figures speak of 405 enterprises checked and 1,753 with loans, so the desk's
demos (health checks, finance, the outcome ledger) share one generated roll: the seed's firms first, then
invented ones — "武义" + a trade name + a trade — spread over the parks in turn. One function makes it, so two
demos asking for 405 and 1,753 enterprises get the same first 405, never two copies.
"""

from __future__ import annotations

from dajia.demo.codes import uscc
from dajia.orgs.models import Enterprise, Federation, Park

TRADE_NAMES = [
    "恒信",
    "宏达",
    "永盛",
    "金泰",
    "华丰",
    "鼎立",
    "瑞丰",
    "聚源",
    "兴旺",
    "佳美",
    "精工",
    "远航",
    "东升",
    "天和",
    "新峰",
    "汇通",
    "锦程",
    "利民",
    "盛达",
    "众诚",
]
TRADES = [
    "五金制品",
    "工具",
    "电器",
    "门业",
    "机械",
    "茶业",
    "纺织",
    "包装",
    "塑业",
    "模具",
    "电子",
    "家居",
    "户外用品",
    "汽配",
    "食品",
]
SERIAL_BASE = 8_100_000


def _name(i: int) -> str:
    # 20 × 15 = 300 pairs; the round number keeps every name unique up to 300 × 99 firms.
    pair, round_ = i % 300, i // 300
    trade_name, trade = TRADE_NAMES[pair % 20], TRADES[pair // 20]
    return (
        f"武义{trade_name}{trade}有限公司"
        if round_ == 0
        else f"武义{trade_name}{trade}{round_ + 1}厂有限公司"
    )


def enterprises(wuyi: Federation, count: int) -> list[Enterprise]:
    """The first ``count`` enterprises of 武义县's parks (by id), the missing ones generated and saved."""
    have = list(Enterprise.objects.filter(federation=wuyi, park__isnull=False).order_by("pk")[:count])
    missing = count - len(have)
    if missing <= 0:
        return have
    parks = list(Park.objects.filter(federation=wuyi).order_by("pk"))
    start = Enterprise.objects.filter(federation=wuyi, uscc__startswith="91330723").count()
    Enterprise.objects.bulk_create(
        Enterprise(
            name=_name(start + i),
            uscc=uscc("91", "330723", SERIAL_BASE + start + i),
            federation=wuyi,
            park=parks[(start + i) % len(parks)],
            address=parks[(start + i) % len(parks)].address,
            employees=8 + (start + i) * 7 % 90,
        )
        for i in range(missing)
    )
    return list(Enterprise.objects.filter(federation=wuyi, park__isnull=False).order_by("pk")[:count])
