"""Needs pages: voice a need (with the similar-need check), support, the office's handling, import, ranking,
coverage of the top needs by a session's invited projects."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
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
    in_scope,
    is_office,
    office_federation_ids,
    office_object,
    office_scope,
    scope_federation_ids,
)
from dajia.core.inputs import query_ids, query_page, query_whole
from dajia.core.ratelimit import RateLimited
from dajia.core.spreadsheets import SpreadsheetRefused, import_caps, read_upload
from dajia.core.xlsx import xlsx_response
from dajia.menu.models import Category
from dajia.needs import selectors, services
from dajia.needs.exports import needs_xlsx, ranking_xlsx
from dajia.needs.forms import CategoryForm, ImportForm, MergeForm, NeedForm, StatusForm
from dajia.needs.imports import NeedFileError, columns, read_rows
from dajia.needs.learning import web_suggester
from dajia.needs.models import Need, Support
from dajia.needs.selectors import NeedFilter, need_list, similar_needs
from dajia.orgs.models import Federation, Union

PAGE_SIZE = 20


def _status_for(error: ValidationError) -> int:
    return 429 if isinstance(error, RateLimited) else 400


def _flat(error: ValidationError) -> str:
    return " ".join(error.messages)


# ---- the public list ---------------------------------------------------------------------------------------


def need_list_view(request):
    f = NeedFilter.from_params(request.GET)
    # A signed-in person sees their own federation's needs (the public wall, signed out, shows them all).
    needs = need_list(f, base=in_scope(Need.objects.public(), request.user))
    page = Paginator(needs, PAGE_SIZE).get_page(query_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "page": page,
        "filter": f,
        "query": query.urlencode(),
        "categories": Category.objects.active(),
        "statuses": Need.Status.choices,
        "supported": selectors.supported_ids(request.user, page.object_list),
        "total": page.paginator.count,
    }
    template = "needs/_list_results.html" if request.headers.get("HX-Request") else "needs/list.html"
    return render(request, template, ctx)


# ---- voicing a need ----------------------------------------------------------------------------------------


def _initial(user) -> dict:
    """The person's own union when Dajia knows it (a chair's, or a worker's registered union)."""
    unions = sorted(chair_union_ids(user))
    if not unions and user.is_authenticated:
        unions = sorted(r.union_id for r in user.roles.all() if r.union_id)
    return {"union": unions[0]} if unions else {}


def _scope(user, union, park) -> set[int] | None:
    if union is not None:
        return {union.federation_id}
    if park is not None:
        return {park.federation_id}
    return scope_federation_ids(user)  # no union or park chosen yet: the person's own federations


def _check_context(request, text: str, union, park) -> dict:
    text = (text or "").strip()
    suggestion = web_suggester().suggest(text) if len(text) >= services.MIN_LENGTH else None
    similar = (
        similar_needs(text, federation_ids=_scope(request.user, union, park))
        if len(text) >= services.MIN_LENGTH
        else []
    )
    needs = [s.need for s in similar]
    return {
        "suggestion": suggestion,
        "suggested_category": Category.objects.filter(code=suggestion.code).first() if suggestion else None,
        "similar": similar,
        "supported": selectors.supported_ids(request.user, needs),
        "text": text,
    }


@login_required
def need_new(request):
    form = NeedForm(request.POST or None, initial=_initial(request.user), user=request.user)
    ctx: dict = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ctx.update(_check_context(request, data["text"], data["union"], data["park"]))
        seen = set(query_ids(request.POST, "seen"))
        unseen = [s for s in ctx["similar"] if s.need.pk not in seen]
        if request.POST.get("check"):
            pass  # the "check for similar needs" button (without JavaScript): show, do not post
        elif unseen:
            ctx["must_look"] = True
        else:
            try:
                need = services.need_create(
                    actor=request.user,
                    text=data["text"],
                    union=data["union"],
                    park=data["park"],
                    voice=data["voice"],
                    anonymous=data["anonymous"],
                    category=data["category"],
                )
            except ValidationError as e:
                apply_service_errors(form, e)
                status = _status_for(e)
            else:
                messages.success(request, _("Thank you. Your need has been received."))
                return redirect("needs:detail", pk=need.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "needs/new.html", ctx, status=status)


