"""Pages of enterprise contacts' registration and its confirmation by the park office or the union office, and
of the parks' rota with leave."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import in_scope, office_federation_ids, park_office_ids
from dajia.core.forms import Form
from dajia.desk import selectors
from dajia.desk.models import ContactRequest, Volunteer
from dajia.desk.services_contacts import contact_decide, contact_register
from dajia.desk.services_rota import leave_record, may_record_leave
from dajia.orgs.models import Park


class RegisterForm(Form):
    park = forms.ModelChoiceField(label=gettext_lazy("Park"), queryset=Park.objects.none())
    uscc = forms.CharField(label=gettext_lazy("Enterprise's unified social credit code"), max_length=20)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The parks of the person's own federations; one tied to no organisation yet may choose any.
        self.fields["park"].queryset = in_scope(Park.objects.all(), user)


@login_required
def register(request):
    form = RegisterForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                contact_register(actor=request.user, **form.cleaned_data)
            except ValidationError as e:
                apply_service_errors(form, e)
                status = 400
            else:
                messages.success(request, _("Registered: the park office will confirm you."))
                return redirect("desk:register")
        else:
            status = 400
    return render(request, "desk/register.html", {"form": form}, status=status)


def _pending_for(user):
    q = Q(enterprise__park_id__in=park_office_ids(user)) | Q(
        enterprise__federation_id__in=office_federation_ids(user)
    )
    return ContactRequest.objects.filter(q, status=ContactRequest.Status.PENDING).select_related(
        "user", "enterprise"
    )


@login_required
def contacts(request):
    if not (park_office_ids(request.user) or office_federation_ids(request.user)):
        raise PermissionDenied
    return render(request, "desk/contacts.html", {"pending": list(_pending_for(request.user))})


@require_POST
@login_required
def contact_confirm(request, pk: int):
    pending = _pending_for(request.user).filter(pk=pk).first()
    if pending is None:
        raise Http404
    contact_decide(actor=request.user, request=pending, confirm=request.POST.get("confirm") == "1")
    return redirect("desk:contacts")


class LeaveForm(Form):
    volunteer = forms.ModelChoiceField(label=gettext_lazy("Volunteer"), queryset=Volunteer.objects.none())
    starts = forms.DateField(label=gettext_lazy("first day"), widget=forms.DateInput(attrs={"type": "date"}))
    ends = forms.DateField(label=gettext_lazy("last day"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=120, required=False)

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers


@login_required
def rota(request):
    parks = selectors.desk_parks(request.user)
    if not parks.exists():
        raise PermissionDenied
    candidates = Volunteer.objects.filter(user__roles__park__in=parks).select_related("user").distinct()
    volunteers = Volunteer.objects.filter(
        pk__in=[v.pk for v in candidates if may_record_leave(request.user, v)]
    )
    form = LeaveForm(request.POST or None, volunteers=volunteers)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                leave_record(actor=request.user, **form.cleaned_data)
            except ValidationError as e:
                apply_service_errors(form, e)
                status = 400
            else:
                messages.success(request, _("Leave recorded."))
                return redirect("desk:rota")
        else:
            status = 400
    return render(
        request,
        "desk/rota.html",
        {"parks": selectors.rota(parks), "form": form if volunteers else None},
        status=status,
    )
