"""Who takes part in a session: the invited projects (agenda order, proposed amounts, presentation time) and
the panel of evaluators with their secret links and groups.

Set-up work like ``services_setup``, split off because it has its own rules: the agenda may be reordered while
the session runs (a presenter may be late) and a late substitute evaluator may join an open session, but only
into a group that already has a weight.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from dajia.accounts.models import Person
from dajia.accounts.permissions import require_office
from dajia.consultations.models import Evaluator, Session, SessionProject
from dajia.consultations.services_base import lock_session, publish_event
from dajia.consultations.services_console import publish_all_progress
from dajia.consultations.services_setup import require_draft
from dajia.core import audit
from dajia.core.inputs import clean_money, clean_text
from dajia.core.validators import mobile_error, normalise_mobile
from dajia.menu.models import ServiceProject


def _clean_group(value) -> str:
    return clean_text(value, field="group", label=_("group"), max_length=40, required=False, cell=True)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def default_amount(project: ServiceProject) -> Decimal:
    """The proposed amount (报价) for a year: price per session × sessions per year."""
    return (project.price * project.sessions_per_year).quantize(Decimal("0.01"))


def _renumber(session: Session, ordered: list[SessionProject]) -> None:
    """Write positions 1..n in the given order (two passes keep the unique (session, position) intact)."""
    offset = 10000
    for i, e in enumerate(ordered, start=1):
        SessionProject.objects.filter(pk=e.pk).update(position=offset + i)
    for i, e in enumerate(ordered, start=1):
        SessionProject.objects.filter(pk=e.pk).update(position=i)
        e.position = i


@transaction.atomic
def entry_add(
    *,
    actor,
    session: Session,
    project: ServiceProject,
    amount=None,
    position: int | None = None,
    presentation_minutes: int | None = None,
) -> SessionProject:
    """Invite an approved menu project (draft only). ``amount`` defaults to price × sessions per year."""
    session = lock_session(session)
    require_office(actor, session.federation_id)
    require_draft(session, _("the invited projects"))
    project = ServiceProject.objects.select_related("provider").get(pk=project.pk)
    if project.status != ServiceProject.Status.APPROVED or project.provider.status != "approved":
        raise ValidationError({"project": _("Only approved projects on the menu can be invited.")})
    if project.provider.federation_id not in session.federation.descendant_ids():
        raise ValidationError({"project": _("This organisation is registered with another federation.")})
    if session.entries.filter(project=project).exists():
        raise ValidationError({"project": _("%(t)s is already invited.") % {"t": project.title}})
    amount = (
        default_amount(project)
        if amount in (None, "")
        else clean_money(amount, field="amount", label=_("Proposed amount"))
    )
    minutes = 8 if presentation_minutes in (None, "") else _parse_minutes(presentation_minutes)
    last = session.entries.aggregate(m=Max("position"))["m"] or 0
    entry = SessionProject.objects.create(
        session=session, project=project, position=last + 1, amount=amount, presentation_minutes=minutes
    )
    if position is not None and int(position) < entry.position:
        ordered = list(session.entries.exclude(pk=entry.pk).order_by("position"))
        ordered.insert(max(0, int(position) - 1), entry)
        _renumber(session, ordered)
    audit.log(
        actor=actor,
        action="consultations.entry.add",
        obj=entry,
        after=audit.snapshot(entry),
        federation_id=session.federation_id,
    )
    return entry


def _parse_minutes(value) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= 120:
        raise ValidationError(
            {"presentation_minutes": _("Presentation time: a whole number of minutes, 1–120.")}
        )
    return n


@transaction.atomic
def entry_update(*, actor, entry: SessionProject, amount=None, presentation_minutes=None) -> SessionProject:
    """Change the proposed amount (affects selection only: until published) or the presentation time."""
    entry = SessionProject.objects.select_for_update().select_related("session").get(pk=entry.pk)
    session = entry.session
    require_office(actor, session.federation_id)
    if session.state == Session.State.PUBLISHED:
        raise ValidationError(_("The results of this session are published; it can no longer be changed."))
    before = audit.snapshot(entry)
    if amount not in (None, ""):
        entry.amount = clean_money(amount, field="amount", label=_("Proposed amount"))
    if presentation_minutes not in (None, ""):
        entry.presentation_minutes = _parse_minutes(presentation_minutes)
    entry.save(update_fields=["amount", "presentation_minutes"])
    audit.log(
        actor=actor,
        action="consultations.entry.update",
        obj=entry,
        before=before,
        after=audit.snapshot(entry),
        federation_id=session.federation_id,
    )
    return entry


@transaction.atomic
def entry_remove(*, actor, entry: SessionProject) -> None:
    entry = SessionProject.objects.select_related("session", "project").get(pk=entry.pk)
    session = lock_session(entry.session)
    require_office(actor, session.federation_id)
    require_draft(session, _("the invited projects"))
    audit.log(
        actor=actor,
        action="consultations.entry.remove",
        obj=entry,
        before=audit.snapshot(entry),
        federation_id=session.federation_id,
    )
    entry.delete()
    _renumber(session, list(session.entries.order_by("position")))


@transaction.atomic
def entry_move(*, actor, entry: SessionProject, position: int) -> SessionProject:
    """Move an invited project to another place in the presentation order (1 = first). Allowed in draft
    and while the session is open (a presenter may be late); it changes no score."""
    entry = SessionProject.objects.select_related("session").get(pk=entry.pk)
    session = lock_session(entry.session)
    require_office(actor, session.federation_id)
    if session.state not in (Session.State.DRAFT, Session.State.OPEN):
        raise ValidationError(_("The agenda can only be reordered before the session closes."))
    ordered = [e for e in session.entries.order_by("position") if e.pk != entry.pk]
    try:
        target = int(position)
    except (TypeError, ValueError):
        raise ValidationError({"position": _("Enter a position number.")}) from None
    target = min(max(target, 1), len(ordered) + 1)
    before = entry.position
    ordered.insert(target - 1, entry)
    _renumber(session, ordered)
    if before != entry.position:
        audit.log(
            actor=actor,
            action="consultations.entry.move",
            obj=entry,
            before={"position": before},
            after={"position": entry.position},
            federation_id=session.federation_id,
        )
        publish_event(session.pk, "agenda", {"session_id": session.pk})
    return entry


# ---- evaluators ----------------------------------------------------------------------------------------


@transaction.atomic
def evaluator_add(
    *, actor, session: Session, name: str, group: str = "", mobile: str = "", person: Person | None = None
) -> Evaluator:
    """Add a panel member with a secret link. In draft any group; once open (a late substitute) only while
    scoring has not ended, and only into a group that already has a weight, since the groups are frozen."""
    session = lock_session(session)
    require_office(actor, session.federation_id)
    if session.state not in (Session.State.DRAFT, Session.State.OPEN):
        raise ValidationError(_("Evaluators can only be added before the session closes."))
    name = clean_text(name, field="name", label=_("a name"), max_length=50, cell=True)
    group = _clean_group(group)
    mobile = str(mobile or "").strip()
    if mobile:
        error = mobile_error(mobile)
        if error:
            raise ValidationError({"mobile": error})
        mobile = normalise_mobile(mobile)
    if person is not None and person.federation_id not in session.federation.descendant_ids():
        raise PermissionDenied(_("This person belongs to another federation."))
    if session.state == Session.State.OPEN:
        groups = set(session.group_weights or {})
        if groups and group not in groups:
            raise ValidationError(
                {
                    "group": _("The session is open and its groups are frozen: choose one of %(g)s.")
                    % {"g": "、".join(sorted(groups))}
                }
            )
    if session.evaluators.filter(name=name).exists():
        raise ValidationError({"name": _("%(n)s is already on this panel.") % {"n": name}})
    evaluator = Evaluator.objects.create(
        session=session, name=name, group=group, mobile=mobile, person=person, token=new_token()
    )
    audit.log(
        actor=actor,
        action="consultations.evaluator.add",
        obj=evaluator,
        after=audit.snapshot(evaluator, fields=["name", "group", "person"]),
        federation_id=session.federation_id,
    )
    if session.state == Session.State.OPEN:
        publish_all_progress(session)
    return evaluator


@transaction.atomic
def evaluator_update(*, actor, evaluator: Evaluator, name=None, group=None, mobile=None) -> Evaluator:
    """Correct a panel member's name, mobile or group. The group is frozen once the session opens."""
    evaluator = Evaluator.objects.select_related("session").get(pk=evaluator.pk)
    session = lock_session(evaluator.session)
    require_office(actor, session.federation_id)
    before = audit.snapshot(evaluator, fields=["name", "group", "mobile"])
    if group is not None:
        group = _clean_group(group)
        if group != evaluator.group:
            if session.is_frozen:
                raise ValidationError({"group": _("The session is open: evaluators' groups are frozen.")})
            evaluator.group = group
    if name is not None:
        name = clean_text(name, field="name", label=_("a name"), max_length=50, cell=True)
        if name != evaluator.name:
            if session.state not in (Session.State.DRAFT, Session.State.OPEN):
                raise ValidationError(_("Evaluators can only be changed before the session closes."))
            if session.evaluators.filter(name=name).exclude(pk=evaluator.pk).exists():
                raise ValidationError({"name": _("%(n)s is already on this panel.") % {"n": name}})
            evaluator.name = name
    if mobile is not None:
        mobile = str(mobile).strip()
        if mobile and mobile_error(mobile):
            raise ValidationError({"mobile": mobile_error(mobile)})
        evaluator.mobile = normalise_mobile(mobile) if mobile else ""
    evaluator.save(update_fields=["name", "group", "mobile"])
    audit.log(
        actor=actor,
        action="consultations.evaluator.update",
        obj=evaluator,
        before=before,
        after=audit.snapshot(evaluator, fields=["name", "group", "mobile"]),
        federation_id=session.federation_id,
    )
    return evaluator


