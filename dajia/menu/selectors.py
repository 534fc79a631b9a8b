"""Reading the menu: one filter used by the page, the export and the API, so all three agree."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Q, QuerySet

from dajia.accounts.permissions import office_federation_ids
from dajia.core.inputs import normalise, query_id
from dajia.menu.models import ServiceProject
from dajia.orgs.models import Provider


@dataclass
class MenuFilter:
    q: str = ""
    category: int | None = None
    format: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    provider: int | None = None

    @classmethod
    def from_params(cls, params) -> MenuFilter:
        """Lenient on purpose for text, format and prices (a mistyped one is ignored); an id that is not one
        is a 400 (``dajia.core.inputs.BadInput``): it comes from an edited address, not from the page."""

        def dec(name):
            raw = normalise(params.get(name), cell=True)
            try:
                value = Decimal(raw) if raw else None
            except InvalidOperation:
                return None
            return value if value is not None and value.is_finite() and value >= 0 else None

        fmt = params.get("format") or ""
        return cls(
            q=normalise(params.get("q"), cell=True)[:50],
            category=query_id(params, "category"),
            format=fmt if fmt in ServiceProject.Format.values else "",
            price_min=dec("price_min"),
            price_max=dec("price_max"),
            provider=query_id(params, "provider"),
        )


def menu_projects(f: MenuFilter, base: QuerySet | None = None) -> QuerySet:
    """Published projects matching the filter. Text matches the title, description, audience and provider
    name; a latin query also matches the title's pinyin initials or full pinyin ("aqjn", "anquan")."""
    qs = (base if base is not None else ServiceProject.objects.published()).for_list()
    if f.q:
        cond = (
            Q(title__icontains=f.q)
            | Q(description__icontains=f.q)
            | Q(audience__icontains=f.q)
            | Q(provider__name__icontains=f.q)
            | Q(category__name_zh__icontains=f.q)
        )
        latin = f.q.replace(" ", "").lower()
        if latin.isascii() and latin.isalnum():
            cond |= Q(title_initials__contains=latin) | Q(title_pinyin__contains=latin)
        qs = qs.filter(cond)
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.format:
        qs = qs.filter(format=f.format)
    if f.price_min is not None:
        qs = qs.filter(price__gte=f.price_min)
    if f.price_max is not None:
        qs = qs.filter(price__lte=f.price_max)
    if f.provider:
        qs = qs.filter(provider_id=f.provider)
    return qs


def projects_to_review(user) -> QuerySet:
    """The projects the office's federations have to review, first submitted first (the review page and the
    workbench). The providers' ids are read first (as ``orders.selectors.office_orders``): joined, SQLite's
    planner walks every project of every provider instead of the few submitted ones in ``project_review_queue``."""
    providers = Provider.objects.filter(federation_id__in=office_federation_ids(user)).values_list(
        "pk", flat=True
    )
    return ServiceProject.objects.filter(
        status=ServiceProject.Status.SUBMITTED, provider_id__in=list(providers)
    ).order_by("submitted_at", "id")
