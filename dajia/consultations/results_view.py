"""The office's results page (the live tally before publication): what it shows, kept in one stored row per
session beside the fingerprint of the records it was computed from.

Why a stored row: a session of 200 evaluators × 100 projects has 120,000 scores, and reading them, building the
engine's sheets and running the engine with diagnostics and leave-one-out cost 300–550 ms of CPU on every view
of the page (measured on the bench's data). The tally only changes when its records do, so the page keeps what
it shows — :func:`results_view`, plain JSON — in :class:`~dajia.consultations.models.StoredTally`, and renders
from it while :func:`tally_fingerprint` is what it was.

The fingerprint covers every record :func:`~dajia.consultations.results.session_tally` reads: the session's
rule (method, trim, weights, budget, minimum), the rubric, the entries with their projects' titles and
organisations, amounts and recorded tie-break, the panel (names and groups), and the sheets — their number, the
last id and the sum of their amendments. The sheet service is the only writer of sheets and scores
(``sheets_submit``, tested), and it counts every amendment, so a changed score always changes the sum. A page
whose fingerprint differs recomputes through ``session_tally`` — the engine stays the only arithmetic — and
stores the new view. The exports, the PDF, the API and publication call ``session_tally`` themselves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, Sum

from dajia.consultations.models import Criterion, Evaluator, Session, SessionProject, Sheet, StoredTally
from dajia.consultations.results import SessionResults, session_tally
from dajia.scoring import engine

# The shape of the stored view, in the fingerprint: a row of another shape (after an upgrade that changed it)
# is recomputed rather than rendered. Bump it with every change to results_view's data. 2: the groups'
# concordance as pairs (a row of 1 held a mapping, which the page cannot unpack: a 500 on the bench's kept data).
# 3: the evaluators' bias and spread and the outliers' thresholds as the text the page prints.
VIEW_FORMAT = 3
HUNDREDTH = Decimal("0.01")


def _text(value) -> str | None:
    return None if value is None else str(value)


def _two_places(value: float | Decimal) -> str:
    """A diagnostic figure as the page prints it: two places, half up, from its text — what the template's
    ``floatformat:2`` printed, once when stored instead of 450 times a view (6 ms of the page)."""
    return str(Decimal(str(value)).quantize(HUNDREDTH, ROUND_HALF_UP) + 0)  # + 0: no "-0.00"


def tally_fingerprint(session: Session) -> str:
    """A digest of every record the session's tally is computed from (five small queries)."""
    facts = [
        VIEW_FORMAT,
        # read again rather than taken from ``session``: an instance may hold a value as it was assigned
        # (Decimal("60")) rather than as stored (60.00)
        list(
            Session.objects.filter(pk=session.pk).values_list(
                "method", "trim_min", "group_weights", "budget", "minimum_score"
            )
        ),
        list(
            Criterion.objects.filter(session=session)
            .order_by("position", "id")
            .values_list("id", "name", "max_points")
        ),
        list(
            SessionProject.objects.filter(session=session)
            .order_by("position", "id")
            .values_list(
                "id",
                "position",
                "amount",
                "tie_break_order",
                "tie_break_reason",
                "project__title",
                "project__provider__name",
            )
        ),
        list(Evaluator.objects.filter(session=session).order_by("id").values_list("id", "name", "group")),
    ]
    # The sheets last: their number, the last id and the sum of amendments, from ``sheet_entry_amendments``.
    sheets = Sheet.objects.filter(entry__session=session).aggregate(
        n=Count("id"), last=Max("id"), amended=Sum("amendments")
    )
    facts.append([sheets["n"], sheets["last"], sheets["amended"]])
    return hashlib.sha256(json.dumps(facts, cls=DjangoJSONEncoder, ensure_ascii=False).encode()).hexdigest()