@transaction.atomic
def evaluator_remove(*, actor, evaluator: Evaluator) -> None:
    evaluator = Evaluator.objects.select_related("session").get(pk=evaluator.pk)
    session = lock_session(evaluator.session)
    require_office(actor, session.federation_id)
    require_draft(session, _("the panel"))
    audit.log(
        actor=actor,
        action="consultations.evaluator.remove",
        obj=evaluator,
        before=audit.snapshot(evaluator, fields=["name", "group", "person"]),
        federation_id=session.federation_id,
    )
    evaluator.delete()


@transaction.atomic
def evaluator_relink(*, actor, evaluator: Evaluator) -> Evaluator:
    """Issue a new secret link (the old one stops working at once), e.g. when a link was forwarded."""
    evaluator = (
        Evaluator.objects.select_related("session").select_for_update(of=("self",)).get(pk=evaluator.pk)
    )
    require_office(actor, evaluator.session.federation_id)
    evaluator.token = new_token()
    evaluator.save(update_fields=["token"])
    audit.log(
        actor=actor,
        action="consultations.evaluator.relink",
        obj=evaluator,
        federation_id=evaluator.session.federation_id,
    )
    return evaluator


@transaction.atomic
def evaluators_add_people(
    *, actor, session: Session, people: Iterable[Person], group_by_kind: Mapping[str, str]
) -> list[Evaluator]:
    """Add several people of the federation at once (e.g. the 8 CPPCC members and 20 chairs), each into the
    group named for their kind; people already on the panel are skipped."""
    added = []
    existing = set(Evaluator.objects.filter(session=session).values_list("name", flat=True))
    for person in people:
        if person.name in existing:
            continue
        added.append(
            evaluator_add(
                actor=actor,
                session=session,
                name=person.name,
                group=group_by_kind.get(person.kind, ""),
                mobile=person.mobile,
                person=person,
            )
        )
        existing.add(person.name)
    return added
