"""The oracle: ``services_supports.support_add`` and the view's rate limits in front of it (``views.support``:
``vote_ip`` then ``vote_viewer``, each counted and committed before the write, ``services_limits``' database
counter) as they were before the batch service (issue 12), kept verbatim so the property test can show that
``supports_add`` stores and answers exactly what they did, request by request. Test code only."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.consultations.models import Session, SessionProject
from dajia.core import audit
from dajia.core.models import RateCounter
from dajia.core.ratelimit import RateLimited, _window_start
from dajia.participation.models import Support, SupportCount, Viewer
from dajia.participation.services_limits import RateResult, limit_for
from dajia.participation.services_supports import SupportState, _announce


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


def _require_open(session: Session) -> None:
    if session.state != Session.State.OPEN:
        if session.state == Session.State.DRAFT:
            raise ValidationError(_("Supporting opens when the session starts."))
        raise ValidationError(_("The session has closed: supports can no longer be changed."))


def _bump(session: Session, entry: SessionProject, delta: int) -> None:
    if SupportCount.objects.filter(entry=entry).update(supports=F("supports") + delta):
        return
    try:
        with transaction.atomic():
            SupportCount.objects.create(entry=entry, session=session, supports=max(delta, 0))
    except IntegrityError:
        SupportCount.objects.filter(entry=entry).update(supports=F("supports") + delta)


def _state(viewer: Viewer, session: Session, changed: bool) -> SupportState:
    ids = frozenset(Support.objects.filter(viewer=viewer).values_list("entry_id", flat=True))
    return SupportState(supported=ids, limit=session.support_limit, changed=changed)


@transaction.atomic
def support_add(*, viewer: Viewer, entry: SessionProject | int, ip: str | None = None) -> SupportState:
    """The viewer supports a project (at most ``support_limit`` projects; supporting it again changes nothing)."""
    viewer = _lock_viewer(viewer)
    session = viewer.session
    _require_open(session)
    entry = _entry_of(session, entry)
    if Support.objects.filter(viewer=viewer, entry=entry).exists():
        return _state(viewer, session, changed=False)
    if Support.objects.filter(viewer=viewer).count() >= session.support_limit:
        raise ValidationError(
            _("You can support at most %(k)d projects. Withdraw one of them to support another.")
            % {"k": session.support_limit}
        )
    support = Support.objects.create(
        session=session, viewer=viewer, entry=entry, created_at=timezone.now(), ip=ip
    )
    _bump(session, entry, +1)
    audit.log(
        action="participation.support.add",
        obj=support,
        after={"entry": entry.pk, "viewer": viewer.pk, "ip": ip},
        federation_id=session.federation_id,
        actor_label=viewer.mobile_masked,
    )
    _announce(session)
    return _state(viewer, session, changed=True)


def _db_count(key: str, start: datetime.datetime) -> int:
    with transaction.atomic():
        if not RateCounter.objects.filter(key=key, window_start=start).update(hits=F("hits") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, hits=1)
            except IntegrityError:
                RateCounter.objects.filter(key=key, window_start=start).update(hits=F("hits") + 1)
        return RateCounter.objects.filter(key=key, window_start=start).values_list("hits", flat=True).get()


@transaction.atomic
def rate_limit_hit(
    *, action: str, subject: str, session=None, now: datetime.datetime | None = None
) -> RateResult:
    """Count one ``action`` by ``subject`` and commit it; the first refusal in a window is audited."""
    limit, window = limit_for(action)
    now = now or timezone.now()
    start = _window_start(now, window)
    key = f"{action}:{subject or 'unknown'}"[:120]
    count = _db_count(key, start)  # the oracle counts in the database (the tests run without Redis)
    retry = max(1, int((start + datetime.timedelta(seconds=window) - now).total_seconds()) + 1)
    if count == limit + 1 and session is not None:
        audit.log(
            action="participation.rate_limited",
            obj=session,
            after={"limit": action, "subject": (subject or "")[:40], "max": limit, "window_seconds": window},
            federation_id=session.federation_id,
            actor_label=_("rate limit"),
        )
    return RateResult(count=count, limit=limit, retry_after=retry)


def enforce(*, action: str, subject: str, session=None) -> None:
    """Count the hit (committed whatever follows) and raise :class:`RateLimited` when over the limit."""
    result = rate_limit_hit(action=action, subject=subject, session=session)
    if result.refused:
        raise RateLimited(
            _("Too many requests. Please try again in %(s)d seconds.") % {"s": result.retry_after},
            retry_after=result.retry_after,
        )


def view_support_add(*, session: Session, viewer: Viewer | None, entry: str, ip: str | None) -> SupportState:
    """``views.support`` with ``action=add``, from the viewer check to the service (its refusals raised)."""
    if viewer is None:
        raise PermissionDenied(_("Please verify with your mobile number before supporting a project."))
    enforce(action="vote_ip", subject=ip or "", session=session)
    enforce(action="vote_viewer", subject=str(viewer.pk), session=session)
    try:
        entry_id = int(entry)
    except ValueError:
        raise ValidationError({"entry": _("This project is not part of this session.")}) from None
    return support_add(viewer=viewer, entry=entry_id, ip=ip)
