"""Needs survey pages: build, send by link and QR, watch response rates, answer, results (ECharts) and xlsx."""

from __future__ import annotations

import uuid

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import (
    chair_union_ids,
    is_office,
    office_federation_ids,
    office_object,
)
from dajia.core.inputs import query_id, query_ids
from dajia.core.siteurl import absolute_url
from dajia.core.xlsx import xlsx_response
from dajia.needs import selectors
from dajia.needs import services_surveys as services
from dajia.needs.exports import survey_xlsx
from dajia.needs.forms import QuestionForm, SurveyForm
from dajia.needs.models import Question, Response, Survey, SurveyInvite
from dajia.orgs.models import Federation, Union


def _office_survey(request, pk: int) -> Survey:
    survey = office_object(request.user, Survey.objects.select_related("federation"), pk=pk)
    return survey


@login_required
def survey_list(request):
    office = is_office(request.user)
    unions = chair_union_ids(request.user)
    if not office and not unions:
        raise PermissionDenied
    surveys = []
    if office:
        surveys = (
            Survey.objects.filter(federation_id__in=office_federation_ids(request.user))
            .select_related("federation")
            .annotate(
                n_responses=Count("responses", distinct=True), n_invites=Count("invites", distinct=True)
            )
        )
    invites = (
        SurveyInvite.objects.filter(union_id__in=unions)
        .exclude(survey__state=Survey.State.DRAFT)
        .select_related("survey", "union")
        .annotate(n=Count("responses"))
        .order_by("-survey__created_at")
    )
    return render(
        request, "needs/survey_list.html", {"surveys": surveys, "invites": invites, "office": office}
    )


