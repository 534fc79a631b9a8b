"""Demo of the bank team (武义农商银行's 金融“红管家”) at 武义县's six parks: the seed's "累计为1753户小微企业发放贷款
11.41亿元" as records — 1,753 enterprises on the parks' finance lists, each with a loan granted in the past year,
the loans summing to exactly ¥1,141,000,000.00 (some enterprises borrowed twice), credit lines, loans outstanding
where the bank reported them, and needs refused or still pending. The enterprises are the one roll of the parks'
enterprises (``dajia.demo.wuyi.enterprises``); everything is written through the finance services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from dajia.desk.models import Volunteer
from dajia.finance.services import NeedInput, files_open, needs_record
from dajia.orgs.models import Park

ENTERPRISES = 1753
TOTAL = Decimal("1141000000.00")
SECOND_LOANS = 147  # enterprises that borrowed twice in the year (still one enterprise each)
REFUSED, PENDING = 90, 60
UNIT = Decimal("10000")  # the bank grants in units of ¥10,000
PRODUCTS = ["小微园区贷", "信用贷", "抵押贷", "技改贷", "工会会员贷"]
PURPOSES = ["流动资金", "设备购置", "技术改造", "厂房装修", "原材料采购"]
# (username, parks served by index); bank01 comes from the desk's demo and serves all six
BANKERS = [("bank02", [0, 1, 2]), ("bank03", [3, 4, 5])]


def amounts(count: int, total: Decimal) -> list[Decimal]:
    """``count`` loan amounts in units of ¥10,000, spread from ¥100,000 to ¥1,100,000, summing to ``total``."""
    units = [10 + i * 37 % 101 for i in range(count)]
    gap = int(total / UNIT) - sum(units)
    step = 1 if gap > 0 else -1
    i = 0
    while gap:
        if units[i % count] + step >= 10:
            units[i % count] += step
            gap -= step
        i += 1
    return [UNIT * u for u in units]


def build(ctx) -> None:
    from dajia.demo.foundation import _user
    from dajia.demo.wuyi import enterprises
    from dajia.desk.demo import _volunteer
    from dajia.ledger.period import past_year

    wuyi, names = ctx["wuyi"], ctx["names"]
    parks = list(Park.objects.filter(federation=wuyi).order_by("pk"))
    team = list(Volunteer.objects.filter(federation=wuyi, specialty="finance").select_related("user"))
    team += [
        _volunteer(_user(names, username), wuyi, "finance", "武义农商银行", True, [parks[i] for i in served])
        for username, served in BANKERS
    ]
    firms = enterprises(wuyi, ENTERPRISES)
    # Each banker opens the files of the parks they keep; bank02 and bank03 share the six parks.
    keeper = {p.pk: team[1] if i < 3 else team[2] for i, p in enumerate(parks)}
    files = []
    for banker in team[1:]:
        mine = [e for e in firms if keeper[e.park_id] == banker]
        files += files_open(actor=banker.user, enterprises=mine)
    files.sort(key=lambda f: f.enterprise_id)

    today = timezone.localdate()
    period = past_year(today)
    days = (today - period.start).days  # decisions fall on the period's days up to today

    def decided(i: int, n: int) -> datetime.date:
        return period.start + datetime.timedelta(days=days * i // n)

    def recorder(file, i: int) -> Volunteer:
        # bank01 (all six parks) and the park's own keeper take the needs in turn
        return keeper[file.park_id] if i % 2 else team[0]

    loans = amounts(ENTERPRISES + SECOND_LOANS, TOTAL)
    entries: dict[int, list[NeedInput]] = {v.pk: [] for v in team}
    for i, amount in enumerate(loans):
        file = files[i % ENTERPRISES]
        on = decided(i, len(loans))
        reported = i % 4 == 0
        entries[recorder(file, i).pk].append(
            NeedInput(
                file=file,
                purpose=PURPOSES[i % len(PURPOSES)],
                amount_requested=amount + UNIT * (i % 3),
                raised_on=on - datetime.timedelta(days=7 + i % 14),
                status="granted",
                credit_line=amount * (1 + Decimal(i % 3) / 2),
                loan_amount=amount,
                product=PRODUCTS[i % len(PRODUCTS)],
                decided_on=on,
                outstanding=(amount * Decimal("0.6")).quantize(Decimal("0.01")) if reported else None,
                outstanding_on=today if reported else None,
            )
        )
    for i in range(REFUSED + PENDING):
        file = files[(i * 13) % ENTERPRISES]
        on = decided(i, REFUSED + PENDING)
        refused = i < REFUSED
        entries[recorder(file, i).pk].append(
            NeedInput(
                file=file,
                purpose=PURPOSES[i % len(PURPOSES)],
                amount_requested=UNIT * (30 + i % 50),
                raised_on=on - datetime.timedelta(days=10)
                if refused
                else today - datetime.timedelta(days=i % 20),
                status="refused" if refused else "pending",
                decided_on=on if refused else None,
                # a refused loan sometimes still leaves a small credit line (授信) for later
                credit_line=UNIT * 10 if refused and i % 5 == 0 else None,
            )
        )
    for banker in team:
        needs_record(actor=banker.user, entries=entries[banker.pk])
