"""The health checks' pages: the list (with filters and the xlsx export), one check — its self-check, its review,
its report with the follow-ups and the return visit — the report's PDF, and the office's checklist. Views are
thin: the selectors say who may see what, the services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import (
    enterprise_contact_ids,
    expert_park_ids,
    is_office,
    object_in_scope,
    office_federation_ids,
    office_object,
    office_scope,
    park_office_ids,
)
from dajia.checkups import selectors, services, services_visits
from dajia.checkups.forms import (
    ItemEditForm,
    ItemForm,
    OpenForm,
    ReviewForm,
    SelfCheckForm,
    VisitMoveForm,
    VisitRecordForm,
)
from dajia.checkups.models import ChecklistItem, HealthCheck, Risk
from dajia.checkups.pdf import report_pdf
from dajia.core.inputs import query_date, query_id, query_page
from dajia.core.xlsx import Book, Column, moment_text, xlsx_response
from dajia.desk.models import Volunteer
from dajia.desk.selectors import desk_parks
from dajia.orgs.models import Enterprise, Federation

PAGE_SIZE = 30


def _where(user) -> Q:
    where = selectors.visible_filter(user)
    if where is None:
        raise PermissionDenied(_("This page is not for your role."))
    return where


def _may_list_all(user) -> bool:
    return bool(park_office_ids(user)) or is_office(user)


def _filtered(request):
    checks = selectors.visible_checks(request.user)
    status = request.GET.get("status") or None
    risk = request.GET.get("risk") or None
    return selectors.office_list(
        checks,
        park_id=query_id(request.GET, "park"),
        status=status if status in HealthCheck.Status.values else None,
        risk=risk if risk in Risk.values else None,
        since=query_date(request.GET, "since"),
        until=query_date(request.GET, "until"),
    )


def _openable(user):
    parks = park_office_ids(user) | expert_park_ids(user)
    q = Q(pk__in=enterprise_contact_ids(user)) | Q(park_id__in=parks)
    if is_office(user):
        q |= Q(federation_id__in=office_federation_ids(user), park__isnull=False)
    busy = HealthCheck.objects.filter(status__in=[HealthCheck.Status.SELF_CHECK, HealthCheck.Status.REVIEW])
    return Enterprise.objects.filter(q).exclude(pk__in=busy.values("enterprise_id")).select_related("park")


def _reviewers(user):
    return Volunteer.objects.filter(
        user__roles__role="expert", user__roles__park__in=desk_parks(user)
    ).distinct()


@login_required
def home(request):
    user = request.user
    _where(user)
    checks = _filtered(request)
    page = Paginator(checks, PAGE_SIZE).get_page(query_page(request.GET))
    may_open = bool(
        park_office_ids(user) or expert_park_ids(user) or enterprise_contact_ids(user) or is_office(user)
    )
    form = OpenForm(enterprises=_openable(user), reviewers=_reviewers(user)) if may_open else None
    return render(
        request,
        "checkups/home.html",
        {
            "page": page,
            "checks": list(page.object_list),
            "parks": list(desk_parks(user).order_by("name")),
            "statuses": HealthCheck.Status.choices,
            "risks": Risk.choices,
            "chosen": request.GET,
            "query": request.GET.urlencode(),
            "may_export": _may_list_all(user),
            "is_office": is_office(user),
            "open_form": form,
        },
    )


@require_POST
@login_required
def check_open(request):
    user = request.user
    _where(user)
    form = OpenForm(request.POST, enterprises=_openable(user), reviewers=_reviewers(user))
    if form.is_valid():
        try:
            check = services.checks_open(
                actor=user,
                enterprises=[form.cleaned_data["enterprise"]],
                reviewer=form.cleaned_data["reviewer"],
            )[0]
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Health check %(check)s opened.") % {"check": check.number})
            return redirect("checkups:detail", check.pk)
    page = Paginator(_filtered(request), PAGE_SIZE).get_page(1)
    return render(
        request,
        "checkups/home.html",
        {
            "page": page,
            "checks": list(page.object_list),
            "parks": list(desk_parks(user).order_by("name")),
            "statuses": HealthCheck.Status.choices,
            "risks": Risk.choices,
            "chosen": {},
            "may_export": _may_list_all(user),
            "is_office": is_office(user),
            "open_form": form,
        },
        status=400,
    )


def _check(user, pk: int) -> HealthCheck:
    return object_in_scope(
        HealthCheck.objects.select_related("enterprise", "park", "federation", "reviewer__user"),
        selectors.visible_filter(user),
        pk=pk,
    )


@login_required
def detail(request, pk: int, *, forms=None, status: int = 200):
    user = request.user
    check = _check(user, pk)
    answers = selectors.answers(check)
    forms = forms or {}
    context = {
        "check": check,
        "answers": answers,
        "failed": [a for a in answers if a.failed],
        "error": forms.get("error"),
    }
    if check.status == HealthCheck.Status.SELF_CHECK and selectors.may_self_check(user, check):
        context["self_form"] = forms.get("self") or SelfCheckForm(answers=answers)
    if check.status == HealthCheck.Status.REVIEW and selectors.may_review(user, check):
        context["review_form"] = forms.get("review") or ReviewForm(answers=answers)
    if check.status == HealthCheck.Status.REPORTED:
        if selectors.may_manage(user, check):
            context["move_form"] = forms.get("move") or VisitMoveForm(initial={"due": check.visit_due})
        if selectors.may_record_visit(user, check):
            context["visit_form"] = forms.get("visit") or VisitRecordForm(
                initial={"visited_on": timezone.localdate()}
            )
    return render(request, "checkups/detail.html", context, status=status)


@require_POST
@login_required
def self_check(request, pk: int):
    check = _check(request.user, pk)
    answers = selectors.answers(check)
    form = SelfCheckForm(request.POST, answers=answers)
    if form.is_valid():
        data = form.cleaned_data
        given = {
            a.pk: services.SelfInput(answer=data[f"answer_{a.pk}"], note=data[f"note_{a.pk}"])
            for a in answers
        }
        try:
            services.selfchecks_submit(actor=request.user, answers=given)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Self-check handed in: the expert volunteers review it next."))
            return redirect("checkups:detail", pk)
    return detail(request, pk, forms={"self": form}, status=400)


@require_POST
@login_required
def review(request, pk: int):
    check = _check(request.user, pk)
    answers = selectors.answers(check)
    form = ReviewForm(request.POST, answers=answers)
    if form.is_valid():
        data = form.cleaned_data
        given = {
            a.pk: services.ReviewInput(
                risk=data[f"risk_{a.pk}"], recommendation=data[f"recommendation_{a.pk}"]
            )
            for a in answers
            if data[f"risk_{a.pk}"]
        }
        try:
            services.reviews_save(actor=request.user, reviews=given)
            if request.POST.get("issue"):
                services.reports_issue(actor=request.user, checks=[check])
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            if request.POST.get("issue"):
                messages.success(
                    request, _("Report issued; the failed items are on the desk as follow-up cases.")
                )
            else:
                messages.success(request, _("Review saved."))
            return redirect("checkups:detail", pk)
    return detail(request, pk, forms={"review": form}, status=400)


@require_POST
@login_required
def visit_move(request, pk: int):
    check = _check(request.user, pk)
    form = VisitMoveForm(request.POST)
    if form.is_valid():
        try:
            services_visits.visit_move(actor=request.user, check=check, due=form.cleaned_data["due"])
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            return redirect("checkups:detail", pk)
    return detail(request, pk, forms={"move": form}, status=400)


@require_POST
@login_required
def visit_record(request, pk: int):
    check = _check(request.user, pk)
    form = VisitRecordForm(request.POST)
    if form.is_valid():
        try:
            services_visits.visit_record(actor=request.user, check=check, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Return visit recorded."))
            return redirect("checkups:detail", pk)
    return detail(request, pk, forms={"visit": form}, status=400)


@login_required
def report(request, pk: int):
    check = _check(request.user, pk)
    if check.reported_at is None:
        return detail(request, pk, forms={"error": _("The report is not issued yet.")}, status=409)
    response = HttpResponse(report_pdf(check, selectors.answers(check)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="report-{check.number}.pdf"'
    return response


@login_required
def export(request):
    user = request.user
    if not _may_list_all(user):
        raise PermissionDenied(_("This page is not for your role."))
    book = Book()
    sheet = book.sheet(
        _("Legal health checks"),
        [
            Column(_("Number"), 10),
            Column(_("Opened at"), 18),
            Column(_("Park"), 20),
            Column(_("Enterprise"), 28),
            Column(_("Status"), 14),
            Column(_("Reviewer"), 12),
            Column(_("Report issued at"), 18),
            Column(_("Items at risk"), 10),
            Column(_("Red alerts"), 10),
            Column(_("Return visit due"), 12),
            Column(_("Return visit made on"), 12),
        ],
    )
    for c in _filtered(request):
        sheet.row(
            [
                c.number,
                moment_text(c.created_at),
                c.park.name,
                c.enterprise.name,
                c.get_status_display(),
                c.reviewer.user.display_name if c.reviewer else "",
                moment_text(c.reported_at) if c.reported_at else "",
                c.failed_count,
                c.red_count,
                c.visit_due.isoformat() if c.visit_due else "",
                c.visited_on.isoformat() if c.visited_on else "",
            ]
        )
    return xlsx_response(book.bytes(), "法治体检.xlsx")


def _checklist_federation(request):
    federations = Federation.objects.filter(pk__in=office_scope(request.user)).order_by("pk")
    federation = federations.filter(pk=query_id(request.GET, "federation")).first() or federations.first()
    if federation is None:
        raise PermissionDenied(_("This page is not for your role."))
    return federation, federations


def _checklist_page(request, federation, federations, *, form=None, failed=None, status=200):
    """The checklist with its add form and one edit form per item (``failed``: the item form sent back)."""
    template = selectors.template_of(federation.pk)
    items = list(template.items.all()) if template else []
    rows = []
    for i in items:
        edit = failed if failed is not None and failed.prefix == f"i{i.pk}" else None
        rows.append((i, edit or ItemEditForm(prefix=f"i{i.pk}", initial=_initial(i))))
    return render(
        request,
        "checkups/checklist.html",
        {
            "federation": federation,
            "federations": list(federations) if federations.count() > 1 else [],
            "form": form or ItemForm(),
            "items": rows,
        },
        status=status,
    )


@login_required
def checklist(request):
    federation, federations = _checklist_federation(request)
    if request.method != "POST":
        return _checklist_page(request, federation, federations)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            services.checklist_item_add(actor=request.user, federation=federation, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            return redirect(f"{reverse('checkups:checklist')}?federation={federation.pk}")
    return _checklist_page(request, federation, federations, form=form, status=400)


def _initial(item: ChecklistItem) -> dict:
    return {
        "area": item.area,
        "question": item.question,
        "position": item.position,
        "is_active": item.is_active,
    }


@require_POST
@login_required
def checklist_item(request, pk: int):
    user = request.user
    item = office_object(
        user,
        ChecklistItem.objects.select_related("template__federation"),
        field="template__federation_id",
        pk=pk,
    )
    federation = item.template.federation
    form = ItemEditForm(request.POST, prefix=f"i{item.pk}")
    if form.is_valid():
        try:
            services.checklist_item_update(actor=user, item=item, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            return redirect(f"{reverse('checkups:checklist')}?federation={federation.pk}")
    federations = Federation.objects.filter(pk__in=office_scope(user)).order_by("pk")
    return _checklist_page(request, federation, federations, failed=form, status=400)
