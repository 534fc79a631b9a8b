"""The office's set-up pages: sessions, rubric, invited projects, the panel and its secret links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.models import Person
from dajia.accounts.permissions import is_office, office_federation_ids, office_object
from dajia.consultations import services_roster, services_setup
from dajia.consultations.forms import CriterionFormSet, EntryAddForm, EvaluatorForm, PeopleForm, SessionForm
from dajia.consultations.models import Evaluator, Session, SessionProject
from dajia.consultations.qr import evaluator_url, is_loopback, qr_svg, qr_svg_document
from dajia.core.inputs import parse_whole
from dajia.menu.models import ServiceProject
from dajia.needs.selectors import coverage_for_session
from dajia.orders.selectors import attach_track_records
from dajia.orgs.models import Federation


def office_session(request, pk: int, *, queryset=None) -> Session:
    """The session if the user is office staff of its federation (or above); 403 for non-office users,
    404 for another federation's session (its existence is not theirs to know)."""
    qs = queryset if queryset is not None else Session.objects.select_related("federation")
    return office_object(request.user, qs, pk=pk)


def _errors_to_messages(request, error: ValidationError) -> None:
    for m in error.messages:
        messages.error(request, m)


@login_required
def session_list(request):
    if not is_office(request.user):
        raise PermissionDenied
    sessions = (
        Session.objects.for_federations(office_federation_ids(request.user))
        .select_related("federation")
        .annotate(n_entries=Count("entries", distinct=True), n_evaluators=Count("evaluators", distinct=True))
        .order_by("-starts_at", "-id")
    )
    return render(request, "consultations/session_list.html", {"sessions": sessions})


def _federation_choices(user):
    return Federation.objects.filter(pk__in=office_federation_ids(user)).order_by("level", "name")


@login_required
def session_create(request):
    if not is_office(request.user):
        raise PermissionDenied
    federations = list(_federation_choices(request.user))
    form = SessionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        federation = next((f for f in federations if str(f.pk) == request.POST.get("federation")), None)
        if federation is None and len(federations) >= 1 and not request.POST.get("federation"):
            # One federation of one's own (the usual case): no need to choose.
            own = [f for f in federations if f.level == "district"] or federations
            federation = own[0]
        if federation is None:
            form.add_error(None, _("Choose the federation that holds the session."))
        if form.is_valid() and federation is not None:
            try:
                session = services_setup.session_create(
                    actor=request.user, federation=federation, **form.cleaned_data
                )
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, _("Session created. Next: the rubric."))
                return redirect("consultations:rubric", pk=session.pk)
        status = 400
    return render(
        request,
        "consultations/session_form.html",
        {"form": form, "federations": federations if len(federations) > 1 else []},
        status=status,
    )


@login_required
def session_edit(request, pk: int):
    session = office_session(request, pk)
    form = SessionForm(request.POST or None, initial=SessionForm.initial_from(session))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services_setup.session_update(actor=request.user, session=session, **form.cleaned_data)
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, _("Saved."))
                return redirect("consultations:setup", pk=pk)
        status = 400
    return render(
        request, "consultations/session_form.html", {"form": form, "session": session}, status=status
    )


@login_required
def session_setup(request, pk: int):
    session = office_session(request, pk)
    entries = session.entries.select_related("project", "project__provider").order_by("position")
    criteria = list(session.criteria.all())
    groups = session.evaluators.values("group").annotate(n=Count("id")).order_by("group")
    ctx = {
        "session": session,
        "entries": entries,
        "criteria": criteria,
        "groups": groups,
        "total_max": sum(c.max_points for c in criteria),
        "problems": services_setup.open_problems(session) if session.state == "draft" else [],
        "n_evaluators": session.evaluators.count(),
    }
    return render(request, "consultations/session_setup.html", ctx)


