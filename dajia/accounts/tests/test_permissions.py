"""The one office check of every write (``require_office``) and the office pages' scope (``office_scope``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import translation

from dajia.accounts.permissions import office_scope, require_office
from dajia.orgs.models import Federation


def test_office_staff_pass_for_their_federation_and_those_below(office_user, federation):
    below = Federation.objects.create(name="某街道总工会", region="下城区", parent=federation)
    require_office(office_user, federation.pk)
    require_office(office_user, below.pk)
    assert office_scope(office_user) == {federation.pk, below.pk}


@pytest.mark.parametrize("who", ["other_office_user", "chair_user", "provider_user", "anonymous"])
def test_not_yours_is_refused_with_one_message(request, who, federation):
    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with translation.override("zh-hans"), pytest.raises(PermissionDenied) as exc:
        require_office(actor, federation.pk)
    assert str(exc.value) == "只有本总工会的工作人员可以进行此操作。"


def test_no_federation_is_nobodys(office_user):
    with pytest.raises(PermissionDenied):
        require_office(office_user, None)


@pytest.mark.parametrize("who", ["chair_user", "provider_user", "anonymous"])
def test_office_pages_refuse_a_user_without_the_role(request, who):
    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        office_scope(actor)
