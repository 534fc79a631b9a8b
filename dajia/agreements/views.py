from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.models import Role
from dajia.accounts.permissions import can_manage_federation, is_office, office_federation_ids, office_object
from dajia.agreements import services, services_quotas
from dajia.agreements.exports import settlement_xlsx
from dajia.agreements.forms import AmendForm, ReasonForm, TemplateForm
from dajia.agreements.models import Agreement, AgreementQuota
from dajia.agreements.pdf import agreement_pdf
from dajia.agreements.selectors import published_sessions_for, settlement_rows
from dajia.agreements.text import PLACEHOLDERS
from dajia.consultations.models import Session
from dajia.core.inputs import DB_INT_MAX, as_id, query_id, query_whole
from dajia.core.xlsx import xlsx_response
from dajia.notices.window import notice_window
from dajia.orders.models import Order
from dajia.orgs.models import Federation, Union


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _visible(request, pk: int) -> Agreement:
    agreement = get_object_or_404(Agreement.objects.for_list(), pk=pk)
    if not Agreement.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    return agreement


@login_required
def agreement_list(request):
    agreements = Agreement.objects.visible_to(request.user).for_list()
    state = request.GET.get("state", "")
    if state in Agreement.State.values:
        agreements = agreements.filter(state=state)
    sessions = published_sessions_for(office_federation_ids(request.user)) if is_office(request.user) else []
    return render(
        request,
        "agreements/list.html",
        {"agreements": agreements, "sessions": sessions, "states": Agreement.State.choices, "state": state},
    )


@login_required
@require_POST
def generate(request, session_pk: int):
    session = office_object(request.user, Session.objects.all(), pk=session_pk)
    try:
        created = services.agreements_generate(actor=request.user, session=session)
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return agreement_list_response(request, status=400)
    messages.success(request, _("%(n)s agreements drafted.") % {"n": len(created)})
    return redirect("agreements:list")


def agreement_list_response(request, *, status: int):
    response = agreement_list(request)
    response.status_code = status
    return response


def _detail_context(request, agreement: Agreement) -> dict:
    versions = list(agreement.versions.order_by("-number").prefetch_related("signatures"))
    current = versions[0]
    signed_parties = {s.party for s in current.signatures.all()}
    office = can_manage_federation(request.user, agreement.federation_id)
    quotas = list(AgreementQuota.objects.filter(agreement=agreement).select_related("union"))
    unions = []
    if office:
        by_union = {q.union_id: q for q in quotas}
        for union in Union.objects.filter(federation_id__in=agreement.federation.descendant_ids()).order_by(
            "name"
        ):
            unions.append((union, by_union.get(union.pk)))
    return {
        "agreement": agreement,
        "versions": versions,
        "current": current,
        "signed_parties": signed_parties,
        "can_sign": [p for p in services.can_sign_as(request.user, agreement) if p not in signed_parties],
        "office": office,
        "quotas": quotas,
        "unions": unions,
        "window": notice_window(agreement.session),
        "reason_form": ReasonForm(),
        "orders": Order.objects.filter(agreement=agreement)
        .select_related("union")
        .order_by("starts_at")[:50],
        "open": agreement.state in ("draft", "signed", "active"),
    }


def _render_detail(request, agreement: Agreement, *, status: int = 200):
    agreement = Agreement.objects.for_list().get(pk=agreement.pk)
    return render(request, "agreements/detail.html", _detail_context(request, agreement), status=status)


@login_required
def agreement_detail(request, pk: int):
    return _render_detail(request, _visible(request, pk))