@login_required
@require_POST
def need_check(request):
    """htmx: as the person types, the suggested category and similar needs they could support instead."""
    form = NeedForm(request.POST, user=request.user)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    ctx = _check_context(request, request.POST.get("text", ""), data.get("union"), data.get("park"))
    return render(request, "needs/_check.html", ctx)


# ---- one need ------------------------------------------------------------------------------------------------


def _need_for(request, pk: int) -> Need:
    need = get_object_or_404(
        Need.objects.select_related("category", "union", "park", "federation", "author", "merged_into"), pk=pk
    )
    if need.hidden and not services.can_see_author(request.user, need):
        raise Http404
    return need


def need_detail(request, pk: int):
    need = _need_for(request, pk)
    office = is_office(request.user) and can_manage_federation(request.user, need.federation_id)
    ctx = {
        "need": need,
        "updates": selectors.visible_updates(need, request.user),
        "supported": selectors.supported_ids(request.user, [need]),
        "public_author": selectors.public_author(need),
        "can_see_author": services.can_see_author(request.user, need),
        "office": office,
    }
    if office:
        ctx["category_form"] = CategoryForm(initial={"category": need.category_id})
        ctx["status_form"] = StatusForm(initial={"public": True, "hidden": need.hidden})
        ctx["merge_form"] = MergeForm()
        ctx["duplicates"] = similar_needs(
            need.text, federation_ids=office_federation_ids(request.user), exclude=need.pk
        )
        ctx["merged"] = need.merged.select_related("author").order_by("created_at")
    return render(request, "needs/detail.html", ctx)


def _support_context(request, need: Need, error: str = "") -> dict:
    need = Need.objects.select_related("merged_into").get(pk=need.pk)
    return {
        "need": need,
        "supported": selectors.supported_ids(request.user, [need]),
        "in_form": request.POST.get("in_form") == "1",
        "error": error,
    }


def _support_action(request, pk: int, action):
    need = get_object_or_404(Need, pk=pk)
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            return render(
                request,
                "needs/_support.html",
                {"need": need, "error": _("Please log in to support.")},
                status=401,
            )
        return redirect(f"{reverse(settings.LOGIN_URL)}?next={reverse('needs:detail', args=[need.pk])}")
    status = 200
    error = ""
    try:
        result = action(actor=request.user, need=need)
    except ValidationError as e:
        error, status = _flat(e), _status_for(e)
        result = None
    target = result.need if isinstance(result, Support) else need
    if request.headers.get("HX-Request"):
        return render(request, "needs/_support.html", _support_context(request, target, error), status=status)
    if error:
        messages.error(request, error)
    elif isinstance(result, Support):
        messages.success(request, _("Thank you for your support."))
    else:
        messages.success(request, _("Your support has been withdrawn."))
    return redirect("needs:detail", pk=target.pk)


@require_POST
def need_support(request, pk: int):
    return _support_action(request, pk, services.need_support)


@require_POST
def need_unsupport(request, pk: int):
    return _support_action(request, pk, services.need_unsupport)


@login_required
def my_needs(request):
    needs = (
        Need.objects.filter(author=request.user)
        .select_related("category", "union", "park", "merged_into")
        .prefetch_related("updates")
        .order_by("-created_at")
    )
    needs = list(needs)
    for need in needs:
        updates = list(need.updates.all())
        need.latest_update = updates[-1] if len(updates) > 1 else None
    supported = (
        Need.objects.filter(supports__user=request.user)
        .select_related("category", "union", "park")
        .order_by("-created_at")
    )
    return render(request, "needs/mine.html", {"needs": needs, "supported_needs": supported})


