"""Builders shared by the panel-side tests (no tests here): a session with a rubric, projects and a panel."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from dajia.consultations import services_base, services_console, services_roster, services_setup
from dajia.consultations.models import Session

SEED_RUBRIC = [
    {"name": c["name"], "max_points": c["max_points"], "descriptors": c["descriptors"]}
    for c in services_setup.DEFAULT_CRITERIA
]
PROJECT_TITLES = [
    "职工心理减压工作坊",
    "企业消防安全与应急疏散演练",
    "退休职工智能手机课堂",
    "菜单式普法讲座",
]


def make_session(
    *,
    actor,
    federation,
    providers,
    make_project,
    evaluators=(("王芳", "政协委员"), ("李强", "基层工会主席"), ("张敏", "基层工会主席")),
    weights=None,
    n_projects: int = 2,
    open_session: bool = True,
    open_windows: bool = True,
    title: str = "2020年下城区工会购买服务协商会",
    projects=None,
) -> Session:
    session = services_setup.session_create(
        actor=actor,
        federation=federation,
        title=title,
        starts_at=timezone.make_aware(datetime.datetime(2020, 9, 18, 14, 0)),
        venue="下城区职工服务中心",
        budget=Decimal("200000"),
        group_weights=weights,
    )
    services_setup.criterion_set(actor=actor, session=session, criteria=SEED_RUBRIC)
    if projects is None:
        projects = [
            make_project(
                providers[i % len(providers)],
                PROJECT_TITLES[i % len(PROJECT_TITLES)] + ("" if i < 4 else str(i)),
            )
            for i in range(n_projects)
        ]
    for project in projects:
        services_roster.entry_add(actor=actor, session=session, project=project)
    for name, group in evaluators:
        services_roster.evaluator_add(actor=actor, session=session, name=name, group=group)
    if open_session:
        services_setup.session_open(actor=actor, session=session)
        if open_windows:
            for entry in session.entries.all():
                services_console.window_open(actor=actor, entry=entry)
    session.refresh_from_db()
    return session


def full_scores(session, values=("25", "16", "20", "21")) -> dict[int, str]:
    return {c.pk: v for c, v in zip(session.criteria.all(), values, strict=True)}


def capture_events(monkeypatch) -> list[tuple[int, str, dict]]:
    """Live events the services publish, captured instead of sent."""
    events: list[tuple[int, str, dict]] = []
    # Every consultations service publishes through services_base.publish_event, which calls the bus here.
    monkeypatch.setattr(
        services_base,
        "publish",
        lambda *, channel, event, data: events.append((int(channel.removeprefix("session-")), event, data)),
    )
    return events