@login_required
def rubric(request, pk: int):
    session = office_session(request, pk)
    existing = list(session.criteria.all())
    if existing:
        initial = [
            {"name": c.name, "max_points": f"{c.max_points.normalize():f}", "descriptors": c.descriptors}
            for c in existing
        ]
    else:
        initial = [
            {"name": c["name"], "max_points": f"{c['max_points']:f}", "descriptors": c["descriptors"]}
            for c in services_setup.DEFAULT_CRITERIA
        ]
    if not session.is_frozen:
        initial += [{}] * 2
    formset = CriterionFormSet(request.POST or None, initial=initial, prefix="c")
    status = 200
    if request.method == "POST":
        if session.is_frozen:
            messages.error(request, _("The session is open: the rubric is frozen."))
            return redirect("consultations:rubric", pk=pk)
        if formset.is_valid():
            rows = [
                f.cleaned_data
                for f in formset.forms
                if (f.cleaned_data or {}).get("name", "").strip()
                or (f.cleaned_data or {}).get("max_points", "").strip()
            ]
            try:
                services_setup.criterion_set(actor=request.user, session=session, criteria=rows)
            except ValidationError as e:
                formset_errors = e.messages
            else:
                messages.success(request, _("Rubric saved."))
                return redirect("consultations:setup", pk=pk)
        else:
            formset_errors = [str(e) for e in formset.non_form_errors()]
        status = 400
        return render(
            request,
            "consultations/rubric.html",
            {"session": session, "formset": formset, "errors": formset_errors},
            status=status,
        )
    return render(
        request,
        "consultations/rubric.html",
        {"session": session, "formset": formset, "defaulted": not existing},
        status=status,
    )


def _invitable(session: Session):
    invited = session.entries.values_list("project_id", flat=True)
    return (
        ServiceProject.objects.published()
        .filter(provider__federation_id__in=session.federation.descendant_ids())
        .exclude(pk__in=invited)
        .select_related("provider", "category")
        .order_by("provider__name", "title")
    )


@login_required
def entries(request, pk: int):
    session = office_session(request, pk)
    form = EntryAddForm(request.POST or None, projects=_invitable(session))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services_roster.entry_add(
                    actor=request.user,
                    session=session,
                    project=form.cleaned_data["project"],
                    amount=form.cleaned_data["amount"] or None,
                )
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, _("Invited: %(t)s") % {"t": form.cleaned_data["project"].title})
                return redirect("consultations:entries", pk=pk)
        status = 400
    rows = list(session.entries.select_related("project", "project__provider").order_by("position"))
    total = sum(e.amount for e in rows)
    # Last year's delivery record and this year's top needs are what the office weighs when it invites.
    attach_track_records([e.project for e in rows])
    return render(
        request,
        "consultations/entries.html",
        {
            "session": session,
            "form": form,
            "rows": rows,
            "total": total,
            "coverage": coverage_for_session(session),
        },
        status=status,
    )


def _office_entry(request, pk: int, entry_id: int) -> SessionProject:
    session = office_session(request, pk)
    return get_object_or_404(
        SessionProject.objects.select_related("session", "project"), pk=entry_id, session=session
    )


@login_required
@require_POST
def entry_remove(request, pk: int, entry_id: int):
    entry = _office_entry(request, pk, entry_id)
    try:
        services_roster.entry_remove(actor=request.user, entry=entry)
    except ValidationError as e:
        _errors_to_messages(request, e)
    else:
        messages.success(request, _("Removed: %(t)s") % {"t": entry.project.title})
    return redirect("consultations:entries", pk=pk)


@login_required
@require_POST
def entry_move(request, pk: int, entry_id: int):
    entry = _office_entry(request, pk, entry_id)
    try:
        position = parse_whole(request.POST.get("position"), label=_("The position"), minimum=1)
    except ValidationError:
        messages.error(request, _("Enter a position number."))
        return redirect("consultations:entries", pk=pk)
    try:
        services_roster.entry_move(actor=request.user, entry=entry, position=position)
    except ValidationError as e:
        _errors_to_messages(request, e)
    target = "consultations:chair" if request.POST.get("next") == "chair" else "consultations:entries"
    return redirect(target, pk=pk)


@login_required
@require_POST
def entry_update(request, pk: int, entry_id: int):
    entry = _office_entry(request, pk, entry_id)
    try:
        services_roster.entry_update(
            actor=request.user,
            entry=entry,
            amount=request.POST.get("amount") or None,
            presentation_minutes=request.POST.get("presentation_minutes") or None,
        )
    except ValidationError as e:
        _errors_to_messages(request, e)
    else:
        messages.success(request, _("Saved: %(t)s") % {"t": entry.project.title})
    return redirect("consultations:entries", pk=pk)


