"""The office's working-day calendar page: which years the national calendar knows, the office's own holidays
and working days, and the office hours. Every deadline counts with it (``dajia.core.workdays``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts.forms import apply_service_errors
from dajia.accounts.permissions import is_office
from dajia.core.forms import CalendarDayForm, OfficeHoursForm
from dajia.core.models import CalendarDay, OfficeHoursSetting
from dajia.core.workdays import DEFAULT_HOURS, year_coverage
from dajia.orgs import services_calendar


def _office(request) -> None:
    if not is_office(request.user):
        raise PermissionDenied


def _page(request, *, day_form=None, hours_form=None, status: int = 200):
    this_year = timezone.localdate().year
    hours = OfficeHoursSetting.objects.first()
    periods = hours.as_hours().periods if hours else DEFAULT_HOURS.periods
    initial = {
        "morning_opens": periods[0][0],
        "morning_closes": periods[0][1],
        "afternoon_opens": periods[1][0],
        "afternoon_closes": periods[1][1],
    }
    return render(
        request,
        "core/calendar.html",
        {
            "years": year_coverage(range(this_year - 1, this_year + 3)),
            "days": CalendarDay.objects.filter(day__year__gte=this_year - 1),
            "day_form": day_form or CalendarDayForm(),
            "hours_form": hours_form or OfficeHoursForm(initial=initial),
        },
        status=status,
    )


@login_required
def calendar(request):
    _office(request)
    return _page(request)


def _submit(request, form, save, *, page_form: str, message):
    """Validate ``form``, call ``save(**cleaned_data)`` (a service), and go back to the page — or show the page
    again with the errors (400), nothing saved."""
    _office(request)
    if form.is_valid():
        try:
            row = save(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, message(row))
            return redirect("core:calendar")
    return _page(request, **{page_form: form}, status=400)


@login_required
@require_POST
def calendar_day_set(request):
    return _submit(
        request,
        CalendarDayForm(request.POST),
        services_calendar.calendar_day_set,
        page_form="day_form",
        message=lambda row: (
            _("Saved: %(day)s, %(kind)s.") % {"day": row.day.isoformat(), "kind": row.get_kind_display()}
        ),
    )


@login_required
@require_POST
def calendar_day_remove(request, day_id: int):
    _office(request)
    row = get_object_or_404(CalendarDay, pk=day_id)
    services_calendar.calendar_day_remove(actor=request.user, day=row)
    messages.success(request, _("The office's entry for %(day)s is removed.") % {"day": row.day.isoformat()})
    return redirect("core:calendar")


@login_required
@require_POST
def office_hours_set(request):
    return _submit(
        request,
        OfficeHoursForm(request.POST),
        services_calendar.office_hours_set,
        page_form="hours_form",
        message=lambda row: _("The office hours are saved."),
    )
