"""The desk's pages: the queue (what waits for me), raising a case, a case with its actions, consultations and
the office's export. Views are thin: they ask the selectors who may see what and call the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import (
    enterprise_contact_ids,
    expert_park_ids,
    is_office,
    office_federation_ids,
    park_office_ids,
)
from dajia.core.inputs import query_id
from dajia.core.uploads import refusal_status
from dajia.core.xlsx import Book, Column, moment_text, xlsx_response
from dajia.desk import selectors, services
from dajia.desk.forms import CaseForm, ConsultationForm, FinishForm, RateForm
from dajia.desk.models import Attachment, Case, Volunteer
from dajia.orgs.models import Enterprise


@login_required
def home(request):
    if not selectors.on_desk(request.user):
        raise PermissionDenied
    user = request.user
    cases = selectors.visible_cases(user)
    volunteer = selectors.volunteer_of(user)
    mine = cases.filter(assignments__volunteer=volunteer, status__in=Case.OPEN) if volunteer else cases.none()
    waiting_for_me = (
        cases.filter(status=Case.Status.NEW, assignments__isnull=True).filter(
            Q(suggested=volunteer) | Q(suggested__isnull=True)
        )
        if volunteer
        else cases.none()
    )
    queue = selectors.lead_queue(user)
    consultations = selectors.visible_consultations(user)
    return render(
        request,
        "desk/home.html",
        {
            "volunteer": volunteer,
            "mine": list(mine),
            "waiting_for_me": list(waiting_for_me),
            "queue": list(queue),
            "recent": list(cases[:30]),
            "counts": selectors.counts(cases, consultations),
            "consultations": list(consultations.filter(case__isnull=True)[:10]),
            "may_raise": True,
            "may_log": bool(selectors.desk_parks(user).exists()),
            "is_office": is_office(user),
            "may_confirm": bool(park_office_ids(user) or office_federation_ids(user)),
        },
    )


def _raise_enterprises(user):
    contact = enterprise_contact_ids(user)
    desk = Enterprise.objects.filter(park__in=selectors.desk_parks(user), uscc__isnull=False)
    return Enterprise.objects.filter(Q(pk__in=contact) | Q(pk__in=desk.values("pk"))).select_related("park")


@login_required
def case_new(request):
    user = request.user
    if not selectors.on_desk(user):
        raise PermissionDenied
    # ?consultation=N: a quick consultation at the desk that becomes this case (linked, counted once as a case)
    consultation_id = query_id(request.GET, "consultation")
    enterprises = _raise_enterprises(user)
    contact = enterprise_contact_ids(user)
    fixed = len(contact) == 1 and not selectors.desk_parks(user).exists()
    may_record_worker = bool(expert_park_ids(user) or is_office(user))
    form = CaseForm(
        request.POST or None,
        request.FILES or None,
        enterprises=enterprises,
        fixed_enterprise=fixed,
        may_record_worker=may_record_worker,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            enterprise = enterprises.get(pk=next(iter(contact))) if fixed else data.get("enterprise")
            kind = data.get("kind") or Case.Kind.ENTERPRISE
            worker = None
            if kind == Case.Kind.WORKER:
                worker = services.PartyInput(
                    kind="worker",
                    name=data.get("worker_name", ""),
                    mobile=data.get("worker_mobile", ""),
                    id_card=data.get("worker_id_card", ""),
                )
            counter = []
            if data.get("counter_kind"):
                counter.append(
                    services.PartyInput(
                        kind=data["counter_kind"],
                        name=data.get("counter_name", ""),
                        uscc=data.get("counter_uscc", ""),
                        mobile=data.get("counter_mobile", ""),
                    )
                )
            consultation = (
                selectors.visible_consultations(user).filter(pk=consultation_id).first()
                if consultation_id
                else None
            )
            try:
                case = services.case_raise(
                    actor=user,
                    kind=kind,
                    enterprise=enterprise,
                    park=enterprise.park if enterprise else None,
                    specialty=data["specialty"],
                    description=data["description"],
                    urgency=data["urgency"],
                    counterparties=counter,
                    worker=worker,
                    contact_mobile=data.get("contact_mobile", ""),
                    attachments=request.FILES.getlist("attachments"),
                    consultation=consultation,
                )
            except ValidationError as e:
                apply_service_errors(form, e)
                status = refusal_status(e)
            else:
                messages.success(request, _("Your problem %(case)s was received.") % {"case": case.number})
                return redirect("desk:case_detail", case.pk)
        else:
            status = 400
    return render(request, "desk/case_new.html", {"form": form, "fixed": fixed}, status=status)


def _visible_case(user, pk: int) -> Case:
    case = selectors.visible_cases(user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@login_required
def case_detail(request, pk: int, *, forms=None, status: int = 200):
    user = request.user
    case = _visible_case(user, pk)
    manage = selectors.can_manage_case(user, case)
    assigned = selectors.is_assigned(user, case)
    routing = None
    if manage and case.is_open:
        team, decision = services.routing(case)
        routing = {"team": team, "decision": decision}
    forms = forms or {}
    is_contact = case.kind == Case.Kind.ENTERPRISE and case.enterprise_id in enterprise_contact_ids(user)
    return render(
        request,
        "desk/case_detail.html",
        {
            "case": case,
            "parties": list(case.parties.all()),
            "attachments": list(case.attachments.all()),
            "assignments": list(case.assignments.all()),
            "manage": manage,
            "assigned": assigned,
            "may_take": case.status == Case.Status.NEW and not assigned and selectors.can_take(user, case),
            "routing": routing,
            "finish_form": forms.get("finish") or FinishForm(),
            "rate_form": forms.get("rate") or RateForm(),
            "may_rate": is_contact and case.status in Case.RATEABLE and case.rating is None,
            "error": forms.get("error"),
        },
        status=status,
    )


def _act(request, pk: int, action):
    case = _visible_case(request.user, pk)
    try:
        action(case)
    except ValidationError as e:
        return case_detail(request, pk, forms={"error": " ".join(e.messages)}, status=400)
    return redirect("desk:case_detail", pk)


@require_POST
@login_required
def case_take(request, pk: int):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise PermissionDenied
    return _act(
        request, pk, lambda case: services.case_assign(actor=request.user, case=case, volunteer=volunteer)
    )


@require_POST
@login_required
def case_assign(request, pk: int):
    volunteer = Volunteer.objects.filter(pk=request.POST.get("volunteer") or 0).first()
    if volunteer is None:
        case = _visible_case(request.user, pk)
        return case_detail(request, case.pk, forms={"error": _("Choose a volunteer.")}, status=400)
    return _act(
        request,
        pk,
        lambda case: services.case_assign(
            actor=request.user,
            case=case,
            volunteer=volunteer,
            override_reason=request.POST.get("override_reason", ""),
        ),
    )


@require_POST
@login_required
def case_start(request, pk: int):
    return _act(request, pk, lambda case: services.case_start(actor=request.user, case=case))


@require_POST
@login_required
def case_finish(request, pk: int):
    form = FinishForm(request.POST)
    if not form.is_valid():
        _visible_case(request.user, pk)
        return case_detail(request, pk, forms={"finish": form}, status=400)
    return _act(
        request,
        pk,
        lambda case: services.case_finish(
            actor=request.user,
            case=case,
            closure=form.cleaned_data["closure"],
            note=form.cleaned_data["note"],
            minutes=form.cleaned_data["minutes"] or 0,
        ),
    )


@require_POST
@login_required
def case_rate(request, pk: int):
    form = RateForm(request.POST)
    if not form.is_valid():
        _visible_case(request.user, pk)
        return case_detail(request, pk, forms={"rate": form}, status=400)
    return _act(
        request,
        pk,
        lambda case: services.case_rate(
            actor=request.user,
            case=case,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        ),
    )


@login_required
def attachment(request, pk: int, attachment_id: int):
    from dajia.core.uploads import private_file_response

    case = _visible_case(request.user, pk)
    return private_file_response(get_object_or_404(Attachment, pk=attachment_id, case=case).file)


@login_required
def consultation_new(request):
    parks = selectors.desk_parks(request.user)
    if not parks.exists():
        raise PermissionDenied
    form = ConsultationForm(request.POST or None, parks=parks)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                data = {**form.cleaned_data, "minutes": form.cleaned_data["minutes"] or 0}
                services.consultation_log(actor=request.user, **data)
            except ValidationError as e:
                apply_service_errors(form, e)
                status = 400
            else:
                messages.success(request, _("Consultation logged."))
                return redirect("desk:home")
        else:
            status = 400
    return render(request, "desk/consultation_new.html", {"form": form}, status=status)


@login_required
def export(request):
    if not is_office(request.user):
        raise PermissionDenied
    cases = selectors.visible_cases(request.user).filter(
        federation_id__in=office_federation_ids(request.user)
    )
    book = Book()
    sheet = book.sheet(
        _("Desk cases"),
        [
            Column(_("Number"), 10),
            Column(_("Raised at"), 18),
            Column(_("Park"), 20),
            Column(_("Enterprise"), 28),
            Column(_("Kind"), 14),
            Column(_("Domain"), 10),
            Column(_("Urgency"), 8),
            Column(_("Status"), 10),
            Column(_("Volunteers"), 20),
            Column(_("Closure code"), 12),
            Column(_("Referred to / note"), 20),
            Column(_("Overdue"), 10),
            Column(_("Rating"), 8),
        ],
    )
    for case in cases:
        sheet.row(
            [
                case.number,
                moment_text(case.created_at),
                case.park.name,
                case.enterprise.name if case.enterprise else "",
                case.get_kind_display(),
                case.get_specialty_display(),
                case.get_urgency_display(),
                case.get_status_display(),
                "、".join(a.volunteer.user.display_name for a in case.assignments.all()),
                case.get_closure_display(),
                case.closure_note,
                _("yes") if case.response_overdue or case.resolution_overdue else "",
                case.rating,
            ]
        )
    return xlsx_response(book.bytes(), "专家服务台案件.xlsx")
