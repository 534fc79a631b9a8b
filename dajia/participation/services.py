"""Writes of live participation: one-time codes, verified viewers, supports, settings, erasure.

One verified person, one voice: a viewer is a mobile number within a session (an HMAC of it, see
``identity``), whatever the device. Verifying again on a second phone finds the same viewer, so both devices
share the same ``support_limit`` (K). Supports are added by ``services_supports`` (one implementation for a
press and a batch of them, which locks the viewers' rows and counts their supports in its transaction);
withdrawals and erasure are here. The per-project counter is updated in the same transaction, so the audience
index never aggregates supports on a read.

Supports are advisory: nothing here reads or writes the panel's sheets.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import require_office
from dajia.consultations.models import Session, SessionProject
from dajia.core import audit
from dajia.core.codes import CodeOutcome, clean_code, code_minutes, judge_code, new_code, send_text
from dajia.core.inputs import clean_mobile
from dajia.core.validators import mask_mobile
from dajia.notices.window import require_open
from dajia.participation import identity
from dajia.participation.models import (
    LiveSettings,
    RollMember,
    Support,
    VerificationCode,
    Viewer,
)

# Supports are added by services_supports (the batch rule); withdrawals and erasure here use its pieces.
from dajia.participation.services_supports import SupportState, _announce, _bump, _require_open

VIEWER_STATES = ("draft", "open", "closed", "revealed")
Purpose = VerificationCode.Purpose


def settings_for(session: Session, *, lock: bool = False) -> LiveSettings:
    qs = LiveSettings.objects.select_for_update() if lock else LiveSettings.objects
    found = qs.filter(session=session).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return LiveSettings.objects.create(session=session)
    except IntegrityError:
        return qs.get(session=session)


def on_roll(session: Session, mobile: str) -> RollMember | None:
    """The roll entry of this number among the unions of the session's federation (and those below)."""
    return (
        RollMember.objects.filter(
            mobile_hash=identity.roll_hash(mobile),
            union__federation_id__in=session.federation.descendant_ids(),
        )
        .select_related("union")
        .first()
    )


# ---- codes --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeSent:
    masked: str
    expires_at: datetime.datetime


def _check_purpose(session: Session, purpose: str) -> None:
    if purpose == Purpose.VIEWER:
        if session.state not in VIEWER_STATES:
            raise ValidationError(_("Online participation in this session has ended."))
    elif purpose == Purpose.OBJECTION:
        require_open(session)
    else:
        raise ValidationError(_("Unknown purpose."))


@transaction.atomic
def code_request(
    *, session: Session, mobile: str, purpose: str = Purpose.VIEWER, ip: str | None = None
) -> CodeSent:
    """Send a one-time code to ``mobile`` (the previous unused one stops working). With the session's
    ``require_roll``, a number not on the member roll is refused before anything is sent."""
    number = clean_mobile(mobile)
    _check_purpose(session, purpose)
    if purpose == Purpose.VIEWER and settings_for(session).require_roll and on_roll(session, number) is None:
        raise ValidationError(
            {
                "mobile": _(
                    "This number is not on the member roll of %(federation)s's unions. Only members may take "
                    "part online in this session; please ask your union to add you to the roll."
                )
                % {"federation": session.federation.name}
            }
        )
    now = timezone.now()
    hashed = identity.viewer_hash(session.pk, number)
    VerificationCode.objects.filter(
        session=session, purpose=purpose, mobile_hash=hashed, used_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
    code = new_code()
    masked = mask_mobile(number)
    row = VerificationCode.objects.create(
        session=session,
        purpose=purpose,
        mobile_hash=hashed,
        mobile_masked=masked,
        code_hash=identity.code_hash(session.pk, number, code),
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=code_minutes()),
        ip=ip,
    )
    text = _(
        "[Dajia] Your code is %(code)s, valid for %(minutes)d minutes, to take part in “%(title)s”. "
        "Do not share it. Ignore this message if you did not ask for it."
    ) % {"code": code, "minutes": code_minutes(), "title": session.title[:30]}
    send_text(number, text, event="verification_code", params={"code": code, "minutes": code_minutes()})
    audit.log(
        action="participation.code.send",
        obj=row,
        after={"mobile": masked, "purpose": purpose, "ip": ip},
        federation_id=session.federation_id,
        actor_label=masked,
    )
    return CodeSent(masked=masked, expires_at=row.expires_at)


@dataclass(frozen=True)
class VerifyOutcome(CodeOutcome):
    """A code's outcome; for a viewer's good code, the session's viewer of that number."""

    viewer: Viewer | None = None


def _viewer_for(session: Session, number: str, now) -> tuple[Viewer, bool]:
    hashed = identity.viewer_hash(session.pk, number)
    viewer = Viewer.objects.select_for_update().filter(session=session, mobile_hash=hashed).first()
    if viewer is not None:
        viewer.last_verified_at = now
        viewer.devices = F("devices") + 1
        viewer.save(update_fields=["last_verified_at", "devices"])
        viewer.refresh_from_db(fields=["devices"])
        return viewer, False
    member = on_roll(session, number)
    try:
        with transaction.atomic():
            viewer = Viewer.objects.create(
                session=session,
                mobile_hash=hashed,
                mobile_masked=mask_mobile(number),
                union=member.union if member else None,
                verified_at=now,
                last_verified_at=now,
            )
    except IntegrityError:  # the same number verified on another device at the same moment
        return Viewer.objects.get(session=session, mobile_hash=hashed), False
    stats = settings_for(session, lock=True)
    LiveSettings.objects.filter(pk=stats.pk).update(viewers=F("viewers") + 1)
    return viewer, True


