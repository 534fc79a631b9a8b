"""Writes on the panel side of a consultation session (协商会): set-up, the chair's console, the phones.

Life of a session: ``draft`` (the office sets up the rubric, the invited projects and the panel) → ``open``
(the rubric, method, trimming threshold, group weights and every evaluator's group are frozen; the chair puts
projects on stage and opens and closes their scoring windows; evaluators submit sheets from their phones) →
``closed`` (every window closed) → ``revealed`` / ``published`` (the results side, ``services_results.py``).

Every function here is keyword-only, atomic, writes the audit log and publishes a live event on the channel
``session-<id>``. Events carry counts, states and ids only — never a score, a name or a token.

The key function is :func:`sheet_submit`: idempotent on ``(evaluator, entry, submission_id)`` so a phone may
retry a sheet as often as the venue Wi-Fi requires, and safe when the whole panel submits at once (one sheet per
evaluator and project is a database constraint; the entry row is locked while a sheet is written).
"""

from __future__ import annotations

import datetime
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.models import Person
from dajia.accounts.permissions import can_manage_federation
from dajia.consultations.models import Conflict, Criterion, Evaluator, Score, Session, SessionProject, Sheet
from dajia.core import audit
from dajia.core.validators import mask_name, mobile_error, normalise_mobile
from dajia.live.bus import publish
from dajia.menu.models import ServiceProject
from dajia.orgs.models import Federation
from dajia.scoring.engine import ScoringError, parse_weight

# Unambiguous for reading aloud and typing back: no 0/O, 1/I/L.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_SCORE_RE = re.compile(r"^[0-9]+(\.[0-9])?$", re.ASCII)
_MONEY_RE = re.compile(r"^[0-9]{1,10}(\.[0-9]{1,2})?$", re.ASCII)
_MAX_RE = re.compile(r"^[0-9]{1,3}(\.[0-9])?$", re.ASCII)
MIN_TRIM_MIN = 3

# The seed's rubric (下城区 2020): four dimensions; the points and level descriptors are the office's choice.
DEFAULT_CRITERIA: list[dict] = [
    {
        "name": "内容实用有效",
        "max_points": Decimal("30"),
        "descriptors": "优秀（25–30）：紧扣职工最关心的需求，内容具体、可落地，效果可衡量\n"
        "良好（18–24）：贴合需求，内容较完整\n"
        "一般（0–17）：与职工需求关联不紧，内容空泛",
    },
    {
        "name": "方式方法新颖",
        "max_points": Decimal("20"),
        "descriptors": "优秀（16–20）：形式新颖，线上线下结合，职工愿意参与\n"
        "良好（11–15）：方式有一定特色\n"
        "一般（0–10）：方式传统、单一",
    },
    {
        "name": "成熟度吸引力",
        "max_points": Decimal("25"),
        "descriptors": "优秀（21–25）：有成功案例和专业团队，品牌有吸引力\n"
        "良好（14–20）：有一定经验和口碑\n"
        "一般（0–13）：新项目，经验不足",
    },
    {
        "name": "受众接纳参与",
        "max_points": Decimal("25"),
        "descriptors": "优秀（21–25）：受众面广，便于基层工会组织、职工参与\n"
        "良好（14–20）：受众较明确，参与门槛适中\n"
        "一般（0–13）：受众窄或参与不便",
    },
]


@dataclass
class SubmitResult:
    sheet: Sheet
    receipt: str
    created: bool
    changed: bool


# ---- helpers ---------------------------------------------------------------------------------------------


def _publish(session_id: int, event: str, data: dict) -> None:
    """Publish a public live event (counts, states, ids — never scores or names). The bus defers the send
    to ``transaction.on_commit`` itself, so a rolled-back change is never announced."""
    publish(channel=f"session-{session_id}", event=event, data=data)


def _require_office(actor, session_or_federation_id) -> None:
    fed_id = (
        session_or_federation_id.federation_id
        if isinstance(session_or_federation_id, Session)
        else session_or_federation_id
    )
    if not can_manage_federation(actor, fed_id):
        raise PermissionDenied(_("This session belongs to another federation."))


