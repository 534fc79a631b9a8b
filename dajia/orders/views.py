"""Pages of the order flow for chairs, the office and providers: lists, ordering, the order's page and its
actions, delivery records and their private photos, the chair's rating, providers' track records and budgets.
The attendee's phone is ``views_signin``."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import (
    can_manage_federation,
    chair_union_ids,
    is_office,
    office_federation_ids,
    provider_ids,
)
from dajia.agreements.models import AgreementQuota
from dajia.core import uploads
from dajia.core.inputs import query_id, query_whole
from dajia.core.links import url_of_each
from dajia.core.siteurl import absolute_url
from dajia.menu.models import ServiceProject
from dajia.orders import services, services_signins
from dajia.orders.forms import (
    BudgetForm,
    DeclineForm,
    DeliveryForm,
    OrderForm,
    RatingForm,
    ReasonForm,
    ReplyForm,
)
from dajia.orders.models import DeliveryPhoto, Order, Rating, UnionBudget
from dajia.orders.selectors import (
    COUNT_CAP,
    COUNTED_RATING,
    office_orders,
    orders_by_state,
    state_counts,
    track_record,
)
from dajia.orders.selectors import order_list as annotate_orders
from dajia.orgs.models import Provider, Union


def _errors(e: ValidationError) -> str:
    return " ".join(e.messages)


# ---- lists ---------------------------------------------------------------------------------------------


def _bookable(unions) -> list[dict]:
    """What a chair's unions can still order: per agreement in force, sessions, quota and budget left."""
    out = []
    year = timezone.localdate().year
    budgets = {b.union_id: b for b in UnionBudget.objects.filter(union__in=unions, year=year)}
    for union in unions:
        quotas = {q.agreement_id: q for q in AgreementQuota.objects.filter(union=union)}
        for agreement in (
            services.bookable_agreements(union).select_related("project__provider").order_by("project__title")
        ):
            quota = quotas.get(agreement.pk)
            allocated = agreement.allocation == "allocated"
            left = agreement.sessions_left
            if allocated:
                left = min(left, (quota.sessions - quota.booked) if quota else 0)
            out.append(
                {
                    "union": union,
                    "agreement": agreement,
                    "left": left,
                    "allocated": allocated,
                    "budget": budgets.get(union.pk),
                }
            )
    return out


@login_required
def order_list(request):
    orders = annotate_orders(Order.objects.visible_to(request.user))
    state = request.GET.get("state", "")
    if state in Order.State.values:
        orders = orders.filter(state=state)
    unions = list(Union.objects.filter(pk__in=chair_union_ids(request.user)))
    return render(
        request,
        "orders/list.html",
        {
            "orders": orders.order_by("-starts_at")[:200],
            "bookable": _bookable(unions) if unions else [],
            "states": Order.State.choices,
            "state": state,
            "is_provider": bool(provider_ids(request.user)),
            "own_providers": Provider.objects.filter(pk__in=provider_ids(request.user)),
        },
    )


@login_required
def overview(request):
    """The office's delivery overview: the orders of its federations by state — each state's count (up to
    ``COUNT_CAP``) and its first ``OVERVIEW_LIMIT`` orders, with a link to all of them on the orders page."""
    if not is_office(request.user):
        raise PermissionDenied
    qs = office_orders(request.user)
    counts = state_counts(qs, cap=COUNT_CAP)
    detail = url_of_each("orders:detail")  # one reverse() for the page's links, not one per row
    groups = [
        (
            state,
            label,
            [{**o, "url": detail(o["pk"])} for o in orders],
            counts[state],
            counts[state] > COUNT_CAP,
            counts[state] > len(orders),
        )
        for state, label, orders in orders_by_state(qs)
    ]
    return render(request, "orders/overview.html", {"groups": groups, "count_cap": COUNT_CAP})


# ---- ordering ------------------------------------------------------------------------------------------


