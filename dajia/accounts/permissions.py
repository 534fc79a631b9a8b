"""Object-level permissions, one place for every view and API call to ask.

- office staff see their own federation and every federation and union below it;
- a chair acts only for its own union;
- a provider member edits only its own organisation and projects;
- an expert volunteer acts at the parks they serve, a park office for its park, an enterprise contact for its
  enterprise (the expert desk asks these);
- what is global (the service categories) only the office of a top federation (no parent) edits.
- every form, list and search shows a user only the federations they belong to (and those below them):
  :func:`scope_federation_ids` is that rule, for every role (an office's federations; a chair's or worker's
  union's federation; a provider's registering federation).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from dajia.accounts.models import Role


def _roles(user):
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_dajia_roles", None)
    if cache is None:
        cache = list(user.roles.all())
        user._dajia_roles = cache
    return cache


def has_role(user, role: str) -> bool:
    return any(r.role == role for r in _roles(user))


def is_office(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.OFFICE)


def office_federation_ids(user) -> set[int]:
    from dajia.orgs.models import Federation

    if not getattr(user, "is_authenticated", False):
        return set()
    cache = getattr(user, "_dajia_fed_ids", None)
    if cache is not None:
        return cache
    if user.is_superuser:
        ids = set(Federation.objects.values_list("pk", flat=True))
    else:
        ids = set()
        for r in _roles(user):
            if r.role == Role.OFFICE and r.federation_id:
                ids |= r.federation.descendant_ids()
    user._dajia_fed_ids = ids
    return ids


def chair_union_ids(user) -> set[int]:
    return {r.union_id for r in _roles(user) if r.role == Role.CHAIR and r.union_id}


def provider_ids(user) -> set[int]:
    return {r.provider_id for r in _roles(user) if r.role == Role.PROVIDER and r.provider_id}


def expert_park_ids(user) -> set[int]:
    """The parks an expert volunteer serves (one role row per park)."""
    return {r.park_id for r in _roles(user) if r.role == Role.EXPERT and r.park_id}


def park_office_ids(user) -> set[int]:
    return {r.park_id for r in _roles(user) if r.role == Role.PARK and r.park_id}


def enterprise_contact_ids(user) -> set[int]:
    return {r.enterprise_id for r in _roles(user) if r.role == Role.ENTERPRISE and r.enterprise_id}


def is_top_office(user) -> bool:
    """Office staff of a federation with no parent (or a superuser): they keep what is global, such as the
    service categories."""
    if getattr(user, "is_superuser", False):
        return True
    return any(
        r.role == Role.OFFICE and r.federation_id and r.federation.parent_id is None for r in _roles(user)
    )


def member_federation_ids(user) -> set[int]:
    """The federations of the unions a chair or worker belongs to and of the organisations a provider member
    acts for, with the federations below them."""
    from dajia.orgs.models import Federation, Provider, Union

    if not getattr(user, "is_authenticated", False):
        return set()
    cache = getattr(user, "_dajia_member_fed_ids", None)
    if cache is not None:
        return cache
    union_ids = {r.union_id for r in _roles(user) if r.union_id and r.role in (Role.CHAIR, Role.WORKER)}
    own = set(Union.objects.filter(pk__in=union_ids).values_list("federation_id", flat=True))
    own |= set(Provider.objects.filter(pk__in=provider_ids(user)).values_list("federation_id", flat=True))
    ids: set[int] = set()
    for federation_id in own:
        ids |= Federation(pk=federation_id).descendant_ids()
    user._dajia_member_fed_ids = ids
    return ids


def scope_federation_ids(user) -> set[int] | None:
    """The federations whose organisations, parks and unions this user's forms, lists and searches offer.

    ``None`` means unscoped: an anonymous visitor (public pages, e.g. registering an organisation with any
    federation), a superuser, or an account tied to no organisation (an expert volunteer)."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    ids = office_federation_ids(user) | member_federation_ids(user)
    return ids or None


def in_scope(queryset, user, field: str = "federation_id"):
    """``queryset`` narrowed to the user's :func:`scope_federation_ids` through ``field`` (the lookup of a
    federation's id: ``"pk"`` for federations, ``"provider__federation_id"`` for menu projects)."""
    ids = scope_federation_ids(user)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def can_manage_federation(user, federation_id: int | None) -> bool:
    return federation_id is not None and federation_id in office_federation_ids(user)


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
