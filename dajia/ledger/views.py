"""The outcome ledger's pages: the ledger (office, park office, a volunteer's own rows), its xlsx, and a
volunteer's service certificate (PDF)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from dajia.accounts.permissions import is_office, object_in_scope, office_federation_ids
from dajia.core.inputs import query_whole
from dajia.core.months import Period
from dajia.desk.models import Volunteer
from dajia.desk.selectors import volunteer_of
from dajia.ledger import exports, selectors
from dajia.ledger.period import YEAR_MAX, YEAR_MIN, calendar_year, past_year
from dajia.ledger.selectors import BREAKDOWNS, FIGURES


def requested_period(params) -> Period:
    """``?year=2026`` for a calendar year, else the past twelve months (a bad year is a 400)."""
    year = query_whole(params, "year", minimum=YEAR_MIN, maximum=YEAR_MAX, label=_("The year"))
    return calendar_year(year) if year else past_year()


def _scope(user):
    scope = selectors.reader_scope(user)
    if scope is None:
        raise PermissionDenied(_("This page is not for your role."))
    return scope


BREAKDOWN_TITLES = {
    "park": _("Per park"),
    "team": _("Per team"),
    "volunteer": _("Per volunteer"),
    "month": _("Per month"),
}


@login_required
def home(request):
    scope = _scope(request.user)
    period = requested_period(request.GET)
    book = selectors.ledger(scope, period)
    volunteer = volunteer_of(request.user)
    return render(
        request,
        "ledger/home.html",
        {
            "ledger": book,
            "figures": [{"figure": f, "total": book.totals[f.key]} for f in FIGURES],
            "breakdowns": [
                {
                    "key": by,
                    "title": BREAKDOWN_TITLES[by],
                    "hours": by == "volunteer",
                    "rows": [
                        {"row": r, "values": [r.values.get(f.key, 0) for f in FIGURES], "minutes": r.minutes}
                        for r in book.breakdowns[by]
                    ],
                }
                for by in BREAKDOWNS
            ],
            "figure_list": FIGURES,
            "volunteer": volunteer,
            "year": request.GET.get("year", ""),
        },
    )


@login_required
def export(request):
    scope = _scope(request.user)
    period = requested_period(request.GET)
    return exports.ledger_xlsx(selectors.ledger(scope, period))


@login_required
def certificate(request, pk: int):
    """A volunteer prints their own; the office prints its federation's volunteers'."""
    user = request.user
    mine = volunteer_of(user)
    if not is_office(user) and mine is None:
        where = None
    else:
        where = Q(federation_id__in=office_federation_ids(user)) | Q(pk=mine.pk if mine else 0)
    volunteer = object_in_scope(Volunteer.objects.select_related("user", "federation"), where, pk=pk)
    period = requested_period(request.GET)
    from dajia.ledger.pdf import certificate_pdf

    with translation.override("zh-hans"):
        data = certificate_pdf(selectors.certificate_facts(volunteer, period))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{volunteer.pk}.pdf"'
    return response
