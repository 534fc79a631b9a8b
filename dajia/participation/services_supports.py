"""Supports, the one implementation of the rule (issue 12): :func:`supports_add` decides and writes a batch of
viewers' supports — the page's single press (:func:`support_add`) is a batch of one, the ASGI edge's writer
hands it every press waiting — with the vote limits counted in the same pass, the maintained counters and the
audience event that every change of the supports sends.

One verified person, one voice: the viewers' rows are locked before their supports are counted and the
database refuses a second support of the same project, so ``support_limit`` (K) holds even when two devices of
one viewer press at the same moment. Withdrawals and erasure are in ``services``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.consultations.models import Session, SessionProject
from dajia.consultations.selectors import sessions_by_pk
from dajia.core import audit
from dajia.core.batches import each_speaking
from dajia.core.bulk import insert_instances
from dajia.core.counters import add_to_counters
from dajia.core.inputs import as_id
from dajia.core.reads import compiled_read
from dajia.live.bus import publish
from dajia.participation import services_limits
from dajia.participation.models import Support, SupportCount, Viewer
from dajia.participation.selectors import AudienceIndex, audience_index


def _announce(session: Session, index: AudienceIndex | None = None) -> None:
    """Public live event with the audience index (counts and shares only); ``index`` when it has just been
    read in this transaction."""
    data = (index or audience_index(session)).as_data()
    publish(
        channel=f"session-{session.pk}",
        event="audience",
        data={
            "session_id": session.pk,
            "viewers": data["viewers"],
            "total_supports": data["total_supports"],
            "entries": [{k: e[k] for k in ("entry_id", "supports", "share")} for e in data["entries"]],
        },
    )


@dataclass(frozen=True)
class SupportState:
    supported: frozenset[int]
    limit: int
    changed: bool

    @property
    def remaining(self) -> int:
        return max(0, self.limit - len(self.supported))


def _require_open(session: Session) -> None:
    if session.state != Session.State.OPEN:
        if session.state == Session.State.DRAFT:
            raise ValidationError(_("Supporting opens when the session starts."))
        raise ValidationError(_("The session has closed: supports can no longer be changed."))


def _bump(session: Session, entry: SessionProject, delta: int) -> None:
    _bump_many({entry.pk: (session.pk, delta)})


def _bump_many(deltas: dict[int, tuple[int, int]]) -> None:
    """Move the maintained counters (project → (session, change)) in one statement whatever their number: a
    missing row is created, and no count goes below 0."""
    add_to_counters(
        SupportCount,
        key=["entry"],
        also=["session"],
        counter="supports",
        rows=[(entry, session, change) for entry, (session, change) in deltas.items()],
        floor=0,
    )


@dataclass(frozen=True)
class SupportRequest:
    """One press of "support" as the viewer's browser sends it: the viewer its browser session names (None:
    not verified here), the project as posted, the client's address, the language of the request."""

    session_id: int
    viewer_id: int | None
    entry: object
    ip: str | None = None
    language: str = ""


@dataclass
class SupportOutcome:
    """``added``, ``unchanged`` (the project was already supported), ``removed`` (the page's withdrawal) or
    ``refused`` (``error``: PermissionDenied,
    ValidationError or ``core.ratelimit.RateLimited``; ``Http404`` when the session does not exist)."""

    kind: str
    state: SupportState | None = None
    error: Exception | None = None
    # The session's audience index once the batch is written (read once per session of a batch, for the live
    # event and for the answers), on every outcome that is not refused.
    audience: AudienceIndex | None = None


@dataclass
class _SupportFacts:
    sessions: dict[int, Session]
    viewers: dict[int, Viewer]  # locked, not erased
    supported: dict[int, set[int]]  # viewer → projects, updated as the batch is decided
    entries: dict[int, int]  # project → its session


@compiled_read
def _viewers(ids):
    # Locked in id order: K holds when two devices of one viewer press at once, and two batches never deadlock.
    return Viewer.objects.select_for_update().filter(pk__in=ids, erased_at__isnull=True).order_by("pk")