def _people(session: Session):
    on_panel = session.evaluators.exclude(person=None).values_list("person_id", flat=True)
    return (
        Person.objects.filter(
            federation_id__in=session.federation.descendant_ids(),
            kind__in=[Person.Kind.CPPCC, Person.Kind.CHAIR],
        )
        .exclude(pk__in=on_panel)
        .order_by("kind", "name")
    )


@login_required
def evaluators(request, pk: int):
    session = office_session(request, pk)
    form = EvaluatorForm(request.POST or None if request.POST.get("form") == "one" else None)
    people_form = PeopleForm(
        request.POST if request.POST.get("form") == "people" else None, people=_people(session)
    )
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "one" and form.is_valid():
            try:
                ev = services_roster.evaluator_add(actor=request.user, session=session, **form.cleaned_data)
            except ValidationError as e:
                apply_service_errors(form, e)
            else:
                messages.success(request, _("Added: %(n)s") % {"n": ev.name})
                return redirect("consultations:evaluators", pk=pk)
        elif request.POST.get("form") == "people" and people_form.is_valid():
            chosen = people_form.cleaned_data["people"]
            try:
                added = services_roster.evaluators_add_people(
                    actor=request.user,
                    session=session,
                    people=chosen,
                    group_by_kind={
                        Person.Kind.CPPCC: people_form.cleaned_data["group_cppcc"],
                        Person.Kind.CHAIR: people_form.cleaned_data["group_chair"],
                    },
                )
            except ValidationError as e:
                _errors_to_messages(request, e)
            else:
                messages.success(request, _("Added %(n)s evaluators.") % {"n": len(added)})
                return redirect("consultations:evaluators", pk=pk)
        status = 400
    panel = list(session.evaluators.all())
    rows = [{"ev": ev, "url": evaluator_url(request, ev)} for ev in panel]
    return render(
        request,
        "consultations/evaluators.html",
        {
            "session": session,
            "form": form,
            "people_form": people_form,
            "rows": rows,
            "groups": sorted(set(session.group_weights or {}) | {e.group for e in panel if e.group}),
        },
        status=status,
    )


def _office_evaluator(request, pk: int, evaluator_id: int) -> Evaluator:
    session = office_session(request, pk)
    return get_object_or_404(Evaluator.objects.select_related("session"), pk=evaluator_id, session=session)


@login_required
@require_POST
def evaluator_remove(request, pk: int, evaluator_id: int):
    ev = _office_evaluator(request, pk, evaluator_id)
    try:
        services_roster.evaluator_remove(actor=request.user, evaluator=ev)
    except ValidationError as e:
        _errors_to_messages(request, e)
    else:
        messages.success(request, _("Removed: %(n)s") % {"n": ev.name})
    return redirect("consultations:evaluators", pk=pk)


@login_required
@require_POST
def evaluator_relink(request, pk: int, evaluator_id: int):
    ev = _office_evaluator(request, pk, evaluator_id)
    services_roster.evaluator_relink(actor=request.user, evaluator=ev)
    messages.success(
        request, _("A new link was issued for %(n)s; the old link no longer works.") % {"n": ev.name}
    )
    return redirect("consultations:evaluators", pk=pk)


@login_required
def evaluator_qr(request, pk: int, evaluator_id: int):
    ev = _office_evaluator(request, pk, evaluator_id)
    response = HttpResponse(qr_svg_document(evaluator_url(request, ev)), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def signin_sheet(request, pk: int):
    """A printable sign-in sheet: one QR code per evaluator, to be cut out or read out at the door."""
    session = office_session(request, pk)
    panel = list(session.evaluators.all())
    if not panel:
        raise Http404
    cards = [
        {
            "ev": ev,
            "url": evaluator_url(request, ev),
            "qr": qr_svg(
                evaluator_url(request, ev), scale=4, title=_("Scoring link of %(n)s") % {"n": ev.name}
            ),
        }
        for ev in panel
    ]
    return render(
        request,
        "consultations/signin_sheet.html",
        {"session": session, "cards": cards, "loopback": is_loopback(request)},
    )


@login_required
@require_POST
def session_open(request, pk: int):
    session = office_session(request, pk)
    try:
        services_setup.session_open(actor=request.user, session=session)
    except ValidationError as e:
        _errors_to_messages(request, e)
        return redirect("consultations:setup", pk=pk)
    messages.success(request, _("The session is open: the rubric and the panel are now frozen."))
    return redirect("consultations:chair", pk=pk)
