from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import (
    chair_union_ids,
    is_office,
    object_in_scope,
    office_federation_ids,
    provider_ids,
)
from dajia.orgs import services
from dajia.orgs.forms import ProviderForm, ReviewForm, UnionForm
from dajia.orgs.models import Provider, Union


@login_required
def provider_list(request):
    """The office's list of social organisations, pending ones first."""
    if not is_office(request.user):
        raise PermissionDenied
    providers = (
        Provider.objects.filter(federation_id__in=office_federation_ids(request.user))
        .select_related("federation")
        .order_by("status", "name")
    )
    status = request.GET.get("status", "")
    if status in Provider.Status.values:
        providers = providers.filter(status=status)
    return render(
        request,
        "orgs/provider_list.html",
        {"providers": providers, "status": status, "statuses": Provider.Status.choices},
    )


@login_required
@require_POST
def provider_review(request, pk: int):
    provider = get_object_or_404(Provider, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("orgs:provider_list")
    try:
        services.provider_review(
            actor=request.user,
            provider=provider,
            approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("orgs:provider_list")
    messages.success(request, _("%(name)s: decision recorded.") % {"name": provider.name})
    return redirect("orgs:provider_list")


def _scope(request, own: set[int], *, field: str) -> Q | None:
    """Its own organisation (``own``) or one of the federations its office manages; None without either role."""
    feds = office_federation_ids(request.user)
    if not own and not feds:
        return None
    return Q(**{f"{field}__in": own}) | Q(federation_id__in=feds)


@login_required
def provider_edit(request, pk: int):
    provider = object_in_scope(
        Provider.objects.all(), _scope(request, provider_ids(request.user), field="pk"), pk=pk
    )
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in ProviderForm.Meta.fields}
        try:
            services.provider_update(actor=request.user, provider=Provider.objects.get(pk=pk), **changes)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("orgs:provider_edit", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "orgs/provider_edit.html", {"form": form, "provider": provider}, status=status)


@login_required
def union_detail(request, pk: int):
    union = object_in_scope(
        Union.objects.select_related("enterprise", "federation"),
        _scope(request, chair_union_ids(request.user), field="pk"),
        pk=pk,
    )
    form = UnionForm(request.POST or None, instance=union)
    if request.method == "POST" and form.is_valid():
        services.union_update(
            actor=request.user, union=Union.objects.get(pk=pk), members=form.cleaned_data["members"]
        )
        messages.success(request, _("Saved."))
        return redirect("orgs:union_detail", pk=pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "orgs/union_detail.html", {"union": union, "form": form}, status=status)


@login_required
def union_list(request):
    if not is_office(request.user):
        raise PermissionDenied
    unions = Union.objects.filter(federation_id__in=office_federation_ids(request.user)).select_related(
        "enterprise", "federation"
    )
    return render(request, "orgs/union_list.html", {"unions": unions})