@login_required
def survey_create(request):
    if not is_office(request.user):
        raise PermissionDenied
    federations = Federation.objects.filter(pk__in=office_federation_ids(request.user))
    form = SurveyForm(
        request.POST or None, federations=federations, initial={"federation": federations.first()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Survey created. Add questions, then send it to unions."))
            return redirect("needs:survey_detail", pk=survey.pk)
    return render(request, "needs/survey_form.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(request, survey: Survey, question_form=None) -> dict:
    invited = {i.union_id: i.expected for i in survey.invites.all()}
    unions = Union.objects.filter(federation_id__in=survey.federation.descendant_ids()).order_by("name")
    return {
        "survey": survey,
        "questions": survey.questions.prefetch_related("categories"),
        "question_form": question_form or QuestionForm(initial={"required": True, "rank_limit": 3}),
        "rates": selectors.invite_rates(survey),
        "send_rows": [(u, u.pk in invited, invited.get(u.pk) or "") for u in unions],
        "accepts": services.accepts_answers(survey),
    }


@login_required
def survey_detail(request, pk: int):
    survey = _office_survey(request, pk)
    return render(request, "needs/survey_detail.html", _detail_context(request, survey))


@login_required
@require_POST
def question_add(request, pk: int):
    survey = _office_survey(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.question_add(
                actor=request.user,
                survey=survey,
                kind=data["kind"],
                text=data["text"],
                required=data["required"],
                options=data["options"],
                categories=list(data["categories"]) or None,
                rank_limit=data["rank_limit"],
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Question added."))
            return redirect("needs:survey_detail", pk=pk)
    return render(request, "needs/survey_detail.html", _detail_context(request, survey, form), status=400)


@login_required
@require_POST
def question_remove(request, pk: int, question_id: int):
    survey = _office_survey(request, pk)
    question = get_object_or_404(Question, pk=question_id, survey=survey)
    try:
        services.question_remove(actor=request.user, question=question)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("needs:survey_detail", pk=pk)


@login_required
@require_POST
def survey_send(request, pk: int):
    survey = _office_survey(request, pk)
    ids = query_ids(request.POST, "unions")
    unions = list(Union.objects.filter(pk__in=ids))
    if len(unions) != len(set(ids)):
        raise PermissionDenied
    expected = {u.pk: request.POST.get(f"expected_{u.pk}", "") for u in unions}
    try:
        services.survey_send(actor=request.user, survey=survey, unions=unions, expected=expected)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return render(request, "needs/survey_detail.html", _detail_context(request, survey), status=400)
    messages.success(
        request, _("Sent to %(n)d unions; each has its own link and QR code.") % {"n": len(unions)}
    )
    return redirect("needs:survey_detail", pk=pk)


@login_required
@require_POST
def survey_state(request, pk: int, action: str):
    survey = _office_survey(request, pk)
    fn = {"open": services.survey_open, "close": services.survey_close}.get(action)
    if fn is None:
        raise PermissionDenied
    try:
        fn(actor=request.user, survey=survey)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(
            request, _("The survey is open.") if action == "open" else _("The survey is closed.")
        )
    return redirect("needs:survey_detail", pk=pk)


@login_required
def survey_results(request, pk: int):
    survey = _office_survey(request, pk)
    union_id = query_id(request.GET, "union")
    union = survey.invites.filter(union_id=union_id).select_related("union").first() if union_id else None
    results = selectors.survey_results(survey, union_id=union.union_id if union else None)
    rates = selectors.invite_rates(survey)
    charts = [r.chart() for r in results if r.question.kind != Question.Kind.TEXT]
    charts.append(
        {
            "id": "chart-rates",
            "kind": "rate",
            "title": _("Response rate by union (%)"),
            "labels": [r.invite.union.name for r in rates],
            "values": [round((r.rate or 0) * 100, 1) for r in rates],
        }
    )
    total = sum(r.responses for r in rates)
    return render(
        request,
        "needs/survey_results.html",
        {
            "survey": survey,
            "results": results,
            "rates": rates,
            "charts": charts,
            "union": union,
            "total": total,
            "invites": survey.invites.select_related("union"),
        },
    )


@login_required
def survey_export(request, pk: int):
    survey = _office_survey(request, pk)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return xlsx_response(survey_xlsx(survey), f"需求调研-{survey.pk}-{stamp}.xlsx")


# ---- a union's link ----------------------------------------------------------------------------------------


def _own_invite(request, invite_id: int) -> SurveyInvite:
    invite = get_object_or_404(
        SurveyInvite.objects.select_related("survey__federation", "union"), pk=invite_id
    )
    if not services.can_act_for_invite(request.user, invite):
        raise PermissionDenied
    return invite


def _qr(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=6, border=2, dark="#1f1f1f")


@login_required
def invite_page(request, invite_id: int):
    """The link and QR code of one union's survey (the office, or that union's chair)."""
    invite = _own_invite(request, invite_id)
    url = absolute_url(request, reverse("needs:answer", args=[invite.token]))
    responses = invite.responses.count()
    return render(
        request,
        "needs/survey_invite.html",
        {
            "invite": invite,
            "url": url,
            "qr": _qr(url),
            "rate": selectors.InviteRate(invite, responses),
            "accepts": services.accepts_answers(invite.survey),
        },
    )


def _raw_answers(request, questions) -> dict:
    raw = {}
    for q in questions:
        name = f"q{q.pk}"
        if q.kind == Question.Kind.MULTIPLE:
            raw[q.pk] = request.POST.getlist(name)
        elif q.kind == Question.Kind.RANKING:
            raw[q.pk] = [request.POST.get(f"{name}_{i}", "") for i in range(1, q.rank_limit + 1)]
        else:
            raw[q.pk] = request.POST.get(name, "")
    return raw


def _items(questions, raw: dict, errors: dict) -> list[dict]:
    """What the answer form shows for each question, with what was sent back after an error."""
    items = []
    for q in questions:
        key = f"q{q.pk}"
        value = raw.get(q.pk)
        item = {
            "question": q,
            "key": key,
            "value": value if isinstance(value, str) else "",
            "error": errors.get(key),
        }
        chosen = {str(v) for v in (value if isinstance(value, list) else [value] if value else [])}
        if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            item["options"] = [
                {"value": i, "label": o, "checked": str(i) in chosen} for i, o in enumerate(q.options)
            ]
        elif q.kind == Question.Kind.RATING:
            item["options"] = [{"value": n, "label": n, "checked": str(n) in chosen} for n in range(1, 6)]
        elif q.kind == Question.Kind.RANKING:
            places = value if isinstance(value, list) else []
            item["categories"] = list(q.categories.all())
            item["places"] = [
                {"n": n, "value": places[n - 1] if n - 1 < len(places) else ""}
                for n in range(1, q.rank_limit + 1)
            ]
        items.append(item)
    return items


def _answer_form(request, invite: SurveyInvite, *, source: str):
    survey = invite.survey
    questions = list(survey.questions.prefetch_related("categories"))
    ctx = {
        "invite": invite,
        "survey": survey,
        "questions": questions,
        "source": source,
        "errors": {},
        "submission_id": request.POST.get("submission_id") or uuid.uuid4().hex,
    }
    if not services.accepts_answers(survey):
        return render(
            request, "needs/survey_closed.html", ctx, status=410 if request.method == "POST" else 200
        )
    if request.method == "POST":
        raw = _raw_answers(request, questions)
        try:
            services.response_submit(
                invite=invite,
                answers=raw,
                submission_id=ctx["submission_id"],
                respondent=request.user if source == Response.Source.LINK else None,
                source=source,
                actor=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as e:
            if getattr(e, "code", None) == "closed":
                return render(request, "needs/survey_closed.html", ctx, status=410)
            if hasattr(e, "error_dict"):
                ctx["errors"] = {k: v[0] for k, v in e.message_dict.items()}
            else:
                ctx["form_error"] = " ".join(e.messages)
            ctx["items"] = _items(questions, raw, ctx["errors"])
            return render(request, "needs/survey_answer.html", ctx, status=400)
        if source == Response.Source.PAPER:
            messages.success(request, _("Paper answers saved. You can type in the next sheet."))
            return redirect("needs:invite_paper", invite_id=invite.pk)
        request.session[f"answered-survey-{survey.pk}"] = True
        return redirect("needs:answer_thanks", token=invite.token)
    ctx["already"] = bool(request.session.get(f"answered-survey-{survey.pk}"))
    ctx["items"] = _items(questions, {}, {})
    return render(request, "needs/survey_answer.html", ctx)


def answer(request, token: str):
    """The public page behind a union's link or QR: no login needed; answers count for that union only."""
    invite = get_object_or_404(SurveyInvite.objects.select_related("survey", "union"), token=token)
    if invite.survey.state == Survey.State.DRAFT:
        raise PermissionDenied
    return _answer_form(request, invite, source=Response.Source.LINK)


def answer_thanks(request, token: str):
    invite = get_object_or_404(SurveyInvite.objects.select_related("survey", "union"), token=token)
    return render(request, "needs/survey_thanks.html", {"invite": invite, "survey": invite.survey})


@login_required
def invite_paper(request, invite_id: int):
    """Type in a paper questionnaire for one union (the office, or that union's chair)."""
    invite = _own_invite(request, invite_id)
    return _answer_form(request, invite, source=Response.Source.PAPER)
