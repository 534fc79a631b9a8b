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

"Not yours" is answered one way (docs/CONVENTIONS.md): a page of a role the user lacks answers 403; an object
outside the user's scope answers 404, so its existence is not confirmed (``object_in_scope``, ``office_object``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from dajia.accounts.models import Role, RoleAssignment


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
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = getattr(user, "_dajia_fed_ids", None)
    if cache is not None:
        return cache
    if user.is_superuser:
        # The federation model through the role's foreign key: ``accounts`` sits below ``orgs`` (orgs' services
        # ask these permissions), so it names orgs only by string.
        federations = RoleAssignment._meta.get_field("federation").related_model
        ids = set(federations.objects.values_list("pk", flat=True))
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
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = getattr(user, "_dajia_member_fed_ids", None)
    if cache is not None:
        return cache
    # Through the roles' own foreign keys: accounts sits below orgs and imports none of its models.
    federations = {}
    for r in _roles(user):
        if r.union_id and r.role in (Role.CHAIR, Role.WORKER):
            federations.setdefault(r.union.federation_id, r.union.federation)
        elif r.provider_id and r.role == Role.PROVIDER:
            federations.setdefault(r.provider.federation_id, r.provider.federation)
    ids: set[int] = set()
    for federation in federations.values():
        ids |= federation.descendant_ids()
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


def require_office(actor, federation_id: int | None) -> None:
    """The one office check of every write: ``actor`` is office staff of ``federation_id`` or of a federation
    above it (a superuser too); anyone else gets ``PermissionDenied`` with the same message everywhere."""
    if not can_manage_federation(actor, federation_id):
        raise PermissionDenied(_("Only the union office of this federation may do this."))


def office_scope(user) -> set[int]:
    """The federations an office page lists: those ``user`` manages; ``PermissionDenied`` for a user without
    the office role (a page of a role the user lacks answers 403)."""
    if not is_office(user):
        raise PermissionDenied(_("Only union office staff may do this."))
    return office_federation_ids(user)


def object_in_scope(queryset, where: Q | None, **lookup):
    """The object ``lookup`` names among those ``where`` lets the user see. ``where`` is None when the user has
    no role for this page at all: 403. An object outside ``where`` (another federation's, another provider's)
    is 404, the same answer as an object that does not exist."""
    if where is None:
        raise PermissionDenied(_("This page is not for your role."))
    return get_object_or_404(queryset.filter(where), **lookup)


def office_object(user, queryset, *, field: str = "federation_id", **lookup):
    """An object of an office page: 403 without the office role, 404 outside the federations ``user``
    manages (``field`` says where the object keeps its federation)."""
    return object_in_scope(queryset, Q(**{f"{field}__in": office_scope(user)}), **lookup)


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
