"""The evaluator's phone page: no login, the secret token in the link is the credential.

The JSON endpoints are CSRF-exempt on purpose. CSRF protection exists because a browser attaches ambient
credentials (cookies) to a forged cross-site request; here the credential is the unguessable token in the URL
(``secrets.token_urlsafe(24)``), which a forging site cannot know, and no cookie grants anything. Exempting
them also means a phone whose page has been open all afternoon, or whose cookies were cleared, can still send
its sheet — which matters more at a venue than anywhere else.

An evaluator token only ever reaches its own session and its own sheets: every lookup goes through the
evaluator found by token, and an entry of another session is a 404.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dajia.consultations import services_sheets
from dajia.consultations.models import Conflict, Evaluator, Session, SessionProject, Sheet
from dajia.core.inputs import holds_nul
from dajia.live.pages import listening_page

MAX_BODY = 16 * 1024


def _evaluator(token: str) -> Evaluator:
    if not token or len(token) > 64:
        raise Http404
    return get_object_or_404(Evaluator.objects.select_related("session", "session__federation"), token=token)


def _entry(evaluator: Evaluator, entry_id: int) -> SessionProject:
    return get_object_or_404(
        SessionProject.objects.select_related("project"), pk=entry_id, session_id=evaluator.session_id
    )


def _strings() -> dict:
    """Texts the phone's script shows (translated here, so the script holds no language)."""
    return {
        "sending": _("Sending…"),
        "sent": _("Received ✓ receipt %(code)s"),
        "pending": _("Not yet received — it will be sent again automatically when the network returns."),
        "offline": _("No network. Your scores are kept on this phone and sent when the network returns."),
        "offline_conflict": _("No network: the declaration was not sent. Please try again."),
        "edited": _("Changed — press Submit to send the new scores (you will get a new receipt)."),
        "not_sent_yet": _("Not submitted yet."),
        "not_accepted": _("Not accepted:"),
        "refused": _("The sheet was refused."),
        "fix_first": _("Please correct the scores marked in red."),
        "empty": _("Enter at least one score before submitting."),
        "confirm_blank": _("%(n)s item(s) have no score. A sheet with blanks does not count. Submit anyway?"),
        "incomplete_note": _("(incomplete: it will not count until every item is scored)"),
        "score_refusals": services_sheets.score_refusals(),
        "window_short": {"waiting": _("Waiting"), "scoring": _("Scoring"), "closed": _("Ended")},
        "window_long": {
            "waiting": _("Scoring has not started yet; the chair opens it after the presentation."),
            "scoring": _("Scoring is open: enter your scores and submit."),
            "closed": _("Scoring for this project has ended."),
        },
        "session_note": {
            "draft": _(
                "The session has not started yet. This page updates by itself; you can look at the rubric "
                "meanwhile."
            ),
            "closed": _("Scoring has ended. Thank you!"),
            "revealed": _("Scoring has ended. Thank you!"),
            "published": _("Scoring has ended. Thank you!"),
        },
    }


def _results_url(session: Session) -> str:
    return f"/sessions/{session.pk}/ranking/" if session.results_public else ""


def _own_sheets(evaluator: Evaluator) -> dict[int, Sheet]:
    return {s.entry_id: s for s in Sheet.objects.filter(evaluator=evaluator).prefetch_related("scores")}


def _state(evaluator: Evaluator) -> dict:
    session = Session.objects.get(pk=evaluator.session_id)
    sheets = _own_sheets(evaluator)
    conflicts = set(Conflict.objects.filter(evaluator=evaluator).values_list("entry_id", flat=True))
    entries = session.entries.order_by("position").only("id", "window", "position")
    return {
        "session_state": session.state,
        "on_stage": session.on_stage_id,
        "results_url": _results_url(session),
        "entries": [
            {
                "id": e.pk,
                "window": e.window,
                "conflict": e.pk in conflicts,
                "receipt": sheets[e.pk].receipt if e.pk in sheets else "",
                "submission_id": sheets[e.pk].submission_id if e.pk in sheets else "",
            }
            for e in entries
        ],
    }