@compiled_read
def _supports_of(viewer_ids):
    return Support.objects.filter(viewer_id__in=viewer_ids).values_list("viewer_id", "entry_id")


@compiled_read
def _projects_of(session_ids):
    return SessionProject.objects.filter(session_id__in=session_ids).values_list("pk", "session_id")


def _load_support_facts(requests: list[SupportRequest]) -> _SupportFacts:
    """Sessions, the viewers (their rows locked), their supports and the sessions' projects, in four queries
    compiled once (``core.reads``: a batch reads the same shapes every time)."""
    sessions = {s.pk: s for s in sessions_by_pk({r.session_id for r in requests})}
    viewers = {
        v.pk: v for v in _viewers(sorted({r.viewer_id for r in requests if isinstance(r.viewer_id, int)}))
    }
    supported: dict[int, set[int]] = {pk: set() for pk in viewers}
    for viewer_id, entry_id in _supports_of(viewers):
        supported[viewer_id].add(entry_id)
    entries = dict(_projects_of(sessions))
    return _SupportFacts(sessions=sessions, viewers=viewers, supported=supported, entries=entries)


def _viewer_refusal(request: SupportRequest, facts: _SupportFacts) -> Exception | None:
    """Before anything is counted: the session exists and the browser holds a verified viewer of it."""
    if request.session_id not in facts.sessions:
        return Http404()
    viewer = facts.viewers.get(request.viewer_id) if isinstance(request.viewer_id, int) else None
    if viewer is None or viewer.session_id != request.session_id:
        return PermissionDenied(_("Please verify with your mobile number before supporting a project."))
    return None


def decide_support(request: SupportRequest, facts: _SupportFacts) -> SupportOutcome:
    """The rule of a support (pure: no database, no I/O), for a request whose rate limits have passed, with
    ``facts`` as the earlier requests of the batch left them (updated in place when a support is added)."""
    session = facts.sessions[request.session_id]
    viewer = facts.viewers[request.viewer_id]
    supported = facts.supported[viewer.pk]
    entry_id = as_id(request.entry)  # the one rule for ids from outside
    if entry_id is None:
        return SupportOutcome(
            "refused", error=ValidationError({"entry": _("This project is not part of this session.")})
        )
    try:
        _require_open(session)
    except ValidationError as error:
        return SupportOutcome("refused", error=error)
    if facts.entries.get(entry_id) != session.pk:
        return SupportOutcome(
            "refused", error=ValidationError({"entry": _("This project is not part of this session.")})
        )
    if entry_id in supported:
        return SupportOutcome("unchanged", SupportState(frozenset(supported), session.support_limit, False))
    if len(supported) >= session.support_limit:
        error = ValidationError(
            _("You can support at most %(k)d projects. Withdraw one of them to support another.")
            % {"k": session.support_limit}
        )
        return SupportOutcome("refused", error=error)
    supported.add(entry_id)
    return SupportOutcome("added", SupportState(frozenset(supported), session.support_limit, True))


VOTE_LIMITS = ("vote_ip", "vote_viewer")  # counted in this order; the first refused stops the request


def _limit_subject(action: str, request: SupportRequest) -> str:
    return (request.ip or "") if action == "vote_ip" else str(request.viewer_id)


