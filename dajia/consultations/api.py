"""JSON API of consultation results, mounted at /api/sessions.

``GET /api/sessions/{id}/results`` gives the same figures as the results page, the export and ``dajia tally``:
scores, group scores and criterion means as strings with exactly two decimals ("80.50"), amounts likewise.
After the reveal anyone may read it; before, only the union office of the session's federation (session
login or ``Authorization: Bearer <token>``). Once published, it returns the published record, with the
digest and the receipt codes of the counted sheets.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from dajia.accounts.permissions import can_manage_federation
from dajia.api.auth import session_or_token
from dajia.consultations.models import Session
from dajia.consultations.results import ScoringError
from dajia.consultations.selectors import result_to_show

router = Router(tags=["sessions"])


class _Anonymous:
    """Marks a request without credentials: the results endpoint answers it once results are public."""

    is_authenticated = False

    def __bool__(self) -> bool:
        return True


def anonymous(request):
    return _Anonymous()


class CriterionOut(Schema):
    name: str
    max: str


class ResultProjectOut(Schema):
    entry_id: int
    project: str
    title: str
    organisation: str
    rank: int
    score: str
    tied: bool
    evaluators: int
    groups: dict[str, str]
    criteria: dict[str, str]
    amount: str
    selected: bool
    selection_reason: str
    tie_break_order: int | None = None
    tie_break_reason: str = ""


class UnrankedOut(Schema):
    entry_id: int
    project: str
    title: str
    organisation: str
    amount: str


class SelectionOut(Schema):
    selected: list[str]
    spent: str
    remaining: str
    tie_break_needed: bool
    unbroken_ties: list[list[str]]


class ResultsOut(Schema):
    session: int
    title: str
    state: str
    published: bool
    method: str
    trim_min: int
    group_weights: dict[str, str]
    criteria: list[CriterionOut]
    budget: str
    minimum_score: str
    projects: list[ResultProjectOut]
    unranked: list[UnrankedOut]
    selection: SelectionOut
    counted_sheets: int
    incomplete_sheets: int
    digest: str | None = None
    receipts: list[str] | None = None


class ErrorOut(Schema):
    detail: str


@router.get(
    "/{session_id}/results",
    response={200: ResultsOut, 403: ErrorOut, 409: ErrorOut},
    auth=[*session_or_token, anonymous],
    summary="协商会评审结果 / Consultation session results",
)
def session_results(request, session_id: int):
    session = get_object_or_404(Session, pk=session_id)
    if not session.results_public and not can_manage_federation(request.auth, session.federation_id):
        return Status(403, {"detail": "结果尚未揭晓 / The results have not been revealed yet"})
    try:
        data, published = result_to_show(session)
    except ScoringError as error:
        return Status(409, {"detail": f"{error.text_zh} / {error.text_en}"})
    if published is not None:
        return Status(200, {**data, "published": True, "receipts": published.receipts})
    return Status(200, {**data, "published": False})
