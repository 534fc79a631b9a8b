"""Writes to needs surveys: build a questionnaire, send it to unions (link + QR), open, answer, close.

An answer counts for the union whose link it came through — the union is read from the link's token, never
from anything the respondent sends. A closed survey refuses answers.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation, chair_union_ids, require_office
from dajia.core import audit
from dajia.core.inputs import check_date, normalise, parse_whole
from dajia.menu.models import Category
from dajia.needs.models import Answer, Question, Response, Survey, SurveyInvite
from dajia.orgs.models import Federation, Union

TEXT_ANSWER_MAX = 500
MAX_OPTIONS = 20


def can_act_for_invite(user, invite: SurveyInvite) -> bool:
    """The survey's office, or the chair of the invited union (only their own union's link)."""
    return can_manage_federation(user, invite.survey.federation_id) or invite.union_id in chair_union_ids(
        user
    )


def _lock(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _clean_title(value, errors: dict) -> str:
    title = str(value or "").strip()
    if not title:
        errors["title"] = _("Please give the survey a title.")
    elif len(title) > 120:
        errors["title"] = _("Please keep the title within 120 characters.")
    return title


def _clean_closes_at(value, errors: dict) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, datetime.datetime):
        errors["closes_at"] = _("Enter a date and time.")
        return None
    try:
        check_date(value, label=_("The closing time"))
    except ValidationError as error:
        errors["closes_at"] = error.messages[0]
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def survey_create(*, actor, federation: Federation, title: str, intro: str = "", closes_at=None) -> Survey:
    require_office(actor, federation.pk)
    errors: dict[str, str] = {}
    title = _clean_title(title, errors)
    closes_at = _clean_closes_at(closes_at, errors)
    if errors:
        raise ValidationError(errors)
    survey = Survey.objects.create(
        federation=federation,
        title=title,
        intro=str(intro or "").strip()[:1000],
        closes_at=closes_at,
        created_by=actor,
    )
    audit.log(
        actor=actor,
        action="needs.survey.create",
        obj=survey,
        after=audit.snapshot(survey),
        federation_id=federation.pk,
    )
    return survey


@transaction.atomic
def survey_update(*, actor, survey: Survey, title: str, intro: str = "", closes_at=None) -> Survey:
    survey = _lock(survey)
    require_office(actor, survey.federation_id)
    errors: dict[str, str] = {}
    title = _clean_title(title, errors)
    closes_at = _clean_closes_at(closes_at, errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(survey)
    survey.title, survey.intro, survey.closes_at = title, str(intro or "").strip()[:1000], closes_at
    survey.save(update_fields=["title", "intro", "closes_at"])
    audit.log(
        actor=actor,
        action="needs.survey.update",
        obj=survey,
        before=before,
        after=audit.snapshot(survey),
        federation_id=survey.federation_id,
    )
    return survey


def _require_draft(survey: Survey) -> None:
    if survey.state != Survey.State.DRAFT:
        raise ValidationError(_("Questions can only be changed while the survey is a draft."))


def _options(value) -> list[str]:
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    out = []
    for item in items:
        text = str(item).strip()
        if text and text not in out:
            out.append(text[:100])
    return out


@transaction.atomic
def question_add(
    *,
    actor,
    survey: Survey,
    kind: str,
    text: str,
    required: bool = True,
    options=None,
    categories: Iterable[Category] | None = None,
    rank_limit: int | str | None = 3,
) -> Question:
    survey = _lock(survey)
    require_office(actor, survey.federation_id)
    _require_draft(survey)
    errors: dict[str, str] = {}
    text = str(text or "").strip()
    if not text:
        errors["text"] = _("Please write the question.")
    elif len(text) > 300:
        errors["text"] = _("Please keep the question within 300 characters.")
    if kind not in Question.Kind.values:
        errors["kind"] = _("Choose a kind of question.")
    opts: list[str] = []
    cats: list[Category] = []
    limit = 3
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        opts = _options(options)
        if len(opts) < 2:
            errors["options"] = _("A choice question needs at least two options, one per line.")
        elif len(opts) > MAX_OPTIONS:
            errors["options"] = _("At most %(n)d options.") % {"n": MAX_OPTIONS}
    if kind == Question.Kind.RANKING:
        cats = list(categories or Category.objects.active())
        if len(cats) < 2:
            errors["categories"] = _("Choose at least two categories to rank.")
        try:
            limit = int(str(rank_limit or 3).strip())
        except ValueError:
            limit = 0
        if limit < 1 or (cats and limit > len(cats)):
            errors["rank_limit"] = _("The number of places must be between 1 and the number of categories.")
    if errors:
        raise ValidationError(errors)
    position = (survey.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question.objects.create(
        survey=survey,
        position=position,
        kind=kind,
        text=text,
        required=bool(required),
        options=opts,
        rank_limit=limit,
    )
    if cats:
        question.categories.set(cats)
    audit.log(
        actor=actor,
        action="needs.survey.question_add",
        obj=question,
        after=audit.snapshot(question),
        federation_id=survey.federation_id,
    )
    return question


@transaction.atomic
def question_remove(*, actor, question: Question) -> None:
    survey = _lock(question.survey)
    require_office(actor, survey.federation_id)
    _require_draft(survey)
    audit.log(
        actor=actor,
        action="needs.survey.question_remove",
        obj=question,
        before=audit.snapshot(question),
        federation_id=survey.federation_id,
    )
    question.delete()
    for i, q in enumerate(survey.questions.order_by("position"), start=1):
        if q.position != i:
            Question.objects.filter(pk=q.pk).update(position=i)


def _expected(value) -> int | None:
    if value in (None, ""):
        return None
    return parse_whole(value, label=_("The expected number of responses"), minimum=1, maximum=1000000)


@transaction.atomic
def survey_send(
    *, actor, survey: Survey, unions: Iterable[Union], expected: Mapping[int, object] | None = None
) -> list[SurveyInvite]:
    """Send the survey to unions: each gets its own link. Sending again to a union keeps its link and only
    updates the expected count."""
    survey = _lock(survey)
    require_office(actor, survey.federation_id)
    if survey.state == Survey.State.CLOSED:
        raise ValidationError(_("This survey is closed."))
    unions = list(unions)
    if not unions:
        raise ValidationError({"unions": _("Choose at least one union.")})
    allowed = survey.federation.descendant_ids()
    expected = expected or {}
    errors = []
    for union in unions:
        if union.federation_id not in allowed:
            raise PermissionDenied
        try:
            _expected(expected.get(union.pk))
        except ValidationError as e:
            errors.append(f"{union.name}: {e.messages[0]}")
    if errors:
        raise ValidationError({"expected": errors})
    out = []
    for union in unions:
        invite, created = SurveyInvite.objects.get_or_create(
            survey=survey,
            union=union,
            defaults={"token": secrets.token_urlsafe(16), "expected": _expected(expected.get(union.pk))},
        )
        if not created and union.pk in expected:
            invite.expected = _expected(expected.get(union.pk))
            invite.save(update_fields=["expected"])
        out.append(invite)
    audit.log(
        actor=actor,
        action="needs.survey.send",
        obj=survey,
        after={"unions": [u.pk for u in unions]},
        federation_id=survey.federation_id,
    )
    return out


@transaction.atomic
def survey_open(*, actor, survey: Survey) -> Survey:
    survey = _lock(survey)
    require_office(actor, survey.federation_id)
    if survey.state != Survey.State.DRAFT:
        raise ValidationError(_("Only a draft survey can be opened."))
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    if not survey.invites.exists():
        raise ValidationError(_("Send the survey to at least one union before opening it."))
    survey.state = Survey.State.OPEN
    survey.opened_at = timezone.now()
    survey.save(update_fields=["state", "opened_at"])
    audit.log(actor=actor, action="needs.survey.open", obj=survey, federation_id=survey.federation_id)
    return survey


@transaction.atomic
def survey_close(*, actor, survey: Survey) -> Survey:
    survey = _lock(survey)
    require_office(actor, survey.federation_id)
    if survey.state != Survey.State.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    survey.state = Survey.State.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["state", "closed_at"])
    audit.log(actor=actor, action="needs.survey.close", obj=survey, federation_id=survey.federation_id)
    return survey


def accepts_answers(survey: Survey) -> bool:
    if survey.state != Survey.State.OPEN:
        return False
    return survey.closes_at is None or timezone.now() < survey.closes_at


def _as_list(raw) -> list:
    if raw is None or raw == "":
        return []
    if isinstance(raw, list | tuple):
        return list(raw)
    return [raw]


def clean_answer(question: Question, raw, category_codes: list[str]):
    """The stored value of one answer, or None when unanswered; ValidationError with a clear reason."""
    kind = question.kind
    if kind == Question.Kind.TEXT:
        text = str(raw or "").strip()
        if len(text) > TEXT_ANSWER_MAX:
            raise ValidationError(
                _("Please keep the answer within %(n)d characters.") % {"n": TEXT_ANSWER_MAX}
            )
        return text or None
    if kind == Question.Kind.RATING:
        text = normalise(raw, cell=True)
        if not text:
            return None
        if text not in {"1", "2", "3", "4", "5"}:
            raise ValidationError(_("Choose a rating from 1 to 5."))
        return int(text)
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        values = [str(v).strip() for v in _as_list(raw) if str(v).strip() != ""]
        if not values:
            return None
        if kind == Question.Kind.SINGLE and len(values) > 1:
            raise ValidationError(_("Choose one option."))
        indexes = []
        for v in values:
            try:
                index = parse_whole(v, label=question.text, minimum=0, maximum=len(question.options) - 1)
            except ValidationError:
                raise ValidationError(_("Choose from the options shown.")) from None
            if index not in indexes:
                indexes.append(index)
        return indexes[0] if kind == Question.Kind.SINGLE else sorted(indexes)
    if kind == Question.Kind.RANKING:
        places = [str(v).strip() for v in _as_list(raw)]
        while places and not places[-1]:
            places.pop()
        if not places:
            return None
        if "" in places:
            raise ValidationError(_("Fill the places in order, from the first, without gaps."))
        if len(places) > question.rank_limit:
            raise ValidationError(_("Rank at most %(n)d categories.") % {"n": question.rank_limit})
        if len(set(places)) != len(places):
            raise ValidationError(_("Each category can take only one place."))
        if any(p not in category_codes for p in places):
            raise ValidationError(_("Choose from the categories shown."))
        return places
    raise ValidationError(_("Unknown kind of question."))  # pragma: no cover - the database forbids it


@transaction.atomic
def response_submit(
    *,
    invite: SurveyInvite,
    answers: Mapping[int, object],
    submission_id: str,
    respondent=None,
    source: str = Response.Source.LINK,
    actor=None,
) -> tuple[Response, bool]:
    """Record one response through a union's link. Returns (response, created): a retried submission (same
    ``submission_id``) returns the first one unchanged. ``answers`` maps question id → raw value."""
    invite = SurveyInvite.objects.select_related("survey", "union").get(pk=invite.pk)
    survey = invite.survey
    if source == Response.Source.PAPER and not can_act_for_invite(actor, invite):
        raise PermissionDenied
    if not accepts_answers(survey):
        raise ValidationError(_("This survey is closed and no longer accepts answers."), code="closed")
    submission_id = str(submission_id or "").strip()[:64]
    if not submission_id:
        raise ValidationError(_("The form is incomplete; please reload the page and try again."))
    existing = Response.objects.filter(survey=survey, submission_id=submission_id).first()
    if existing is not None:
        if existing.invite_id != invite.pk:
            raise ValidationError(_("The form is incomplete; please reload the page and try again."))
        return existing, False
    if respondent is not None and not getattr(respondent, "is_authenticated", False):
        respondent = None
    if (
        respondent is not None
        and source == Response.Source.LINK
        and Response.objects.filter(survey=survey, respondent=respondent).exists()
    ):
        raise ValidationError(_("You have already answered this survey. Thank you!"), code="duplicate")
    questions = list(survey.questions.prefetch_related("categories"))
    errors: dict[str, str] = {}
    values = {}
    for q in questions:
        codes = [c.code for c in q.categories.all()] if q.kind == Question.Kind.RANKING else []
        try:
            value = clean_answer(q, answers.get(q.pk), codes)
        except ValidationError as e:
            errors[f"q{q.pk}"] = e.messages[0]
            continue
        if value is None and q.required:
            errors[f"q{q.pk}"] = _("Please answer this question.")
        if value is not None:
            values[q.pk] = value
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                invite=invite,
                respondent=respondent if source == Response.Source.LINK else None,
                submission_id=submission_id,
                source=source,
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already answered this survey. Thank you!"), code="duplicate"
        ) from None
    Answer.objects.bulk_create(
        Answer(response=response, question_id=qid, value=v) for qid, v in values.items()
    )
    audit.log(
        actor=actor,
        actor_label="" if actor else _("respondent via the link of %(u)s") % {"u": invite.union.name},
        action="needs.survey.response",
        obj=response,
        after={"invite": invite.pk, "union": invite.union_id, "source": source},
        federation_id=survey.federation_id,
    )
    return response, True
