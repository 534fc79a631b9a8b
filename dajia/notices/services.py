"""Writes of the 公示: real-name objections filed during the window, the office's written answer, and the job
that closes due windows.

An upheld objection voids the agreement of that project at once when one exists. When a window closes
(:func:`notices_close_due`, run from cron by ``manage.py close_notices``), each signed agreement of the session
becomes active only if no objection against its project is pending or upheld; an upheld one voids it; a pending
one leaves it signed until the office answers (the answer then settles it: upheld → void, rejected → the next
run activates it). The agreement states change through ``dajia.agreements.services`` only (notices →
agreements → orders, never back).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import require_office
from dajia.agreements.models import Agreement
from dajia.agreements.services import agreement_activate, agreement_void
from dajia.consultations.models import Session, SessionProject
from dajia.core import audit
from dajia.core.inputs import clean_mobile, clean_text
from dajia.core.validators import mask_mobile, mask_name
from dajia.core.workdays import HolidayCalendar, workdays
from dajia.notices import workbench
from dajia.notices.models import Objection
from dajia.notices.selectors import objection_states
from dajia.notices.window import notice_window, require_open

REASONS_MIN, REASONS_MAX = 10, 2000
RESPONSE_MIN, RESPONSE_MAX = 5, 2000
_NAME_RE = re.compile(r"^[\u3400-\u9fffA-Za-z·•. ]{2,30}$")


def clean_name(value) -> str:
    name = " ".join(unicodedata.normalize("NFKC", str(value or "")).split())
    if not _NAME_RE.match(name):
        raise ValidationError(
            {"name": _("Please give your real name (2 to 30 characters, Chinese or Latin letters).")}
        )
    return name


def objection_target(session: Session, entry) -> SessionProject:
    entry_id = entry.pk if isinstance(entry, SessionProject) else entry
    try:
        target = SessionProject.objects.filter(session=session, pk=int(entry_id)).first()
    except (TypeError, ValueError):
        target = None
    if target is None:
        raise ValidationError({"entry": _("This project is not part of this session.")})
    return target


def objection_check(*, session: Session, entry, name: str, mobile: str, reasons: str, now=None) -> dict:
    """Everything :func:`objection_file` refuses, without writing: the view runs it before it uses up the
    objector's SMS code, so a mistyped name costs no code. Returns the cleaned values."""
    require_open(session, now)
    cleaned = {
        "name": clean_name(name),
        "mobile": clean_mobile(mobile),
        "reasons": clean_text(reasons, field="reasons", min_length=REASONS_MIN, max_length=REASONS_MAX),
        "entry": objection_target(session, entry),
    }
    if Objection.objects.filter(
        session=session, entry=cleaned["entry"], mobile=cleaned["mobile"], status=Objection.Status.PENDING
    ).exists():
        raise ValidationError(
            _(
                "You have already objected to this project; the office will answer it. Add facts by writing to the office."
            )
        )
    return cleaned


@transaction.atomic
def objection_file(
    *,
    session: Session,
    entry: SessionProject | int,
    name: str,
    mobile: str,
    reasons: str,
    mobile_verified: bool,
    ip: str | None = None,
    now=None,
) -> Objection:
    """File a real-name objection against one project of a published session, within the window."""
    cleaned = objection_check(
        session=session, entry=entry, name=name, mobile=mobile, reasons=reasons, now=now
    )
    objection = Objection.objects.create(
        session=session,
        entry=cleaned["entry"],
        name=cleaned["name"],
        mobile=cleaned["mobile"],
        mobile_verified=bool(mobile_verified),
        reasons=cleaned["reasons"],
        filed_at=now or timezone.now(),
        ip=ip,
    )
    audit.log(
        action="participation.objection.file",
        obj=objection,
        after={
            "entry": cleaned["entry"].pk,
            "name": mask_name(cleaned["name"]),
            "mobile": mask_mobile(cleaned["mobile"]),
            "verified": mobile_verified,
        },
        federation_id=session.federation_id,
        actor_label=mask_name(cleaned["name"]),
    )
    workbench.notify_filed(objection)
    return objection


@transaction.atomic
def objection_respond(*, actor, objection: Objection, upheld: bool, response: str) -> Objection:
    """The office's written response: upheld (the project's agreement, if any, is voided) or rejected (a signed
    agreement waiting on it takes effect at once if the window has closed and nothing else is pending)."""
    objection = Objection.objects.select_for_update().select_related("session").get(pk=objection.pk)
    session = objection.session
    require_office(actor, session.federation_id)
    if objection.status != Objection.Status.PENDING:
        raise ValidationError(_("This objection has already been answered."))
    response = clean_text(response, field="response", min_length=RESPONSE_MIN, max_length=RESPONSE_MAX)
    before = audit.snapshot(objection, ["status", "response"])
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.REJECTED
    objection.response = response
    objection.responded_by = actor
    objection.responded_at = timezone.now()
    objection.save(update_fields=["status", "response", "responded_by", "responded_at"])
    voided = None
    if upheld:
        voided = _void_agreement(actor, objection, response)
    else:
        # After the window an answer is what the agreement waited for: settle it now, not at the next cron run.
        notices_close_due(session_id=session.pk)
    audit.log(
        actor=actor,
        action="participation.objection.respond",
        obj=objection,
        before=before,
        after={**audit.snapshot(objection, ["status", "response"]), "agreement_voided": voided},
        federation_id=session.federation_id,
    )
    workbench.notify_answered(objection)
    return objection


def _void_agreement(actor, objection: Objection, response: str) -> str | None:
    agreement = Agreement.objects.filter(entry_id=objection.entry_id).first()
    if agreement is None or agreement.state == Agreement.State.VOID:
        return None
    reason = _("Objection upheld during the public notice: %(r)s") % {"r": response}
    agreement_void(actor=actor, agreement=agreement, reason=reason[:300])
    return agreement.number


@transaction.atomic
def notices_close_due(
    *,
    now: datetime.datetime | None = None,
    base: HolidayCalendar | None = None,
    session_id: int | None = None,
) -> dict[str, list[Agreement]]:
    """Settle the signed agreements of every session (or of ``session_id``) whose 公示 window has closed:
    active when no objection against the project is pending or upheld, void when one is upheld, still signed
    while one is pending.

    Idempotent: run it as often as you like."""
    now = now or timezone.now()
    calendar = workdays(base)
    result: dict[str, list[Agreement]] = {"activated": [], "voided": [], "waiting": []}
    signed = Agreement.objects.filter(state=Agreement.State.SIGNED, session__state=Session.State.PUBLISHED)
    if session_id is not None:
        signed = signed.filter(session_id=session_id)
    signed = list(signed.select_related("session").order_by("pk"))
    windows = {a.session_id: notice_window(a.session, calendar=calendar) for a in signed}
    due = [a for a in signed if windows[a.session_id] is not None and windows[a.session_id].has_closed(now)]
    states = objection_states({a.session_id for a in due})
    for agreement in due:
        window, state = windows[agreement.session_id], states[agreement.session_id]
        if agreement.entry_id in state.upheld:
            agreement_void(
                actor=None,
                agreement=agreement,
                reason=_("An objection against this project was upheld during the public notice."),
            )
            result["voided"].append(agreement)
        elif agreement.entry_id in state.pending:
            result["waiting"].append(agreement)
        else:
            agreement_activate(agreement=agreement, window_closed=window.end, now=now)
            result["activated"].append(agreement)
    return result
