"""The 公示 objections: filed in writing and under one's real name during the window, answered by the office.

The window is ``objection_days`` working days (Mon–Fri) from the day after publication; an objection is
accepted until the end of its last day (Asia/Shanghai). An upheld objection voids the agreement of that project
at once when one exists (``dajia.agreements.services.agreement_void``); the agreements' activation job also
reads upheld objections (``dajia.agreements.objections``), so an agreement signed later is voided too.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation
from dajia.consultations.models import Session, SessionProject
from dajia.core import audit
from dajia.core.validators import mask_mobile, mask_name
from dajia.participation import workbench
from dajia.participation.models import Objection
from dajia.participation.selectors import notice_window
from dajia.participation.services import clean_mobile
from dajia.participation.services_comments import clean_text

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


def require_window(session: Session, now=None) -> None:
    window = notice_window(session)
    if window is None:
        raise ValidationError(_("Objections can be filed once the results are published."))
    if not window.is_open(now):
        raise ValidationError(
            _("The objection period ended on %(date)s; objections are no longer accepted.")
            % {"date": window.end.isoformat()}
        )


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
    require_window(session, now)
    name = clean_name(name)
    number = clean_mobile(mobile)
    reasons = clean_text(reasons, field="reasons", low=REASONS_MIN, high=REASONS_MAX)
    entry_id = entry.pk if isinstance(entry, SessionProject) else entry
    try:
        target = SessionProject.objects.filter(session=session, pk=int(entry_id)).first()
    except (TypeError, ValueError):
        target = None
    if target is None:
        raise ValidationError({"entry": _("This project is not part of this session.")})
    if Objection.objects.filter(
        session=session, entry=target, mobile=number, status=Objection.Status.PENDING
    ).exists():
        raise ValidationError(
            _(
                "You have already objected to this project; the office will answer it. Add facts by writing to the office."
            )
        )
    objection = Objection.objects.create(
        session=session,
        entry=target,
        name=name,
        mobile=number,
        mobile_verified=bool(mobile_verified),
        reasons=reasons,
        filed_at=now or timezone.now(),
        ip=ip,
    )
    audit.log(
        action="participation.objection.file",
        obj=objection,
        after={
            "entry": target.pk,
            "name": mask_name(name),
            "mobile": mask_mobile(number),
            "verified": mobile_verified,
        },
        federation_id=session.federation_id,
        actor_label=mask_name(name),
    )
    workbench.notify_filed(objection)
    return objection


@transaction.atomic
def objection_respond(*, actor, objection: Objection, upheld: bool, response: str) -> Objection:
    """The office's written response: upheld (the project's agreement, if any, is voided) or rejected."""
    objection = Objection.objects.select_for_update().select_related("session").get(pk=objection.pk)
    session = objection.session
    if not can_manage_federation(actor, session.federation_id):
        raise PermissionDenied(_("Only the union office of this session may do this."))
    if objection.status != Objection.Status.PENDING:
        raise ValidationError(_("This objection has already been answered."))
    response = clean_text(response, field="response", low=RESPONSE_MIN, high=RESPONSE_MAX)
    before = audit.snapshot(objection, ["status", "response"])
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.REJECTED
    objection.response = response
    objection.responded_by = actor
    objection.responded_at = timezone.now()
    objection.save(update_fields=["status", "response", "responded_by", "responded_at"])
    voided = None
    if upheld:
        voided = _void_agreement(actor, objection, response)
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
    from dajia.agreements.models import Agreement
    from dajia.agreements.services import agreement_void

    agreement = Agreement.objects.filter(entry_id=objection.entry_id).first()
    if agreement is None or agreement.state == Agreement.State.VOID:
        return None
    reason = _("Objection upheld during the public notice: %(r)s") % {"r": response}
    agreement_void(actor=actor, agreement=agreement, reason=reason[:300])
    return agreement.number