def _lock_session(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


def _clean_text(value, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    if required and not text:
        raise ValidationError({field: _("Please enter %(label)s.") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("%(label)s is too long (at most %(n)s characters).")
                % {"label": label, "n": max_length}
            }
        )
    return text


def _parse_money(value, *, field: str, label: str) -> Decimal:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
        text = text.replace(",", "").removeprefix("¥").removesuffix("元").strip()
    if not _MONEY_RE.match(text):
        raise ValidationError(
            {
                field: _("%(label)s: enter an amount in yuan ≥ 0 with at most two decimals, e.g. 200000.")
                % {"label": label}
            }
        )
    return Decimal(text)


def _parse_minimum(value) -> Decimal:
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    if not re.match(r"^[0-9]{1,3}(\.[0-9]{1,2})?$", text, re.ASCII):
        raise ValidationError(
            {"minimum_score": _("Enter the minimum score as a number from 0 to 999.99, e.g. 60.")}
        )
    return Decimal(text)


def _parse_trim_min(value) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        n = -1
    if n < MIN_TRIM_MIN or n > 1000:
        raise ValidationError(
            {
                "trim_min": _(
                    "Trimming needs at least 3 sheets: enter a whole number of at least 3 (default 5)."
                )
            }
        )
    return n


def _parse_weights(value) -> dict[str, str]:
    """Group weights as written ({"政协委员": "0.4"}): every weight a positive decimal, names unique."""
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError({"group_weights": _("Group weights must be given as group = weight.")})
    out: dict[str, str] = {}
    for raw_name, raw_weight in value.items():
        name = unicodedata.normalize("NFKC", str(raw_name)).strip()
        weight = unicodedata.normalize("NFKC", str(raw_weight)).strip()
        if not name:
            raise ValidationError({"group_weights": _("Every group weight needs a group name.")})
        if len(name) > 40:
            raise ValidationError({"group_weights": _("Group names have at most 40 characters.")})
        if name in out:
            raise ValidationError({"group_weights": _("The group %(g)s is given twice.") % {"g": name}})
        try:
            parse_weight(weight)
        except ScoringError:
            raise ValidationError(
                {
                    "group_weights": _(
                        "The weight of %(g)s must be a positive decimal such as 0.4 (got %(w)s)."
                    )
                    % {"g": name, "w": weight or "—"}
                }
            ) from None
        out[name] = weight
    return out


def _parse_starts_at(value) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ValidationError({"starts_at": _("Please enter the date and time of the session.")})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _parse_url(value) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        raise ValidationError(
            {"stream_url": _("Enter the full address of the live stream, starting with https://.")}
        ) from None
    if len(text) > 200:
        raise ValidationError({"stream_url": _("The stream address is too long.")})
    return text


def _clean_group(value) -> str:
    return _clean_text(value, field="group", label=_("group"), max_length=40)


def new_receipt() -> str:
    """A receipt code such as ``7KQM-3XHD``: 8 characters from an unambiguous alphabet (31^8 ≈ 8.5×10^11)."""
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def evaluator_label(evaluator: Evaluator) -> str:
    """How an evaluator appears in the audit log (masked: the log is read by office staff)."""
    return f"{_('Evaluator')} {mask_name(evaluator.name)}"


# ---- sessions ------------------------------------------------------------------------------------------

DESCRIPTIVE_FIELDS = ("title", "starts_at", "venue", "stream_url")
SELECTION_FIELDS = ("budget", "minimum_score")
FROZEN_FIELDS = ("method", "trim_min", "group_weights")
SESSION_FIELDS = DESCRIPTIVE_FIELDS + SELECTION_FIELDS + FROZEN_FIELDS


def _clean_session_fields(fields: dict) -> dict:
    out: dict = {}
    errors: dict[str, list[str]] = {}

    def attempt(name, fn):
        if name not in fields:
            return
        try:
            out[name] = fn(fields[name])
        except ValidationError as e:
            for field, msgs in e.message_dict.items():
                errors.setdefault(field, []).extend(msgs)

    attempt(
        "title", lambda v: _clean_text(v, field="title", label=_("a title"), max_length=120, required=True)
    )
    attempt("starts_at", _parse_starts_at)
    attempt("venue", lambda v: _clean_text(v, field="venue", label=_("the venue"), max_length=120))
    attempt("stream_url", _parse_url)
    attempt("budget", lambda v: _parse_money(v, field="budget", label=_("Budget")))
    attempt("minimum_score", _parse_minimum)
    attempt("trim_min", _parse_trim_min)
    attempt("group_weights", _parse_weights)
    if "method" in fields:
        if fields["method"] not in Session.Method.values:
            errors.setdefault("method", []).append(_("Choose trimmed mean, mean or median."))
        else:
            out["method"] = fields["method"]
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def session_create(
    *,
    actor,
    federation: Federation,
    title: str,
    starts_at: datetime.datetime,
    venue: str = "",
    stream_url: str = "",
    budget,
    minimum_score=Decimal("60"),
    method: str = "trimmed",
    trim_min: int = 5,
    group_weights: Mapping[str, object] | None = None,
) -> Session:
    _require_office(actor, federation.pk)
    data = _clean_session_fields(
        {
            "title": title,
            "starts_at": starts_at,
            "venue": venue,
            "stream_url": stream_url,
            "budget": budget,
            "minimum_score": minimum_score,
            "method": method,
            "trim_min": trim_min,
            "group_weights": group_weights or {},
        }
    )
    session = Session.objects.create(federation=federation, created_by=actor, **data)
    audit.log(
        actor=actor,
        action="consultations.session.create",
        obj=session,
        after=audit.snapshot(session),
        federation_id=federation.pk,
    )
    return session


@transaction.atomic
def session_update(*, actor, session: Session, **fields) -> Session:
    """Change a session. In draft everything may change. Once it is open, the method, the trimming threshold
    and the group weights are frozen (so every sheet is tallied under the rules the panel scored under);
    the budget and the minimum score — which only affect selection — and the descriptive fields (title, time,
    venue, stream address) may change until the results are published. Every change is logged."""
    session = _lock_session(session)
    _require_office(actor, session)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    data = _clean_session_fields(fields)
    changed = {k: v for k, v in data.items() if getattr(session, k) != v}
    if session.state == Session.State.PUBLISHED and changed:
        raise ValidationError(_("The results of this session are published; it can no longer be changed."))
    if session.is_frozen:
        frozen = [k for k in changed if k in FROZEN_FIELDS]
        if frozen:
            labels = {
                "method": _("method"),
                "trim_min": _("trimming threshold"),
                "group_weights": _("group weights"),
            }
            raise ValidationError(
                {
                    k: _(
                        "The session is open: the %(what)s is frozen, so every sheet is tallied under the rules "
                        "the panel scored under."
                    )
                    % {"what": labels[k]}
                    for k in frozen
                }
            )
    if not changed:
        return session
    before = audit.snapshot(session, fields=list(changed))
    for key, value in changed.items():
        setattr(session, key, value)
    session.save(update_fields=list(changed))
    audit.log(
        actor=actor,
        action="consultations.session.update",
        obj=session,
        before=before,
        after=audit.snapshot(session, fields=list(changed)),
        federation_id=session.federation_id,
    )
    _publish(session.pk, "session", {"session_id": session.pk, "state": session.state})
    return session


def _require_draft(session: Session, what: str) -> None:
    if session.state != Session.State.DRAFT:
        raise ValidationError(
            _("The session is already open: %(what)s can only be changed while it is a draft.")
            % {"what": what}
        )


@transaction.atomic
def criterion_set(*, actor, session: Session, criteria: list[dict]) -> list[Criterion]:
    """Replace the rubric (draft only): a list of {name, max_points, descriptors} in order."""
    session = _lock_session(session)
    _require_office(actor, session)
    _require_draft(session, _("the rubric"))
    errors: dict[str, list[str]] = {}
    cleaned: list[dict] = []
    seen: set[str] = set()
    for i, item in enumerate(criteria, start=1):
        key = f"criterion_{i}"
        name = unicodedata.normalize("NFKC", str(item.get("name") or "")).strip()
        raw_max = unicodedata.normalize("NFKC", str(item.get("max_points") or "")).strip()
        descriptors = str(item.get("descriptors") or "").strip()
        if not name:
            errors.setdefault(key, []).append(_("Criterion %(i)s needs a name.") % {"i": i})
            continue
        if len(name) > 40:
            errors.setdefault(key, []).append(
                _("%(name)s: a name has at most 40 characters.") % {"name": name}
            )
        if name in seen:
            errors.setdefault(key, []).append(
                _("%(name)s appears twice; criterion names must differ.") % {"name": name}
            )
        seen.add(name)
        if not _MAX_RE.match(raw_max) or Decimal(raw_max) <= 0:
            errors.setdefault(key, []).append(
                _(
                    "%(name)s: the maximum must be a number of points above 0 with at most one decimal, e.g. 30."
                )
                % {"name": name}
            )
            continue
        cleaned.append({"name": name, "max_points": Decimal(raw_max), "descriptors": descriptors})
    if not criteria:
        errors.setdefault("criteria", []).append(_("The rubric needs at least one criterion."))
    if errors:
        raise ValidationError(errors)
    before = [{"name": c.name, "max_points": c.max_points} for c in session.criteria.all()]
    session.criteria.all().delete()
    created = [
        Criterion.objects.create(session=session, position=i, **item)
        for i, item in enumerate(cleaned, start=1)
    ]
    audit.log(
        actor=actor,
        action="consultations.rubric.set",
        obj=session,
        before={"criteria": before},
        after={"criteria": [{"name": c.name, "max_points": c.max_points} for c in created]},
        federation_id=session.federation_id,
    )
    return created


# ---- invited projects ----------------------------------------------------------------------------------


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
    session = _lock_session(session)
    _require_office(actor, session)
    _require_draft(session, _("the invited projects"))
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
        else _parse_money(amount, field="amount", label=_("Proposed amount"))
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
    _require_office(actor, session)
    if session.state == Session.State.PUBLISHED:
        raise ValidationError(_("The results of this session are published; it can no longer be changed."))
    before = audit.snapshot(entry)
    if amount not in (None, ""):
        entry.amount = _parse_money(amount, field="amount", label=_("Proposed amount"))
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
    session = _lock_session(entry.session)
    _require_office(actor, session)
    _require_draft(session, _("the invited projects"))
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
    session = _lock_session(entry.session)
    _require_office(actor, session)
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
        _publish(session.pk, "agenda", {"session_id": session.pk})
    return entry


# ---- evaluators ----------------------------------------------------------------------------------------


@transaction.atomic
def evaluator_add(
    *, actor, session: Session, name: str, group: str = "", mobile: str = "", person: Person | None = None
) -> Evaluator:
    """Add a panel member with a secret link. In draft any group; once open (a late substitute) only while
    scoring has not ended, and only into a group that already has a weight, since the groups are frozen."""
    session = _lock_session(session)
    _require_office(actor, session)
    if session.state not in (Session.State.DRAFT, Session.State.OPEN):
        raise ValidationError(_("Evaluators can only be added before the session closes."))
    name = _clean_text(name, field="name", label=_("a name"), max_length=50, required=True)
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
        _publish_all_progress(session)
    return evaluator


@transaction.atomic
def evaluator_update(*, actor, evaluator: Evaluator, name=None, group=None, mobile=None) -> Evaluator:
    """Correct a panel member's name, mobile or group. The group is frozen once the session opens."""
    evaluator = Evaluator.objects.select_related("session").get(pk=evaluator.pk)
    session = _lock_session(evaluator.session)
    _require_office(actor, session)
    before = audit.snapshot(evaluator, fields=["name", "group", "mobile"])
    if group is not None:
        group = _clean_group(group)
        if group != evaluator.group:
            if session.is_frozen:
                raise ValidationError({"group": _("The session is open: evaluators' groups are frozen.")})
            evaluator.group = group
    if name is not None:
        name = _clean_text(name, field="name", label=_("a name"), max_length=50, required=True)
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
    session = _lock_session(evaluator.session)
    _require_office(actor, session)
    _require_draft(session, _("the panel"))
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
    _require_office(actor, evaluator.session)
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


# ---- running the session -------------------------------------------------------------------------------


def open_problems(session: Session) -> list[str]:
    """What stops the session from opening (an empty list when it is ready)."""
    problems = []
    criteria = list(session.criteria.all())
    if not criteria:
        problems.append(_("Set up the rubric (at least one criterion)."))
    if not session.entries.exists():
        problems.append(_("Invite at least one project."))
    evaluators = list(session.evaluators.all())
    if not evaluators:
        problems.append(_("Add at least one evaluator."))
    if session.trim_min < MIN_TRIM_MIN:
        problems.append(_("The trimming threshold must be at least 3."))
    weights = session.group_weights or {}
    try:
        _parse_weights(weights)
    except ValidationError as e:
        problems.extend(e.messages)
    if weights:
        missing = sorted({e.group or _("(no group)") for e in evaluators if e.group not in weights})
        if missing:
            problems.append(
                _("Every evaluator's group needs a weight; missing: %(g)s.") % {"g": "、".join(missing)}
            )
    return problems


@transaction.atomic
def session_open(*, actor, session: Session) -> Session:
    """Open the session: from now on the rubric, method, trimming threshold, group weights and every
    evaluator's group are frozen."""
    session = _lock_session(session)
    _require_office(actor, session)
    if session.state != Session.State.DRAFT:
        raise ValidationError(_("This session is already open."))
    problems = open_problems(session)
    if problems:
        raise ValidationError(problems)
    session.state = Session.State.OPEN
    session.opened_at = timezone.now()
    session.save(update_fields=["state", "opened_at"])
    audit.log(
        actor=actor,
        action="consultations.session.open",
        obj=session,
        before={"state": "draft"},
        after={
            "state": "open",
            "method": session.method,
            "trim_min": session.trim_min,
            "group_weights": session.group_weights,
            "criteria": [{"name": c.name, "max_points": c.max_points} for c in session.criteria.all()],
            "evaluators": [{"id": e.pk, "group": e.group} for e in session.evaluators.all()],
        },
        federation_id=session.federation_id,
    )
    _publish(session.pk, "session", {"session_id": session.pk, "state": session.state})
    return session


def _lock_entry(entry: SessionProject) -> SessionProject:
    return (
        SessionProject.objects.select_for_update(of=("self",))
        .select_related("session", "project")
        .get(pk=entry.pk)
    )


def _require_open(session: Session) -> None:
    if session.state != Session.State.OPEN:
        raise ValidationError(_("The session is not open."))


@transaction.atomic
def entry_stage(*, actor, entry: SessionProject) -> SessionProject:
    """Put a project on stage and start its presentation timer."""
    entry = _lock_entry(entry)
    session = _lock_session(entry.session)
    _require_office(actor, session)
    _require_open(session)
    entry.stage_started_at = timezone.now()
    entry.save(update_fields=["stage_started_at"])
    before = session.on_stage_id
    session.on_stage = entry
    session.save(update_fields=["on_stage"])
    audit.log(
        actor=actor,
        action="consultations.entry.stage",
        obj=entry,
        before={"on_stage": before},
        after={"on_stage": entry.pk, "stage_started_at": entry.stage_started_at},
        federation_id=session.federation_id,
    )
    _publish(
        session.pk,
        "stage",
        {
            "session_id": session.pk,
            "entry_id": entry.pk,
            "started_at": entry.stage_started_at.isoformat(),
            "minutes": entry.presentation_minutes,
        },
    )
    return entry


@transaction.atomic
def window_open(*, actor, entry: SessionProject) -> SessionProject:
    """Open the project's scoring window (waiting → scoring)."""
    entry = _lock_entry(entry)
    session = entry.session
    _require_office(actor, session)
    _require_open(session)
    if entry.window != SessionProject.Window.WAITING:
        msg = (
            _("Scoring for %(t)s is already open.")
            if entry.window == SessionProject.Window.SCORING
            else _(
                "Scoring for %(t)s is closed; a closed window cannot be reopened (enter paper sheets instead)."
            )
        )
        raise ValidationError(msg % {"t": entry.project.title})
    entry.window = SessionProject.Window.SCORING
    entry.window_opened_at = timezone.now()
    entry.save(update_fields=["window", "window_opened_at"])
    audit.log(
        actor=actor,
        action="consultations.window.open",
        obj=entry,
        before={"window": "waiting"},
        after={"window": "scoring"},
        federation_id=session.federation_id,
    )
    _publish(session.pk, "window", {"session_id": session.pk, "entry_id": entry.pk, "window": entry.window})
    return entry


@transaction.atomic
def window_close(*, actor, entry: SessionProject) -> SessionProject:
    """Close the project's scoring window (scoring → closed). Phones can no longer submit or amend."""
    entry = _lock_entry(entry)
    session = entry.session
    _require_office(actor, session)
    _require_open(session)
    if entry.window != SessionProject.Window.SCORING:
        raise ValidationError(_("Scoring for %(t)s is not open.") % {"t": entry.project.title})
    entry.window = SessionProject.Window.CLOSED
    entry.window_closed_at = timezone.now()
    entry.save(update_fields=["window", "window_closed_at"])
    counts = progress_counts(entry)
    audit.log(
        actor=actor,
        action="consultations.window.close",
        obj=entry,
        before={"window": "scoring"},
        after={"window": "closed", **counts},
        federation_id=session.federation_id,
    )
    _publish(session.pk, "window", {"session_id": session.pk, "entry_id": entry.pk, "window": entry.window})
    return entry


@transaction.atomic
def session_close(*, actor, session: Session) -> Session:
    """Close the session once every scoring window is closed."""
    session = _lock_session(session)
    _require_office(actor, session)
    _require_open(session)
    still = [e.project.title for e in session.entries.select_related("project") if e.window != "closed"]
    if still:
        raise ValidationError(
            _("Close every scoring window first; still open or not yet scored: %(t)s.")
            % {"t": "、".join(still)}
        )
    session.state = Session.State.CLOSED
    session.closed_at = timezone.now()
    session.on_stage = None
    session.save(update_fields=["state", "closed_at", "on_stage"])
    audit.log(
        actor=actor,
        action="consultations.session.close",
        obj=session,
        before={"state": "open"},
        after={"state": "closed"},
        federation_id=session.federation_id,
    )
    _publish(session.pk, "session", {"session_id": session.pk, "state": session.state})
    return session


# ---- the panel -----------------------------------------------------------------------------------------


def progress_counts(entry: SessionProject) -> dict:
    """Counts only (public): sheets in, and how many are expected (evaluators minus declared conflicts)."""
    evaluators = Evaluator.objects.filter(session_id=entry.session_id).count()
    conflicts = Conflict.objects.filter(entry=entry).count()
    return {
        "entry_id": entry.pk,
        "submitted": Sheet.objects.filter(entry=entry).count(),
        "expected": evaluators - conflicts,
    }


def _publish_all_progress(session: Session) -> None:
    for entry in session.entries.all():
        _publish(session.pk, "progress", progress_counts(entry))


@transaction.atomic
def conflict_declare(*, evaluator: Evaluator, entry: SessionProject, reason: str = "") -> Conflict:
    """An evaluator declares a conflict of interest for a project: they will have no sheet for it. Refused
    once they have submitted a sheet for it (the office must then decide, so a sheet is never silently lost)."""
    entry = _lock_entry(entry)
    evaluator = Evaluator.objects.get(pk=evaluator.pk)
    session = entry.session
    if evaluator.session_id != entry.session_id:
        raise PermissionDenied
    if session.state not in (Session.State.DRAFT, Session.State.OPEN):
        raise ValidationError(_("The session is closed; conflicts can no longer be declared."))
    existing = Conflict.objects.filter(evaluator=evaluator, entry=entry).first()
    if existing:
        return existing
    if Sheet.objects.filter(evaluator=evaluator, entry=entry).exists():
        raise ValidationError(
            _(
                "You have already submitted scores for this project. To withdraw them because of a conflict of "
                "interest, please tell the session staff."
            )
        )
    reason = _clean_text(reason, field="reason", label=_("the reason"), max_length=200)
    conflict = Conflict.objects.create(evaluator=evaluator, entry=entry, reason=reason)
    audit.log(
        actor=None,
        actor_label=evaluator_label(evaluator),
        action="consultations.conflict.declare",
        obj=conflict,
        after={"evaluator": evaluator.pk, "entry": entry.pk, "reason": reason},
        federation_id=session.federation_id,
    )
    _publish(session.pk, "progress", progress_counts(entry))
    return conflict


def parse_score(raw, criterion: Criterion) -> Decimal | None:
    """One score as typed: blank/None = not scored; otherwise a number in [0, max] with at most one decimal
    (full-width digits read as digits). Raises ValidationError naming the criterion and its maximum."""
    if raw is None:
        return None
    if isinstance(raw, bool) or (isinstance(raw, Decimal) and not raw.is_finite()):
        text = "?"
    elif isinstance(raw, Decimal):
        text = format(raw, "f")
        if raw == raw.to_integral_value():
            text = str(int(raw))
        elif raw == raw.quantize(Decimal("0.1")):
            text = format(raw.quantize(Decimal("0.1")), "f")
    elif isinstance(raw, int | float):
        text = repr(raw)
    else:
        text = str(raw)
    text = unicodedata.normalize("NFKC", text).strip()
    if text == "":
        return None
    top = f"{criterion.max_points.normalize():f}"
    params = {"name": criterion.name, "max": top}
    if not _SCORE_RE.match(text):
        if re.match(r"^[0-9]+\.[0-9]{2,}$", text, re.ASCII):
            msg = _("%(name)s: at most one decimal place (e.g. 18.5); the maximum is %(max)s.")
        elif re.match(
            r"^[0-9]+(\.[0-9])?\s*(分|points?|pts?)$", text, re.ASCII | re.IGNORECASE
        ) or text.endswith("分"):
            msg = _("%(name)s: enter the number only, without 分 or other units (0 to %(max)s).")
        elif text.startswith("-"):
            msg = _("%(name)s: the score cannot be negative; enter 0 to %(max)s.")
        else:
            msg = _("%(name)s: enter a number from 0 to %(max)s with at most one decimal, e.g. 18 or 18.5.")
        raise ValidationError(msg % params, code="score")
    value = Decimal(text)
    if value > criterion.max_points:
        raise ValidationError(
            _("%(name)s: the maximum is %(max)s points; %(value)s is too high.") % {**params, "value": text},
            code="score",
        )
    return value


def parse_scores(scores: Mapping, criteria: list[Criterion]) -> dict[int, Decimal | None]:
    """All scores of a sheet, keyed by criterion id. Errors are collected per criterion (key: the id)."""
    by_id = {c.pk: c for c in criteria}
    keyed: dict[int, object] = {}
    for key, raw in (scores or {}).items():
        try:
            cid = int(key)
        except (TypeError, ValueError):
            cid = None
        if cid not in by_id:
            raise ValidationError(
                _("The sheet names a criterion that is not on this session's rubric."), code="criterion"
            )
        keyed[cid] = raw
    values: dict[int, Decimal | None] = {}
    errors: dict[str, list[str]] = {}
    for c in criteria:
        try:
            values[c.pk] = parse_score(keyed.get(c.pk), c)
        except ValidationError as e:
            errors[str(c.pk)] = e.messages
    if errors:
        raise ValidationError(errors)
    return values


def _one_decimal(value: Decimal | None) -> str | None:
    """A score as the canonical sheet file writes it (exactly one decimal), for the audit log."""
    return None if value is None else f"{value:.1f}"


def _sheet_state(sheet: Sheet, names: dict[int, str]) -> dict:
    return {
        "receipt": sheet.receipt,
        "complete": sheet.complete,
        "scores": {
            names[s.criterion_id]: _one_decimal(s.value)
            for s in sheet.scores.all()
            if s.criterion_id in names
        },
    }


@transaction.atomic
def sheet_submit(
    *,
    evaluator: Evaluator,
    entry: SessionProject,
    scores: Mapping[int, object],
    submission_id: str,
    source: str = Sheet.Source.PHONE,
    actor=None,
) -> SubmitResult:
    """Record one evaluator's sheet for one project — idempotently.

    - The same ``submission_id`` again (a retry, a double tap) returns the stored receipt and changes nothing,
      even after the window has closed: the first attempt did arrive.
    - A different ``submission_id`` for an existing sheet is an amendment: the scores are replaced, a new
      receipt is issued and the change is audited.
    - From a phone only while the project's window is open for scoring; paper/imported sheets (entered by the
      office) while the session is open or closed, never after the reveal.
    """
    if source not in Sheet.Source.values:
        raise ValidationError(_("Unknown sheet source."))
    submission_id = str(submission_id or "").strip()
    if source == Sheet.Source.PHONE:
        if not submission_id or len(submission_id) > 64:
            raise ValidationError(_("The sheet has no valid submission id; please reload the page."))
    elif not submission_id:
        submission_id = f"{source}-{secrets.token_hex(8)}"
    submission_id = submission_id[:64]

    # The entry row is locked (FOR NO KEY UPDATE on PostgreSQL) so a sheet and the closing of its window are
    # serialised, and two submissions for the same project never race on the same sheet. On SQLite the
    # IMMEDIATE transaction already holds the write lock.
    entry = (
        SessionProject.objects.select_for_update(no_key=True, of=("self",))
        .select_related("session", "project")
        .get(pk=entry.pk)
    )
    session = entry.session
    evaluator = Evaluator.objects.get(pk=evaluator.pk)
    if evaluator.session_id != entry.session_id:
        raise PermissionDenied(_("This project is not part of your session."))

    existing = Sheet.objects.filter(evaluator=evaluator, entry=entry).first()
    if existing is not None and existing.submission_id == submission_id:
        return SubmitResult(sheet=existing, receipt=existing.receipt, created=False, changed=False)

    if source == Sheet.Source.PHONE:
        if session.state != Session.State.OPEN or entry.window == SessionProject.Window.CLOSED:
            raise ValidationError(
                _("The scoring window for this project is closed; this sheet was not accepted."),
                code="closed",
            )
        if entry.window != SessionProject.Window.SCORING:
            raise ValidationError(_("Scoring for this project has not started yet."), code="not_open")
    else:
        if actor is None or not can_manage_federation(actor, session.federation_id):
            raise PermissionDenied(_("Only the union office may enter paper sheets."))
        if session.state not in (Session.State.OPEN, Session.State.CLOSED):
            raise ValidationError(
                _(
                    "Paper sheets can be entered while the session is open or closed, before the results are "
                    "revealed."
                ),
                code="closed",
            )
    if Conflict.objects.filter(evaluator=evaluator, entry=entry).exists():
        raise ValidationError(
            _("A conflict of interest is declared for this project, so this evaluator cannot score it."),
            code="conflict",
        )

    criteria = list(session.criteria.all())
    values = parse_scores(scores, criteria)
    complete = all(v is not None for v in values.values())
    names = {c.pk: c.name for c in criteria}
    now = timezone.now()
    label = evaluator_label(evaluator)
    entered_by = actor if source != Sheet.Source.PHONE else None

    created = False
    for attempt in range(2):
        if attempt:
            # Another request created the sheet (or took the receipt code) between our read and our write.
            existing = Sheet.objects.filter(evaluator=evaluator, entry=entry).first()
            if existing is not None and existing.submission_id == submission_id:
                return SubmitResult(sheet=existing, receipt=existing.receipt, created=False, changed=False)
        try:
            with transaction.atomic():
                if existing is None:
                    sheet = Sheet.objects.create(
                        evaluator=evaluator,
                        entry=entry,
                        receipt=new_receipt(),
                        submission_id=submission_id,
                        complete=complete,
                        source=source,
                        entered_by=entered_by,
                    )
                    Score.objects.bulk_create(
                        [Score(sheet=sheet, criterion_id=cid, value=v) for cid, v in values.items()]
                    )
                    created = True
                    before = None
                else:
                    sheet = existing
                    before = _sheet_state(sheet, names)
                    sheet.receipt = new_receipt()
                    sheet.submission_id = submission_id
                    sheet.complete = complete
                    sheet.source = source
                    sheet.entered_by = entered_by
                    sheet.amendments += 1
                    sheet.save()
                    sheet.scores.all().delete()
                    Score.objects.bulk_create(
                        [Score(sheet=sheet, criterion_id=cid, value=v) for cid, v in values.items()]
                    )
            break
        except IntegrityError:
            if attempt:
                raise
    after = {
        "receipt": sheet.receipt,
        "complete": complete,
        "source": source,
        "scores": {names[cid]: _one_decimal(v) for cid, v in values.items()},
    }
    audit.log(
        actor=actor if source != Sheet.Source.PHONE else None,
        actor_label="" if source != Sheet.Source.PHONE else label,
        action="consultations.sheet.submit" if created else "consultations.sheet.amend",
        obj=sheet,
        before=before,
        after=after,
        federation_id=session.federation_id,
    )
    if source == Sheet.Source.PHONE:
        Evaluator.objects.filter(pk=evaluator.pk).update(last_seen_at=now)
    _publish(session.pk, "progress", progress_counts(entry))
    return SubmitResult(sheet=sheet, receipt=sheet.receipt, created=created, changed=True)
