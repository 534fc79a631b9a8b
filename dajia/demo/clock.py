"""The demo's clock: history (the seed's 2020 session, last year's session) is written through the same services
a real session uses, and those services stamp ``timezone.now()``. Inside :func:`history` the clock reads the
moment the builder sets, so every stamp — ``auto_now_add`` fields, publication times, the 公示 window computed
from them, agreement numbers taken from the publication year, the audit log — belongs to the year it records.

Only the demo builders use it (single-threaded, inside ``load_demo``'s transaction); the real clock is back as
soon as the block ends, so live events deferred to the commit carry the real time.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator

from django.apps import apps
from django.utils import timezone

# Each read of the clock moves it on a little, so records written one after another keep their order.
TICK = datetime.timedelta(milliseconds=250)


class Clock:
    def __init__(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def set(self, moment: datetime.datetime) -> None:
        self.moment = moment

    def now(self) -> datetime.datetime:
        moment = self.moment
        self.moment = moment + TICK
        return moment


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """An aware moment in the project's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


@contextlib.contextmanager
def history(moment: datetime.datetime) -> Iterator[Clock]:
    clock = Clock(moment)
    real = timezone.now
    # ``default=timezone.now`` holds the function itself, so those fields are pointed at the clock as well.
    fields = [f for model in apps.get_models() for f in model._meta.concrete_fields if f.default is real]
    timezone.now = clock.now
    _point(fields, clock.now)
    try:
        yield clock
    finally:
        timezone.now = real
        _point(fields, real)


def _point(fields, function) -> None:
    for f in fields:
        f.default = function
        f.__dict__.pop("_get_default", None)  # Django caches the default getter per field
