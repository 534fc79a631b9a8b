"""The bank team's pages: the park's list of enterprise files (名单制), a file with its financing needs, the
forms that open a file, record a need and record the bank's decision, and the office's xlsx of the list.

"Not yours": without the finance role (a bank-team member or the office) every page answers 403; a file of a park
the member does not serve answers 404 (``file_scope`` with ``object_in_scope``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import object_in_scope, office_federation_ids
from dajia.core.inputs import query_id, query_page
from dajia.core.xlsx import MONEY, Book, Column, moment_text, xlsx_response
from dajia.finance import selectors, services
from dajia.finance.forms import DecideForm, FileForm, NeedForm
from dajia.finance.models import EnterpriseFile, FinancingNeed
from dajia.orgs.models import Enterprise, Park


def _where(user) -> Q:
    where = selectors.file_scope(user)
    if where is None:
        raise PermissionDenied(_("This page is not for your role."))
    return where


def _parks(user):
    return Park.objects.filter(
        Q(pk__in=selectors.finance_park_ids(user)) | Q(federation_id__in=office_federation_ids(user))
    ).order_by("name")


@login_required
def home(request):
    where = _where(request.user)
    parks = _parks(request.user)
    park_id = query_id(request.GET, "park", label=_("The park"))
    files = selectors.files(where, park_id=park_id)
    page = Paginator(files, 50).get_page(query_page(request.GET))
    return render(
        request,
        "finance/home.html",
        {"page": page, "parks": parks, "park_id": park_id, "total": page.paginator.count},
    )


@login_required
def file_new(request):
    user = request.user
    _where(user)
    enterprises = (
        Enterprise.objects.filter(park__in=_parks(user))
        .exclude(finance_files__isnull=False)
        .select_related("park")
        .order_by("park__name", "name")
    )
    form = FileForm(request.POST or None, enterprises=enterprises)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.files_open(actor=user, enterprises=[form.cleaned_data["enterprise"]])
            except ValidationError as e:
                apply_service_errors(form, e)
                status = 400
            else:
                messages.success(request, _("The enterprise is on the park's finance list."))
                return redirect("finance:home")
        else:
            status = 400
    return render(request, "finance/file_new.html", {"form": form}, status=status)


def _file(user, pk: int) -> EnterpriseFile:
    return object_in_scope(EnterpriseFile.objects.select_related("park", "enterprise"), _where(user), pk=pk)


@login_required
def file_detail(request, pk: int, *, need_form=None, decide_forms=None, status: int = 200):
    file = _file(request.user, pk)
    decide_forms = decide_forms or {}
    needs = [
        {"need": n, "form": decide_forms.get(n.pk) or DecideForm(prefix=f"n{n.pk}")}
        for n in selectors.needs_of(file)
    ]
    return render(
        request,
        "finance/file_detail.html",
        {"file": file, "needs": needs, "need_form": need_form or NeedForm()},
        status=status,
    )


def _outcome(data) -> dict:
    return {
        k: data.get(k) for k in ("credit_line", "loan_amount", "decided_on", "outstanding", "outstanding_on")
    } | {"product": data.get("product", "")}


@require_POST
@login_required
def need_new(request, pk: int):
    file = _file(request.user, pk)
    form = NeedForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        entry = services.NeedInput(
            file=file,
            purpose=data["purpose"],
            amount_requested=data["amount_requested"],
            raised_on=data["raised_on"],
            status=data["status"],
            **_outcome(data),
        )
        try:
            services.needs_record(actor=request.user, entries=[entry])
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Financing need recorded."))
            return redirect("finance:file_detail", file.pk)
    return file_detail(request, file.pk, need_form=form, status=400)


@require_POST
@login_required
def need_decide(request, pk: int):
    need = object_in_scope(FinancingNeed.objects.select_related("file"), _need_where(request.user), pk=pk)
    form = DecideForm(request.POST, prefix=f"n{need.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.need_decide(actor=request.user, need=need, status=data["status"], **_outcome(data))
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("The bank's decision is recorded."))
            return redirect("finance:file_detail", need.file_id)
    return file_detail(request, need.file_id, decide_forms={need.pk: form}, status=400)


def _need_where(user) -> Q:
    files = EnterpriseFile.objects.filter(_where(user)).values("pk")
    return Q(file_id__in=files)


@login_required
def export(request):
    where = _where(request.user)
    book = Book()
    sheet = book.sheet(
        _("Finance files"),
        [
            Column(_("Park"), 20),
            Column(_("Enterprise"), 30),
            Column(_("Unified social credit code"), 20),
            Column(_("Opened at"), 18),
            Column(_("Financing needs"), 10),
            Column(_("Loans granted"), 10),
            Column(_("Sum granted (yuan)"), 16, MONEY),
        ],
    )
    for f in selectors.files(where).iterator(chunk_size=500):
        sheet.row(
            [
                f.park.name,
                f.enterprise.name,
                f.enterprise.uscc or "",
                moment_text(f.opened_at),
                f.need_count,
                f.granted_count,
                f.granted_total or 0,
            ]
        )
    return xlsx_response(book.bytes(), "红管家企业名单.xlsx")
