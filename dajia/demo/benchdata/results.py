"""A scored session for the office's results page at province scale: 200 evaluators in two weighted groups
(政协委员 0.4, 基层工会主席 0.6) scoring 100 projects on six criteria, left open — the page then shows the live
tally before publication, with diagnostics, as the office sees it during a session.

The scores are the engine benchmark's (:func:`dajia.scoring.bench.sample_session`), so the page's figure and the
engine's are measured on the same data. Every sheet goes through the one sheet service (``sheets_submit``), as
the phones' sheets do, in batches: the rows are what the service writes, receipts and audit included.
"""

from __future__ import annotations

import uuid

from dajia.demo.benchdata.rows import open_session
from dajia.scoring.engine import decimal_text

BATCH = 500
WEIGHTS = {"政协委员": "0.4", "基层工会主席": "0.6"}


def results_session(world: dict, *, evaluators: int, projects: int) -> dict:
    from dajia.consultations import services_sheets
    from dajia.consultations.models import Criterion, Evaluator
    from dajia.scoring.bench import sample_session

    rubric, sheets, weights, amounts, budget = sample_session(evaluators, projects, 6)
    if set(weights) != set(WEIGHTS):
        raise ValueError(f"the engine bench's groups are {sorted(weights)}, not {sorted(WEIGHTS)}")
    names = sorted({s.evaluator for s in sheets})
    group_of = {s.evaluator: s.group for s in sheets}
    by_name = sorted(amounts)
    tokens = f"bench-r{uuid.uuid4().hex[:8]}"  # evaluator tokens are unique across sessions
    session, entries = open_session(
        world,
        title="基准评分会（200位评委×100个项目）",
        budget=budget,
        criteria=[{"name": c.name, "max_points": decimal_text(c.max), "descriptors": ""} for c in rubric],
        entries=[
            (project, str(amounts[name])) for project, name in zip(world["projects"], by_name, strict=False)
        ],
        evaluators=[
            {"name": name, "group": group_of[name], "token": f"{tokens}-{n}"} for n, name in enumerate(names)
        ],
        group_weights=WEIGHTS,
    )
    entry_of = {name: entry.pk for name, entry in zip(by_name, entries, strict=False)}
    evaluator_of = dict(Evaluator.objects.filter(session=session).values_list("name", "id"))
    criterion_of = dict(Criterion.objects.filter(session=session).values_list("name", "id"))
    requests = [
        services_sheets.SheetRequest(
            entry_id=entry_of[sheet.project],
            scores={criterion_of[name]: decimal_text(value) for name, value in sheet.scores.items()},
            submission_id=f"bench-{session.pk}-{n}",
            evaluator_id=evaluator_of[sheet.evaluator],
        )
        for n, sheet in enumerate(sheets)
    ]
    stored = 0
    for start in range(0, len(requests), BATCH):
        outcomes = services_sheets.sheets_submit(requests=requests[start : start + BATCH])
        refused = [o.error for o in outcomes if o.error is not None]
        if refused:
            raise ValueError(f"a benchmark sheet was refused: {refused[0]}")
        stored += len(outcomes)
    return {
        "session": session.pk,
        "evaluators": len(names),
        "projects": len(entry_of),
        "criteria": len(rubric),
        "sheets": stored,
    }