# ---- the office -------------------------------------------------------------------------------------------


def _office_needs(request):
    ids = office_scope(request.user)
    f = NeedFilter.from_params(request.GET)
    base = Need.objects.filter(federation_id__in=ids, merged_into__isnull=True)
    if f.sort == "support" and "sort" not in request.GET:
        f.sort = "new"
    return f, base, need_list(f, base=base)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d")
    return xlsx_response(data, f"{name}-{stamp}.xlsx")


@login_required
def office_export(request):
    _f, _base, needs = _office_needs(request)
    return _xlsx(needs_xlsx(needs), "需求清单")


@login_required
def office_queue(request):
    f, base, needs = _office_needs(request)
    page = Paginator(needs, PAGE_SIZE).get_page(query_page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    counts = dict(base.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return render(
        request,
        "needs/office.html",
        {
            "page": page,
            "filter": f,
            "query": query.urlencode(),
            "categories": Category.objects.active(),
            "statuses": [(v, label, counts.get(v, 0)) for v, label in Need.Status.choices],
            "total": page.paginator.count,
        },
    )


def _office_need(request, pk: int) -> Need:
    need = office_object(request.user, Need.objects.select_related("federation"), pk=pk)
    return need


@login_required
@require_POST
def need_categorise(request, pk: int):
    need = _office_need(request, pk)
    form = CategoryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a service category from the list."))
        return redirect("needs:detail", pk=pk)
    services.need_set_category(actor=request.user, need=need, category=form.cleaned_data["category"])
    messages.success(request, _("Category saved; later suggestions learn from it."))
    return redirect("needs:detail", pk=pk)


@login_required
@require_POST
def need_status(request, pk: int):
    need = _office_need(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.need_update_status(
                actor=request.user,
                need=need,
                status=form.cleaned_data["status"],
                message=form.cleaned_data["message"],
                public=form.cleaned_data["public"],
                hidden=form.cleaned_data["hidden"],
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, _("Saved; the person who raised the need can read your message."))
            return redirect("needs:detail", pk=pk)
    need = _need_for(request, pk)
    ctx = {
        "need": need,
        "updates": selectors.visible_updates(need, request.user),
        "supported": set(),
        "public_author": selectors.public_author(need),
        "can_see_author": True,
        "office": True,
        "category_form": CategoryForm(initial={"category": need.category_id}),
        "status_form": form,
        "merge_form": MergeForm(),
        "duplicates": [],
        "merged": need.merged.all(),
    }
    return render(request, "needs/detail.html", ctx, status=400)


@login_required
@require_POST
def need_merge(request, pk: int):
    source = _office_need(request, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the number of the need to merge into."))
        return redirect("needs:detail", pk=pk)
    target = Need.objects.filter(pk=form.cleaned_data["target"]).first()
    if target is None:
        messages.error(request, _("There is no need No. %(n)d.") % {"n": form.cleaned_data["target"]})
        return redirect("needs:detail", pk=pk)
    try:
        services.need_merge(actor=request.user, source=source, target=target)
    except ValidationError as e:
        messages.error(request, _flat(e))
        return redirect("needs:detail", pk=pk)
    messages.success(
        request, _("Merged. Every supporter now supports need No. %(n)d once.") % {"n": target.pk}
    )
    return redirect("needs:detail", pk=target.pk)


@login_required
def needs_import(request):
    ids = office_scope(request.user)
    federations = Federation.objects.filter(pk__in=ids)
    form = ImportForm(request.POST or None, request.FILES or None, federations=federations)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                caps = import_caps("needs")
                rows = read_rows(read_upload(upload, caps), upload.name, caps)
                cols, body = columns(rows)
                items = [
                    services.ImportRow(
                        line=r.line,
                        **{
                            key: (r.cells[i] if i < len(r.cells) else "")
                            for key, i in cols.items()
                            if key in ("text", "union", "park", "category")
                        },
                    )
                    for r in body
                ]
                created = services.needs_import(
                    actor=request.user, federation=form.cleaned_data["federation"], rows=items
                )
            except (NeedFileError, SpreadsheetRefused) as e:
                errors = [str(e)]
            except ValidationError as e:
                errors = e.messages
            else:
                messages.success(request, _("%(n)d needs imported.") % {"n": len(created)})
                return redirect("needs:office")
    return render(
        request,
        "needs/import.html",
        {"form": form, "errors": errors, "caps": import_caps("needs")},
        status=status,
    )


@login_required
def suggestion_rules(request):
    office_scope(request.user)
    suggester = web_suggester()
    categories = []
    for c in Category.objects.active():
        vocabulary = sorted(
            ((w, by[c.code]) for w, by in suggester.vocabulary.items() if c.code in by),
            key=lambda p: (-p[1], p[0]),
        )
        categories.append(
            {
                "category": c,
                "keywords": [w for w in c.keywords.split() if w],
                "strong": [w for w, weight in vocabulary if weight >= 1][:60],
                "weak": [w for w, weight in vocabulary if weight < 1][:30],
                "learned": suggester.learned_words(c.code),
            }
        )
    from dajia.needs import suggest

    return render(request, "needs/rules.html", {"categories": categories, "suggest": suggest})


# ---- demand ranking and coverage ---------------------------------------------------------------------------


def _default_federation(request) -> Federation | None:
    """The person's own district (their office's, union's or organisation's); signed out, the busiest one."""
    ids = scope_federation_ids(request.user)
    if ids:
        return Federation.objects.filter(pk__in=ids, level=Federation.Level.DISTRICT).order_by(
            "name"
        ).first() or (Federation.objects.filter(pk__in=ids).order_by("pk").first())
    return Federation.objects.annotate(n=Count("needs")).order_by("-n", "name").first()


def _ranking_scope(request):
    params = NeedFilter.from_params(request.GET)
    federation = (
        in_scope(Federation.objects.filter(pk=params.federation), request.user, "pk").first()
        if params.federation
        else None
    ) or _default_federation(request)
    rows, union = [], None
    unclassified = 0
    if federation is not None:
        ids = federation.descendant_ids()
        union = Union.objects.filter(pk=params.union, federation_id__in=ids).first() if params.union else None
        rows = selectors.demand_ranking(ids, union_id=union.pk if union else None)
        unclassified = selectors.unclassified_count(ids, union_id=union.pk if union else None)
    return federation, union, rows, unclassified


def ranking_export(request):
    federation, union, rows, _unclassified = _ranking_scope(request)
    if federation is None:
        raise Http404
    scope = federation.name + (f" · {union.name}" if union else "")
    return _xlsx(ranking_xlsx(rows, scope), "需求热度排行")


def ranking(request):
    federation, union, rows, unclassified = _ranking_scope(request)
    chart = {
        "id": "chart-ranking",
        "kind": "ranking",
        "title": _("Demand by category"),
        "labels": [r.category.name for r in rows],
        "values": [round(float(r.score), 1) for r in rows],
    }
    return render(
        request,
        "needs/ranking.html",
        {
            "federation": federation,
            "federations": in_scope(Federation.objects.order_by("level", "name"), request.user, "pk"),
            "union": union,
            "unions": Union.objects.filter(federation=federation).order_by("name") if federation else [],
            "rows": rows,
            "unclassified": unclassified,
            "chart": chart,
        },
    )


@login_required
def coverage(request, session_id: int):
    from dajia.consultations.models import Session

    session = office_object(request.user, Session.objects.select_related("federation"), pk=session_id)
    top_n = query_whole(request.GET, "top", minimum=1, maximum=12, default=selectors.DEFAULT_TOP_N)
    return render(
        request,
        "needs/coverage.html",
        {
            "coverage": selectors.coverage_for_session(session, top_n=top_n),
            "session": session,
            "top_choices": range(3, 13),
        },
    )