@login_required
def agreement_amend(request, pk: int):
    agreement = _visible(request, pk)
    if not can_manage_federation(request.user, agreement.federation_id):
        raise PermissionDenied
    form = AmendForm(request.POST or None, initial=AmendForm.initial_from(agreement))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.agreement_amend(actor=request.user, agreement=agreement, reason=reason, **data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(
                request, _("The amendment is recorded as a new version. Both parties sign it again.")
            )
            return redirect("agreements:detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "agreements/amend.html", {"agreement": agreement, "form": form}, status=status)


@login_required
@require_POST
def agreement_sign(request, pk: int):
    agreement = _visible(request, pk)
    try:
        services.agreement_sign(
            actor=request.user,
            agreement=agreement,
            party=request.POST.get("party", ""),
            sha256=request.POST.get("sha256", ""),
        )
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return _render_detail(request, agreement, status=400)
    messages.success(request, _("Signed."))
    return redirect("agreements:detail", pk=pk)


@login_required
@require_POST
def agreement_close(request, pk: int, action: str):
    agreement = _visible(request, pk)
    reason = request.POST.get("reason", "")
    try:
        if action == "terminate":
            services.agreement_terminate(actor=request.user, agreement=agreement, reason=reason)
        elif action == "void":
            services.agreement_void(actor=request.user, agreement=agreement, reason=reason)
        elif action == "complete":
            services.agreement_complete(actor=request.user, agreement=agreement)
        else:
            raise Http404
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return _render_detail(request, agreement, status=400)
    messages.success(request, _("Saved."))
    return redirect("agreements:detail", pk=pk)


@login_required
@require_POST
def agreement_quotas(request, pk: int):
    agreement = _visible(request, pk)
    quotas = {
        key.removeprefix("quota_"): value for key, value in request.POST.items() if key.startswith("quota_")
    }
    if not all(as_id(k) for k in quotas):
        messages.error(request, _("The quota form is damaged; please reload the page."))
        return _render_detail(request, agreement, status=400)
    try:
        services_quotas.quotas_set(
            actor=request.user,
            agreement=agreement,
            allocation=request.POST.get("allocation", ""),
            quotas={int(k): v for k, v in quotas.items()},
        )
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return _render_detail(request, agreement, status=400)
    messages.success(request, _("Sharing of sessions saved."))
    return redirect("agreements:detail", pk=pk)


@login_required
def agreement_pdf_view(request, pk: int):
    agreement = _visible(request, pk)
    number = query_whole(request.GET, "version", minimum=1, maximum=DB_INT_MAX)
    versions = agreement.versions.prefetch_related("signatures")
    version = versions.filter(number=number).first() if number else versions.order_by("-number").first()
    if version is None:
        raise Http404
    data = agreement_pdf(agreement, version, list(version.signatures.all()))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-{agreement.number}-v{version.number}.pdf"'
    return response


def _own_federation(request) -> Federation:
    if not is_office(request.user):
        raise PermissionDenied
    ids = sorted(
        r.federation_id for r in request.user.roles.all() if r.role == Role.OFFICE and r.federation_id
    )
    if ids:
        return Federation.objects.get(pk=ids[0])
    fid = query_id(request.GET, "federation")
    if request.user.is_superuser and fid:
        return get_object_or_404(Federation, pk=fid)
    raise PermissionDenied


@login_required
def template_edit(request):
    federation = _own_federation(request)
    template = services.template_for(federation)
    form = TemplateForm(request.POST or None, initial={"body": template.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_template_save(
                actor=request.user, federation=federation, body=form.cleaned_data["body"]
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Template saved. New agreements and amendments use it."))
            return redirect("agreements:template")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "agreements/template.html",
        {"form": form, "federation": federation, "placeholders": PLACEHOLDERS.items()},
        status=status,
    )


def _settlement_agreements(request):
    if not is_office(request.user):
        raise PermissionDenied
    return Agreement.objects.filter(
        federation_id__in=office_federation_ids(request.user), state__in=["active", "completed", "terminated"]
    ).order_by("number")


@login_required
def settlement(request):
    rows = settlement_rows(_settlement_agreements(request))
    total = sum((r.due for r in rows), start=Decimal("0.00"))
    return render(request, "agreements/settlement.html", {"rows": rows, "total": total})


@login_required
def settlement_export(request):
    agreements = _settlement_agreements(request)
    rows = settlement_rows(agreements)
    confirmed = Order.objects.filter(agreement__in=agreements, state="confirmed").select_related("union")
    stamp = timezone.localtime().strftime("%Y%m%d")
    return xlsx_response(settlement_xlsx(rows, confirmed), f"服务结算-{stamp}.xlsx")
