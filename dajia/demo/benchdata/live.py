"""An open consultation session for the ingestion, live-read and fan-out benchmarks: its panel (secret links
``bench-e-<n>``, every scoring window open) and its verified online audience, each viewer with a signed-in
browser session (cookie ``sessionid=bv<n, 30 digits>``)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.utils import timezone

from dajia.demo.benchdata.rows import (
    CSRF_SECRET,
    dt,
    evaluator_token,
    insert_rows,
    open_session,
    viewer_session_key,
)


def live(world: dict, opts: dict, rng: random.Random) -> dict:
    from dajia.consultations import services_setup

    n_entries, n_evaluators, n_viewers = opts["entries"], opts["evaluators"], opts["viewers"]
    session, entries = open_session(
        world,
        title="基准协商会",
        budget=Decimal("1000000"),
        criteria=services_setup.DEFAULT_CRITERIA,
        entries=[(project, "20000") for project in world["projects"][:n_entries]],
        evaluators=[
            {"name": f"评委{n:05d}", "group": "", "token": evaluator_token(n)} for n in range(n_evaluators)
        ],
        support_limit=opts["support_limit"],
    )
    criteria = [{"id": c.pk, "max": int(c.max_points)} for c in session.criteria.all()]
    now = timezone.now()
    first = 0
    if n_viewers:
        first = viewers(session, entries, n_viewers, now)
    return {
        "session": session.pk,
        "entries": [e.pk for e in entries],
        "criteria": criteria,
        "evaluators": n_evaluators,
        "evaluator_token": evaluator_token(0).removesuffix("0"),
        "viewers": n_viewers,
        "first_viewer": first,
        "viewer_cookie": "sessionid=bv",
        "csrf": CSRF_SECRET,
        "support_limit": opts["support_limit"],
    }


def viewers(session, entries, n_viewers: int, now) -> int:
    from dajia.participation.models import LiveSettings, SupportCount, Viewer

    with transaction.atomic():
        first = (Viewer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        insert_rows(
            Viewer._meta.db_table,
            [
                "id",
                "session_id",
                "mobile_hash",
                "mobile_masked",
                "verified_at",
                "last_verified_at",
                "devices",
            ],
            (
                (first + n, session.pk, f"bench-{session.pk}-{n}", "138****0000", dt(now), dt(now), 1)
                for n in range(n_viewers)
            ),
        )
        LiveSettings.objects.update_or_create(session=session, defaults={"viewers": n_viewers})
        SupportCount.objects.bulk_create(
            [SupportCount(entry=e, session=session, supports=0) for e in entries], ignore_conflicts=True
        )
        expire = dt(now + datetime.timedelta(days=2))
        store = SessionStore()
        insert_rows(
            "django_session",
            ["session_key", "session_data", "expire_date"],
            (
                (
                    viewer_session_key(n),
                    store.encode({"participation_viewers": {str(session.pk): first + n}}),
                    expire,
                )
                for n in range(n_viewers)
            ),
        )
    return first
