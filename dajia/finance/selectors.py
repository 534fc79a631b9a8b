"""Reads of the finance files: who sees which file (one rule, :func:`file_scope`), and the park's list.

The office sees its federation's files; a bank-team member (a desk volunteer of the finance specialty) the files
of the parks it serves (``expert_park_ids``); anyone else has no finance page (403).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from dajia.accounts.permissions import expert_park_ids, is_office, office_federation_ids
from dajia.desk.models import Specialty
from dajia.desk.selectors import volunteer_of
from dajia.finance.models import EnterpriseFile, FinancingNeed


def bank_volunteer(user):
    """The user's desk volunteer if it is a bank-team member, else None."""
    volunteer = volunteer_of(user)
    return volunteer if volunteer is not None and volunteer.specialty == Specialty.FINANCE else None


def finance_park_ids(user) -> set[int]:
    """The parks whose finance files a bank-team member keeps."""
    # The role rows are loaded once per request; the volunteer's row is read only for an expert, so the menu
    # costs the office no query.
    parks = expert_park_ids(user)
    return parks if parks and bank_volunteer(user) is not None else set()


def file_scope(user) -> Q | None:
    """The files ``user`` may see, or None when the user has no finance role (a 403)."""
    office = is_office(user)
    parks = finance_park_ids(user)
    if not office and not parks:
        return None
    q = Q(pk__in=[])
    if office:
        q |= Q(federation_id__in=office_federation_ids(user))
    if parks:
        q |= Q(park_id__in=parks)
    return q


def files(where: Q, *, park_id: int | None = None) -> QuerySet[EnterpriseFile]:
    """The list: each file with its park and enterprise, its needs counted and its granted loans summed."""
    qs = EnterpriseFile.objects.filter(where).select_related("park", "enterprise")
    if park_id is not None:
        qs = qs.filter(park_id=park_id)
    granted = Q(needs__status=FinancingNeed.Status.GRANTED)
    return qs.annotate(
        need_count=Count("needs", distinct=True),
        granted_count=Count("needs", filter=granted, distinct=True),
        granted_total=Sum("needs__loan_amount", filter=granted),
    ).order_by("park__name", "enterprise__name", "id")


def needs_of(file: EnterpriseFile) -> QuerySet[FinancingNeed]:
    return file.needs.select_related("volunteer__user").order_by("-raised_on", "-id")
