"""Keeping personal data no longer than needed (个人信息保护法): ``manage.py participation_prune`` (daily).

* verification codes, with the client address and the keyed number they hold, after
  ``DAJIA_PARTICIPATION_IP_DAYS`` days (default 30: long enough for the abuse report of a session and its 公示);
* client addresses on supports and objections after the same time;
* rate-limit counters after two days;
* the keyed numbers of a published session's viewers once its objection window has been closed for that long:
  nobody can vote any more, so the viewers need not be recognisable; their supports stay counted.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from dajia.consultations.models import Session
from dajia.core import audit
from dajia.core.codes import keep_days
from dajia.core.models import RateCounter
from dajia.core.workdays import workdays
from dajia.notices.models import Objection
from dajia.notices.window import notice_window
from dajia.participation.models import Support, VerificationCode, Viewer


@transaction.atomic
def participation_prune(*, now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=keep_days())
    done = {
        "codes": VerificationCode.objects.filter(created_at__lt=cutoff).delete()[0],
        "counters": RateCounter.objects.filter(window_start__lt=now - datetime.timedelta(days=2)).delete()[0],
        "support_addresses": Support.objects.filter(created_at__lt=cutoff, ip__isnull=False).update(ip=None),
        "objection_addresses": Objection.objects.filter(filed_at__lt=cutoff, ip__isnull=False).update(
            ip=None
        ),
        "viewers": 0,
    }
    calendar = workdays()
    for session in Session.objects.filter(state=Session.State.PUBLISHED):
        window = notice_window(session, calendar=calendar)
        if window is None or window.end >= timezone.localdate(cutoff):
            continue
        erased = (
            Viewer.objects.filter(session=session, erased_at__isnull=True)
            .exclude(mobile_hash__startswith="erased:")
            .update(
                mobile_hash=Concat(
                    Value("erased:"), F("id"), output_field=Viewer._meta.get_field("mobile_hash")
                ),
                mobile_masked="—",
                erased_at=now,
            )
        )
        if erased:
            audit.log(
                action="participation.viewers.erase",
                obj=session,
                after={"viewers": erased, "reason": "retention"},
                federation_id=session.federation_id,
                actor_label="participation_prune",
            )
        done["viewers"] += erased
    return done
