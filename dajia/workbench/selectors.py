"""The workbench of each role: one selector per role, gathering what the apps contribute for it
(dajia/workbench/registry.py), and which roles a person holds (a chair may also be a worker)."""

from __future__ import annotations

from dajia.accounts.models import Role
from dajia.accounts.permissions import chair_union_ids, has_role, is_office, provider_ids
from dajia.workbench.registry import Group, collect


def office_workbench(user) -> list[Group]:
    return collect("office", user)


def chair_workbench(user) -> list[Group]:
    return collect("chair", user)


def provider_workbench(user) -> list[Group]:
    return collect("provider", user)


def expert_workbench(user) -> list[Group]:
    return collect("expert", user)


def park_workbench(user) -> list[Group]:
    return collect("park", user)


def enterprise_workbench(user) -> list[Group]:
    return collect("enterprise", user)


def worker_workbench(user) -> list[Group]:
    return collect("worker", user)


SELECTORS = {
    "office": office_workbench,
    "chair": chair_workbench,
    "provider": provider_workbench,
    "expert": expert_workbench,
    "park": park_workbench,
    "enterprise": enterprise_workbench,
    "worker": worker_workbench,
}


def roles_of(user) -> list[str]:
    """The workbenches this person has, the one of their widest role first. A worker's (their own needs) is
    shown to those with the worker role and to anyone with no other role: everyone may raise a need."""
    roles = []
    if is_office(user):
        roles.append("office")
    if chair_union_ids(user):
        roles.append("chair")
    if provider_ids(user):
        roles.append("provider")
    # The expert desk's roles: a volunteer, a park office, an enterprise contact.
    roles += [role for role in (Role.EXPERT, Role.PARK, Role.ENTERPRISE) if has_role(user, role)]
    if not roles or has_role(user, Role.WORKER):
        roles.append("worker")
    return roles