@never_cache
@require_GET
@listening_page
def evaluator_page(request, token: str):
    evaluator = _evaluator(token)
    session = evaluator.session
    criteria = list(session.criteria.all())
    sheets = _own_sheets(evaluator)
    conflicts = set(Conflict.objects.filter(evaluator=evaluator).values_list("entry_id", flat=True))
    rows = []
    for entry in session.entries.select_related("project", "project__provider").order_by("position"):
        sheet = sheets.get(entry.pk)
        values = {s.criterion_id: s.value for s in sheet.scores.all()} if sheet else {}
        rows.append(
            {
                "entry": entry,
                "sheet": sheet,
                "conflict": entry.pk in conflicts,
                "fields": [
                    {
                        "criterion": c,
                        "value": "" if values.get(c.pk) is None else f"{values[c.pk].normalize():f}",
                        "levels": [line for line in c.descriptors.splitlines() if line.strip()],
                    }
                    for c in criteria
                ],
            }
        )
    total_max = sum(c.max_points for c in criteria)
    return render(
        request,
        "consultations/evaluator.html",
        {
            "evaluator": evaluator,
            "session": session,
            "rows": rows,
            "criteria": criteria,
            "total_max": f"{total_max.normalize():f}" if criteria else "0",
            "results_url": _results_url(session),
            "state_url": reverse("consultations:evaluator_state", args=[token]),
            "i18n_strings": _strings(),
        },
    )


@never_cache
@require_GET
def evaluator_state(request, token: str):
    """The phone's view of the session: window states and its own receipts (never anyone's scores)."""
    return JsonResponse(_state(_evaluator(token)))


def _json_body(request) -> dict:
    return _json_object(request.body)


def _json_object(body: bytes) -> dict:
    if len(body) > MAX_BODY:
        raise ValueError("too large")
    data = json.loads(body.decode("utf-8") or "{}")
    if not isinstance(data, dict):
        raise ValueError("not an object")
    if holds_nul(data):  # the edge reads sheets too, in front of the middleware that refuses it
        raise ValueError("NUL")
    return data


def read_sheet(body: bytes) -> tuple[dict, str]:
    """(scores, submission id) of a sheet's JSON body; ValueError/UnicodeDecodeError when it cannot be read."""
    data = _json_object(body)
    scores = data.get("scores") or {}
    if not isinstance(scores, dict):
        raise ValueError("scores")
    return scores, str(data.get("submission_id") or "")


def sheet_json(outcome: services_sheets.SheetOutcome) -> tuple[int, dict, dict] | None:
    """The JSON answer to a sheet, ``(status, body, headers)`` in the active language — this view's and the
    ASGI edge's (``fastpath_sheets``). None: not found (404), as for a token or project that is not this
    evaluator's."""
    error = outcome.error
    if error is None:
        body = {
            "ok": True,
            "receipt": outcome.receipt,
            "created": outcome.created,
            "changed": outcome.changed,
            "complete": outcome.complete,
            "submission_id": outcome.submission_id,
        }
        return 200, body, {}
    if not isinstance(error, ValidationError):
        return None  # PermissionDenied or Http404: another session's project is not found
    if getattr(error, "code", None) in {"closed", "not_open", "conflict"}:
        return 409, {"ok": False, "code": error.code, "message": error.messages[0]}, {}
    if hasattr(error, "error_dict"):
        body = {
            "ok": False,
            "code": "invalid",
            "errors": dict(error.message_dict.items()),
            "message": _("Please correct the scores marked in red."),
        }
        return 400, body, {}
    return 400, {"ok": False, "code": "invalid", "message": " ".join(error.messages)}, {}


@csrf_exempt  # the secret token in the URL authenticates; see the module docstring
@never_cache
@require_POST
def sheet_submit(request, token: str, entry_id: int):
    evaluator = _evaluator(token)
    entry = _entry(evaluator, entry_id)
    try:
        scores, submission_id = read_sheet(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse(
            {"ok": False, "message": _("The sheet could not be read; please try again.")}, status=400
        )
    (outcome,) = services_sheets.sheets_submit(
        requests=[
            services_sheets.SheetRequest(
                entry_id=entry.pk, scores=scores, submission_id=submission_id, evaluator_id=evaluator.pk
            )
        ]
    )
    answer = sheet_json(outcome)
    if answer is None:
        raise Http404
    status, body, _headers = answer
    return JsonResponse(body, status=status)


@csrf_exempt  # the secret token in the URL authenticates; see the module docstring
@never_cache
@require_POST
def conflict_declare(request, token: str, entry_id: int):
    evaluator = _evaluator(token)
    entry = _entry(evaluator, entry_id)
    try:
        data = _json_body(request) if request.content_type == "application/json" else request.POST
        services_sheets.conflict_declare(
            evaluator=evaluator, entry=entry, reason=str(data.get("reason") or "")
        )
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"ok": False, "message": _("The request could not be read.")}, status=400)
    except ValidationError as e:
        return JsonResponse({"ok": False, "message": " ".join(e.messages)}, status=409)
    except PermissionDenied:
        raise Http404 from None
    return JsonResponse({"ok": True})