@login_required
def order_new(request):
    unions = list(Union.objects.filter(pk__in=chair_union_ids(request.user)).order_by("name"))
    if not unions:
        raise PermissionDenied
    bookable = _bookable(unions)
    projects = {b["agreement"].project.pk: b["agreement"].project for b in bookable}
    initial = {"union": unions[0].pk}
    wanted = query_id(request.GET, "project")
    if wanted in projects:
        initial["project"] = wanted
    form = OrderForm(request.POST or None, projects=projects.values(), unions=unions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        union = next(u for u in unions if u.pk == data["union"])
        project = projects[data["project"]]
        try:
            order = services.order_place(
                actor=request.user,
                union=union,
                project=project,
                starts_at=data["starts_at"],
                place=data["place"],
                expected_audience=data["expected_audience"],
                notes=data["notes"],
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Ordered. The union office will dispatch it to the provider."))
            return redirect("orders:detail", pk=order.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "orders/new.html",
        {"form": form, "bookable": bookable, "has_projects": bool(projects)},
        status=status,
    )


def _visible(request, pk: int) -> Order:
    order = get_object_or_404(Order.objects.for_list().select_related("union__federation"), pk=pk)
    if not Order.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    return order


def _detail_context(request, order: Order) -> dict:
    user = request.user
    ratings = list(order.ratings.all())
    chair = order.union_id in chair_union_ids(user)
    provider = order.project.provider_id in provider_ids(user)
    chair_rating = next((r for r in ratings if r.role == Rating.Role.CHAIR), None)
    delivery = getattr(order, "delivery", None)
    office = can_manage_federation(user, order.union.federation_id)
    return {
        "order": order,
        "office": office,
        "chair": chair,
        "provider": provider,
        "delivery": delivery,
        "photos": list(delivery.photos.all()) if delivery else [],
        "attendances": order.attendances.count(),
        "ratings": ratings,
        "chair_rating": chair_rating,
        "reason_form": ReasonForm(),
        "decline_form": DeclineForm(prefix="decline"),
        "delivery_form": DeliveryForm(prefix="delivery", initial=DeliveryForm.initial_for(order)),
        "rating_form": RatingForm(
            prefix="rating",
            initial={"stars": str(chair_rating.stars), "comment": chair_rating.comment}
            if chair_rating
            else None,
        ),
        "reply_form": ReplyForm(),
        "signin_url": absolute_url(request, reverse("orders:signin", args=[order.signin_token])),
        "can_cancel": (office or chair) and services.cancel_refusal(order=order, office=office) is None,
    }


def _render_detail(request, order: Order, *, status: int = 200, **extra):
    order = Order.objects.for_list().select_related("union__federation").get(pk=order.pk)
    return render(request, "orders/detail.html", {**_detail_context(request, order), **extra}, status=status)


@login_required
def order_detail(request, pk: int):
    return _render_detail(request, _visible(request, pk))


def _action(request, pk: int, fn, success: str):
    order = _visible(request, pk)
    try:
        fn(order)
    except ValidationError as e:
        messages.error(request, _errors(e))
        return _render_detail(request, order, status=400)
    messages.success(request, success)
    return redirect("orders:detail", pk=pk)


@login_required
@require_POST
def order_dispatch(request, pk: int):
    return _action(
        request,
        pk,
        lambda o: services.order_dispatch(actor=request.user, order=o),
        _("Dispatched to the provider."),
    )


@login_required
@require_POST
def order_accept(request, pk: int):
    return _action(request, pk, lambda o: services.order_accept(actor=request.user, order=o), _("Accepted."))


@login_required
@require_POST
def order_decline(request, pk: int):
    order = _visible(request, pk)
    form = DeclineForm(request.POST, prefix="decline")
    if form.is_valid():
        try:
            services.order_decline(
                actor=request.user,
                order=order,
                reason=form.cleaned_data["reason"],
                proposed_starts_at=form.cleaned_data["proposed_starts_at"],
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Your answer has been sent to the union."))
            return redirect("orders:detail", pk=pk)
    messages.error(request, _("Please correct the answer below."))
    return _render_detail(request, order, status=400, decline_form=form)


@login_required
@require_POST
def order_accept_proposal(request, pk: int):
    return _action(
        request,
        pk,
        lambda o: services.order_accept_proposal(actor=request.user, order=o),
        _("The new time is agreed."),
    )


@login_required
@require_POST
def order_cancel(request, pk: int):
    reason = request.POST.get("reason", "")
    return _action(
        request,
        pk,
        lambda o: services.order_cancel(actor=request.user, order=o, reason=reason),
        _("Order cancelled."),
    )


@login_required
@require_POST
def delivery_record(request, pk: int):
    order = _visible(request, pk)
    form = DeliveryForm(request.POST, request.FILES, prefix="delivery")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.delivery_record(
                actor=request.user,
                order=order,
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                content=data["content"],
                photos=data["photos"],
            )
        except ValidationError as e:
            apply_service_errors(form, e)
            status = uploads.refusal_status(e)
        else:
            messages.success(request, _("Delivery recorded. The union's chair will confirm it."))
            return redirect("orders:detail", pk=pk)
    messages.error(request, _("Please correct the delivery record below."))
    return _render_detail(request, order, status=status, delivery_form=form)


@login_required
def delivery_photo(request, pk: int, photo_pk: int):
    """A delivery photo, to those who may see the order (its chair, its provider, the office) and nobody else:
    the files live in private storage, which no public URL reaches."""
    order = _visible(request, pk)
    photo = get_object_or_404(DeliveryPhoto, pk=photo_pk, delivery__order=order)
    return uploads.private_file_response(photo.image)


@login_required
@require_POST
def delivery_confirm(request, pk: int):
    return _action(
        request,
        pk,
        lambda o: services.delivery_confirm(actor=request.user, order=o),
        _("Delivery confirmed."),
    )


@login_required
@require_POST
def chair_rate(request, pk: int):
    order = _visible(request, pk)
    form = RatingForm(request.POST, prefix="rating")
    if form.is_valid():
        try:
            services_signins.rating_submit(actor=request.user, order=order, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("orders:detail", pk=pk)
    messages.error(request, _("Please correct the rating below."))
    return _render_detail(request, order, status=400, rating_form=form)


@login_required
@require_POST
def rating_reply(request, pk: int, rating_pk: int):
    order = _visible(request, pk)
    rating = get_object_or_404(Rating, pk=rating_pk, order=order)
    try:
        services_signins.rating_reply(actor=request.user, rating=rating, reply=request.POST.get("reply", ""))
    except ValidationError as e:
        messages.error(request, _errors(e))
        return _render_detail(request, order, status=400)
    messages.success(request, _("Reply published."))
    return redirect("orders:detail", pk=pk)


@login_required
def order_qr(request, pk: int):
    order = _visible(request, pk)
    url = absolute_url(request, reverse("orders:signin", args=[order.signin_token]))
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2, title=_("Sign-in QR code"))
    response = HttpResponse(buf.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---- providers and budgets -------------------------------------------------------------------------------


def provider_page(request, pk: int):
    """A provider's track record, per project, computed from delivered sessions, sign-ins and ratings."""
    provider = get_object_or_404(Provider, pk=pk)
    own = pk in provider_ids(request.user)
    if (
        provider.status != Provider.Status.APPROVED
        and not own
        and provider.federation_id not in office_federation_ids(request.user)
    ):
        raise Http404
    projects = (
        list(ServiceProject.objects.filter(provider=provider).published().order_by("title"))
        if not own
        else list(ServiceProject.objects.filter(provider=provider).order_by("title"))
    )
    records = track_record(project_ids=[p.pk for p in projects])
    for p in projects:
        p.track_record = records[p.pk]
    total = track_record(provider_ids=[provider.pk])[provider.pk]
    ratings = (
        Rating.objects.filter(COUNTED_RATING, order__project__provider=provider, order__state="confirmed")
        .exclude(comment="")
        .select_related("order__project")
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "orders/provider.html",
        {"provider": provider, "projects": projects, "total": total, "ratings": ratings, "own": own},
    )


@login_required
def budgets(request):
    if not is_office(request.user):
        raise PermissionDenied
    unions = list(
        Union.objects.filter(federation_id__in=office_federation_ids(request.user)).order_by("name")
    )
    year = query_whole(request.GET, "year", minimum=2000, maximum=2100, default=timezone.localdate().year)
    form = BudgetForm(request.POST or None, unions=unions, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        union = next(u for u in unions if u.pk == form.cleaned_data["union"])
        try:
            services.budget_set(
                actor=request.user,
                union=union,
                year=form.cleaned_data["year"],
                amount=form.cleaned_data["amount"],
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Budget saved."))
            return redirect(f"{reverse('orders:budgets')}?year={form.cleaned_data['year']}")
    rows = {b.union_id: b for b in UnionBudget.objects.filter(union__in=unions, year=year)}
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "orders/budgets.html",
        {"form": form, "year": year, "rows": [(u, rows.get(u.pk)) for u in unions]},
        status=status,
    )