def _diagnostics(context: SessionResults) -> dict:
    d = context.diagnostics
    return {
        "evaluators_by_bias": [
            asdict(e) | {"bias": _two_places(e.bias), "spread": _two_places(e.spread)}
            for e in sorted(d.evaluators, key=lambda e: (-abs(e.bias), e.evaluator))
        ],
        "outliers": [asdict(o) | {"threshold": _two_places(o.threshold)} for o in d.outliers],
        "concordance": asdict(d.concordance),
        # pairs, not a mapping: PostgreSQL's jsonb keeps no key order, and the groups are listed in this one
        "concordance_by_group": [[g, asdict(c)] for g, c in d.concordance_by_group.items()],
        "concordance_between_groups": asdict(d.concordance_between_groups)
        if d.concordance_between_groups
        else None,
        "influential": [asdict(i) for i in d.influential] if d.influential else [],
    }


def results_view(context: SessionResults) -> dict:
    """What the results page shows of a tally (with diagnostics), as the plain JSON data the row stores:
    figures as the text the page prints (``str`` of the engine's exact values), so a stored view prints what a
    fresh one would. What is shown in an order is a list: a stored mapping comes back from PostgreSQL's jsonb
    in an order of its own."""
    criteria = [c.name for c in context.engine_criteria]
    table = []
    for row in context.rows:
        p = row.result
        table.append(
            {
                "entry_id": row.entry.pk,
                "rank": p.rank,
                "title": row.title,
                "organisation": row.organisation,
                "tied": p.tied,
                "tie_place": context.tie_break.get(row.name),
                "score": _text(p.score),
                "selected": row.selection.selected,
                "reason": row.selection.reason,
                "amount": _text(row.entry.amount),
                "evaluators": p.evaluators,
                "groups": [_text(p.groups.get(g)) for g in context.groups],
                "criteria": [_text(p.criteria[c]) for c in criteria],
            }
        )
    view = {
        "counted": len(context.tally.counted),
        "incomplete": len(context.tally.incomplete),
        "spent": _text(context.selection.spent),
        "remaining": _text(context.selection.remaining),
        "tie_break_needed": context.selection.tie_break_needed,
        "groups": context.groups,
        "criteria": [{"name": c.name, "max": engine.decimal_text(c.max)} for c in context.engine_criteria],
        "table": table,
        "chart": {
            "names": [row.title for row in context.rows],
            "scores": [str(row.result.score) for row in context.rows],
            "selected": [row.selection.selected for row in context.rows],
            "minimum": str(context.session.minimum_score),
            "max": engine.decimal_text(sum(c.max for c in context.engine_criteria)),
        },
        "unranked": [e.project.title for e in context.unranked],
        "tie_groups": [
            {
                "score": _text(t.score),
                "rank": t.rank,
                "broken": t.broken,
                "reason": t.reason,
                "rows": [{"entry_id": r.entry.pk, "title": r.title} for r in t.rows],
            }
            for t in context.tie_groups
        ],
        "diagnostics": _diagnostics(context),
        "incomplete_sheets": [[s.evaluator.name, s.entry.project.title] for s in context.incomplete_sheets],
        "digest": context.digest,
    }
    # through JSON once, so that a view just computed is what a stored one reads back (lists, not tuples; the
    # diagnostics' Decimals as text)
    return json.loads(json.dumps(view, cls=DjangoJSONEncoder, ensure_ascii=False))


def stored_results_view(session: Session) -> dict:
    """The session's results view: the stored one while its records are unchanged, else computed by the engine
    and stored. Raises ``results.ScoringError`` when the session cannot be tallied (nothing is stored then)."""
    fingerprint = tally_fingerprint(session)
    rows = StoredTally.objects.filter(session=session, fingerprint=fingerprint)
    if (stored := rows.values_list("data", flat=True).first()) is not None:
        return stored
    _, context = session_tally(session, diagnostics=True)
    data = results_view(context)
    StoredTally.objects.update_or_create(session=session, defaults={"fingerprint": fingerprint, "data": data})
    return data
