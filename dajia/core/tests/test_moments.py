"""``|minute`` prints what ``|date:"Y-m-d H:i"`` printed, in the reader's time zone."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.template import engines
from django.utils import timezone

UTC = datetime.UTC


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 12, 8, 6, 30, tzinfo=UTC),  # 14:30 in Shanghai
        datetime.datetime(2026, 12, 31, 16, 0, tzinfo=UTC),  # the next day and year there
        datetime.datetime(2026, 3, 1, 0, 5, 59, 999999, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
        datetime.datetime(2026, 7, 4, 9, 7),  # naive: printed as it is
        None,
        "",
    ],
)
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
def test_minute_prints_what_the_date_filter_printed(value, zone):
    engine = engines["django"]
    ours = engine.from_string("{{ v|minute }}")
    django = engine.from_string('{{ v|date:"Y-m-d H:i" }}')
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert ours.render({"v": value}) == django.render({"v": value})


def test_a_moment_is_printed_in_shanghai_time():
    at = datetime.datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert engines["django"].from_string("{{ v|minute }}").render({"v": at}) == "2027-01-01 00:00"
