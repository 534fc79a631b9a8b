"""Factories for the results-side tests: a session with its rubric, invited projects, panel and sheets,
built directly with the ORM (no panel services), so the results side is tested on its own.

``build_session`` takes sheets as ``{(evaluator name, project title): [score per criterion]}`` with ``None``
for a blank; scores are strings or numbers as typed ("8.5").
"""

from __future__ import annotations

import itertools
import secrets
from decimal import Decimal

import pytest

from dajia.conftest import make_provider
from dajia.consultations.models import Criterion, Evaluator, Score, Session, SessionProject, Sheet

SEED_CRITERIA = [
    ("内容实用有效", "30"),
    ("方式方法新颖", "20"),
    ("成熟度吸引力", "25"),
    ("受众接纳参与", "25"),
]
WEIGHTS = {"政协委员": "0.4", "基层工会主席": "0.6"}
_serial = itertools.count(2001)


def receipt() -> str:
    code = secrets.token_hex(4).upper()
    return f"{code[:4]}-{code[4:]}"


def add_sheet(
    session: Session, evaluator: Evaluator, entry: SessionProject, scores, *, source="phone"
) -> Sheet:
    criteria = list(session.criteria.order_by("position", "id"))
    values = [None if v is None or v == "" else Decimal(str(v)) for v in scores]
    sheet = Sheet.objects.create(
        evaluator=evaluator,
        entry=entry,
        receipt=receipt(),
        submission_id=secrets.token_hex(8),
        complete=all(v is not None for v in values),
        source=source,
    )
    Score.objects.bulk_create(
        [Score(sheet=sheet, criterion=c, value=v) for c, v in zip(criteria, values, strict=True)]
    )
    return sheet


def build_session(
    federation,
    make_project,
    *,
    projects,
    evaluators,
    sheets,
    criteria=SEED_CRITERIA,
    state="closed",
    budget="100000",
    minimum="60",
    method="trimmed",
    trim_min=5,
    group_weights=None,
    title="2020年下城区工会服务项目协商会",
):
    """``projects``: [(title, amount)] or [(title, amount, provider)]; ``evaluators``: [(name, group)]."""
    from django.utils import timezone

    session = Session.objects.create(
        federation=federation,
        title=title,
        starts_at=timezone.now(),
        venue="区职工服务中心",
        budget=Decimal(budget),
        minimum_score=Decimal(minimum),
        method=method,
        trim_min=trim_min,
        group_weights=group_weights or {},
        state=state,
    )
    for position, (name, top) in enumerate(criteria, start=1):
        Criterion.objects.create(session=session, name=name, max_points=Decimal(top), position=position)
    entries = {}
    for position, spec in enumerate(projects, start=1):
        title_, amount = spec[0], spec[1]
        if len(spec) > 2:
            provider = spec[2]
        else:
            serial = next(_serial)
            provider = make_provider(federation, f"测试社会组织{serial}号", serial)
        project = make_project(provider, title_)
        entries[title_] = SessionProject.objects.create(
            session=session, project=project, position=position, amount=Decimal(amount), window="closed"
        )
    panel = {}
    for name, group in evaluators:
        panel[name] = Evaluator.objects.create(
            session=session, name=name, group=group, token=secrets.token_urlsafe(24)
        )
    for (name, title_), scores in sheets.items():
        add_sheet(session, panel[name], entries[title_], scores)
    session.entries_by_title = entries
    session.panel = panel
    return session


# A small session in the seed's shape: two groups, three projects, one incomplete sheet, one tie-free result.
GROUPED_PANEL = [
    ("王委员", "政协委员"),
    ("李委员", "政协委员"),
    ("赵委员", "政协委员"),
    ("陈主席", "基层工会主席"),
    ("周主席", "基层工会主席"),
    ("吴主席", "基层工会主席"),
    ("郑主席", "基层工会主席"),
    ("孙主席", "基层工会主席"),
]
PROJECTS = [
    ("职工心理减压工作坊", "30000"),
    ("企业消防安全与应急疏散演练", "40000"),
    ("退休职工智能手机课堂", "20000"),
]


def grouped_sheets() -> dict:
    base = {
        "职工心理减压工作坊": [26, 17, 21, 22],
        "企业消防安全与应急疏散演练": [24, 15, 20, 20],
        "退休职工智能手机课堂": [20, 13.5, 16, 17],
    }
    sheets = {}
    for i, (name, _) in enumerate(GROUPED_PANEL):
        for title, scores in base.items():
            bump = (i % 3) - 1  # -1, 0, 1: a little disagreement
            sheets[(name, title)] = [max(0, s + bump) for s in scores]
    # One harsh sheet and one incomplete one.
    sheets[("孙主席", "职工心理减压工作坊")] = [10, 5, 8, 9.5]
    sheets[("王委员", "退休职工智能手机课堂")] = [20, None, 16, 17]
    return sheets


def make_grouped_session(federation, make_project):
    """Eight evaluators in two weighted groups, three projects, one harsh sheet and one incomplete sheet."""
    return build_session(
        federation,
        make_project,
        projects=PROJECTS,
        evaluators=GROUPED_PANEL,
        sheets=grouped_sheets(),
        group_weights=WEIGHTS,
        budget="70000",
    )


@pytest.fixture
def grouped_session(federation, make_project):
    return make_grouped_session(federation, make_project)


def test_factory_builds_what_it_is_given(grouped_session):
    assert grouped_session.criteria.count() == 4
    assert grouped_session.entries.count() == 3
    assert Sheet.objects.filter(entry__session=grouped_session).count() == 24
    assert Sheet.objects.filter(entry__session=grouped_session, complete=False).count() == 1
