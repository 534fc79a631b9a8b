"""Setting a session up (协商会, state ``draft``): the session's fields, the rubric, and opening it.

The office writes the title, time, venue, budget, minimum score, method, trimming threshold and group weights,
then the rubric; :func:`session_open` checks that the session is complete (``open_problems``) and freezes the
rules the panel scores under. The parsers of the set-up form's fields live here because only these services read
them. Invited projects and the panel are ``services_roster``; the running session is ``services_console``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import require_office
from dajia.consultations.models import Criterion, Session
from dajia.consultations.services_base import lock_session, publish_event
from dajia.core import audit
from dajia.core.inputs import clean_money, clean_text, normalise
from dajia.orgs.models import Federation
from dajia.scoring.engine import ScoringError, parse_weight

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


def _parse_minimum(value) -> Decimal:
    text = normalise(value, cell=True)
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


def parse_weights(value) -> dict[str, str]:
    """Group weights as written ({"政协委员": "0.4"}): every weight a positive decimal, names unique."""
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError({"group_weights": _("Group weights must be given as group = weight.")})
    out: dict[str, str] = {}
    for raw_name, raw_weight in value.items():
        name = normalise(raw_name, cell=True)
        weight = normalise(raw_weight, cell=True)
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

    attempt("title", lambda v: clean_text(v, field="title", label=_("a title"), max_length=120))
    attempt("starts_at", _parse_starts_at)
    attempt(
        "venue", lambda v: clean_text(v, field="venue", label=_("the venue"), max_length=120, required=False)
    )
    attempt("stream_url", _parse_url)
    attempt("budget", lambda v: clean_money(v, field="budget", label=_("Budget")))
    attempt("minimum_score", _parse_minimum)
    attempt("trim_min", _parse_trim_min)
    attempt("group_weights", parse_weights)
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
    require_office(actor, federation.pk)
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
    session = lock_session(session)
    require_office(actor, session.federation_id)
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
    publish_event(session.pk, "session", {"session_id": session.pk, "state": session.state})
    return session


def require_draft(session: Session, what: str) -> None:
    if session.state != Session.State.DRAFT:
        raise ValidationError(
            _("The session is already open: %(what)s can only be changed while it is a draft.")
            % {"what": what}
        )


@transaction.atomic
def criterion_set(*, actor, session: Session, criteria: list[dict]) -> list[Criterion]:
    """Replace the rubric (draft only): a list of {name, max_points, descriptors} in order."""
    session = lock_session(session)
    require_office(actor, session.federation_id)
    require_draft(session, _("the rubric"))
    errors: dict[str, list[str]] = {}
    cleaned: list[dict] = []
    seen: set[str] = set()
    for i, item in enumerate(criteria, start=1):
        key = f"criterion_{i}"
        name = normalise(item.get("name"), cell=True)
        raw_max = normalise(item.get("max_points"), cell=True)
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


# ---- opening -----------------------------------------------------------------------------------------------


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
        parse_weights(weights)
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
    session = lock_session(session)
    require_office(actor, session.federation_id)
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
    publish_event(session.pk, "session", {"session_id": session.pk, "state": session.state})
    return session