@transaction.atomic
def supports_add(*, requests: list[SupportRequest]) -> list[SupportOutcome]:
    """Many viewers support projects at once — the one implementation of the support rule and of its rate
    limits (a single support is a batch of one, :func:`support_add`). One outcome per request, in
    request order, each as if the requests had been made one after the other:

    - the browser must hold a verified viewer of this session (nothing is counted otherwise);
    - ``vote_ip`` then ``vote_viewer`` are counted (``services_limits.count_many``: one round trip each, so the
      second counts only the requests the first let through); the first refusal of a key is audited;
    - the session must be open and the project part of it; supporting a project again changes nothing; at
      most ``support_limit`` projects per viewer.

    The supports are written with one bulk insert, the maintained counters with one update per project, the
    audit with one ``audit.log_many``; the ``audience`` event of each session goes out on commit.
    """
    if not requests:
        return []
    facts = _load_support_facts(requests)
    now = timezone.now()
    outcomes: list[SupportOutcome | None] = [None] * len(requests)
    pending = []
    for index, request in each_speaking(enumerate(requests), lambda pair: pair[1].language):
        refusal = _viewer_refusal(request, facts)
        if refusal is not None:
            outcomes[index] = SupportOutcome("refused", error=refusal)
        else:
            pending.append(index)
    entries: list = []  # (request index, step, audit entry): the log keeps the order of the requests
    for step, action in enumerate(VOTE_LIMITS):
        counted = services_limits.count_many(
            [(action, _limit_subject(action, requests[i])) for i in pending], now
        )
        passed = []
        for index, (result, first_refusal) in each_speaking(
            zip(pending, counted, strict=True), lambda pair: requests[pair[0]].language
        ):
            request = requests[index]
            if first_refusal:
                entry = services_limits.refusal_entry(
                    action=action,
                    subject=_limit_subject(action, request),
                    session=facts.sessions[request.session_id],
                )
                entries.append((index, step, entry))
            if result.refused:
                outcomes[index] = SupportOutcome("refused", error=services_limits.refused_error(result))
            else:
                passed.append(index)
        pending = passed
    added = []
    for index in each_speaking(pending, lambda i: requests[i].language):
        outcomes[index] = decide_support(requests[index], facts)
        if outcomes[index].kind == "added":
            added.append(index)
    supports = insert_instances(
        [
            Support(
                session_id=requests[i].session_id,
                viewer_id=requests[i].viewer_id,
                entry_id=int(requests[i].entry),
                created_at=now,
                ip=requests[i].ip,
            )
            for i in added
        ]
    )
    per_entry: dict[int, tuple[int, int]] = {}
    for support in supports:
        per_entry[support.entry_id] = (support.session_id, per_entry.get(support.entry_id, (0, 0))[1] + 1)
    _bump_many(per_entry)
    for index, support in zip(added, supports, strict=True):
        viewer = facts.viewers[support.viewer_id]
        entries.append(
            (
                index,
                len(VOTE_LIMITS),
                audit.record(
                    action="participation.support.add",
                    obj=support,
                    after={"entry": support.entry_id, "viewer": viewer.pk, "ip": requests[index].ip},
                    federation_id=facts.sessions[support.session_id].federation_id,
                    actor_label=viewer.mobile_masked,
                ),
            )
        )
    audit.log_many([entry for _i, _step, entry in sorted(entries, key=lambda e: e[:2])])
    served = sorted({r.session_id for r, o in zip(requests, outcomes, strict=True) if o.error is None})
    indexes = {session_id: audience_index(facts.sessions[session_id]) for session_id in served}
    for request, outcome in zip(requests, outcomes, strict=True):
        if outcome.error is None:
            outcome.audience = indexes[request.session_id]
    for session_id in sorted({s.session_id for s in supports}):
        _announce(facts.sessions[session_id], indexes[session_id])
    return outcomes


def support_add(*, viewer: Viewer, entry: SessionProject | int | str, ip: str | None = None) -> SupportState:
    """The viewer supports a project (at most ``support_limit`` projects; supporting it again changes nothing),
    its rate limits counted as the page counts them: :func:`supports_add` for a batch of one, its refusal
    raised."""
    entry_id = entry.pk if isinstance(entry, SessionProject) else entry
    (outcome,) = supports_add(
        requests=[SupportRequest(session_id=viewer.session_id, viewer_id=viewer.pk, entry=entry_id, ip=ip)]
    )
    if outcome.error is not None:
        raise outcome.error
    return outcome.state