@transaction.atomic
def code_verify(
    *, session: Session, mobile: str, code: str, purpose: str = Purpose.VIEWER, ip: str | None = None
) -> VerifyOutcome:
    """Check a code (expired, used, wrong or past its attempts: refused with the reason). For a viewer, a good
    code gives the session's viewer for that number — the existing one when another device verified first."""
    try:
        number = clean_mobile(mobile)
        entered = clean_code(code)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        return VerifyOutcome(ok=False, error=messages[0], field=field)
    _check_purpose(session, purpose)
    now = timezone.now()
    hashed = identity.viewer_hash(session.pk, number)
    row = (
        VerificationCode.objects.select_for_update()
        .filter(session=session, purpose=purpose, mobile_hash=hashed)
        .order_by("-created_at", "-id")
        .first()
    )
    attempts = row.attempts if row is not None else 0
    refused = judge_code(row, identity.code_hash(session.pk, number, entered), now)
    if refused is not None:
        refused = VerifyOutcome(ok=False, error=refused.error, field=refused.field)
        if row is not None and row.attempts != attempts:
            audit.log(
                action="participation.code.wrong",
                obj=row,
                after={"mobile": row.mobile_masked, "attempts": row.attempts, "ip": ip},
                federation_id=session.federation_id,
                actor_label=row.mobile_masked,
            )
        return refused
    if purpose != Purpose.VIEWER:
        audit.log(
            action="participation.code.verify",
            obj=row,
            after={"mobile": row.mobile_masked, "purpose": purpose},
            federation_id=session.federation_id,
            actor_label=row.mobile_masked,
        )
        return VerifyOutcome(ok=True)
    viewer, created = _viewer_for(session, number, now)
    audit.log(
        action="participation.viewer.verify",
        obj=viewer,
        after={"mobile": viewer.mobile_masked, "new": created, "devices": viewer.devices, "ip": ip},
        federation_id=session.federation_id,
        actor_label=viewer.mobile_masked,
    )
    if created:
        _announce(session)
    return VerifyOutcome(ok=True, viewer=viewer)


# ---- supports -----------------------------------------------------------------------------------------------


def _lock_viewer(viewer: Viewer) -> Viewer:
    locked = Viewer.objects.select_for_update().select_related("session").filter(pk=viewer.pk).first()
    if locked is None or locked.erased_at is not None:
        raise PermissionDenied(_("Please verify with your mobile number first."))
    return locked


def _entry_of(session: Session, entry: SessionProject | int) -> SessionProject:
    entry_id = entry.pk if isinstance(entry, SessionProject) else entry
    found = SessionProject.objects.filter(session=session, pk=entry_id).first()
    if found is None:
        raise ValidationError({"entry": _("This project is not part of this session.")})
    return found


def _state(viewer: Viewer, session: Session, changed: bool) -> SupportState:
    ids = frozenset(Support.objects.filter(viewer=viewer).values_list("entry_id", flat=True))
    return SupportState(supported=ids, limit=session.support_limit, changed=changed)


@transaction.atomic
def support_remove(*, viewer: Viewer, entry: SessionProject | int, ip: str | None = None) -> SupportState:
    """The viewer withdraws a support (possible until the session closes)."""
    viewer = _lock_viewer(viewer)
    session = viewer.session
    _require_open(session)
    entry = _entry_of(session, entry)
    support = Support.objects.filter(viewer=viewer, entry=entry).first()
    if support is None:
        return _state(viewer, session, changed=False)
    audit.log(
        action="participation.support.remove",
        obj=support,
        before={"entry": entry.pk, "viewer": viewer.pk},
        after={"ip": ip},
        federation_id=session.federation_id,
        actor_label=viewer.mobile_masked,
    )
    support.delete()
    _bump(session, entry, -1)
    _announce(session)
    return _state(viewer, session, changed=True)


@transaction.atomic
def viewer_erase(*, viewer: Viewer) -> None:
    """A viewer's request to delete their data. While supports can still change, they are withdrawn (so the
    number cannot verify afresh and support again); afterwards they stay counted, no longer linked to the
    number. Either way the HMAC and the masked number are replaced and the comments lose the number's tail."""
    viewer = _lock_viewer(viewer)
    session = viewer.session
    withdrawn = 0
    if session.state in (Session.State.DRAFT, Session.State.OPEN):
        for support in list(Support.objects.filter(viewer=viewer).select_related("entry")):
            support.delete()
            _bump(session, support.entry, -1)
            withdrawn += 1
    viewer.mobile_hash = f"erased:{viewer.pk}"
    viewer.mobile_masked = "—"
    viewer.erased_at = timezone.now()
    viewer.save(update_fields=["mobile_hash", "mobile_masked", "erased_at"])
    viewer.comments.update(author_label=_("Viewer"))
    audit.log(
        action="participation.viewer.erase",
        obj=viewer,
        after={"supports_withdrawn": withdrawn},
        federation_id=session.federation_id,
        actor_label=_("viewer (erased)"),
    )
    if withdrawn:
        _announce(session)


# ---- the office's settings --------------------------------------------------------------------------------


@transaction.atomic
def live_settings_update(*, actor, session: Session, require_roll: bool, comments_open: bool) -> LiveSettings:
    require_office(actor, session.federation_id)
    row = settings_for(session, lock=True)
    before = audit.snapshot(row, ["require_roll", "comments_open"])
    row.require_roll = bool(require_roll)
    row.comments_open = bool(comments_open)
    row.save(update_fields=["require_roll", "comments_open", "updated_at"])
    audit.log(
        actor=actor,
        action="participation.settings.update",
        obj=session,
        before=before,
        after=audit.snapshot(row, ["require_roll", "comments_open"]),
        federation_id=session.federation_id,
    )
    return row
