"""Social organisations waiting for approval, on the workbench of their own federation's office only."""

from dajia.conftest import make_provider
from dajia.orgs import workbench


def test_the_office_sees_pending_organisations_of_its_federation_only(
    office_user, other_office_user, federation, other_federation, provider
):
    make_provider(federation, "下城区阳光社工服务社", 2001, status="pending")
    make_provider(other_federation, "武义县义工协会", 2002, status="pending")
    group = workbench.office(office_user)[0]
    assert (group.key, [i.title for i in group.items]) == ("providers_to_review", ["下城区阳光社工服务社"])
    assert group.url == "/orgs/providers/?status=pending"
    assert [i.title for i in workbench.office(other_office_user)[0].items] == ["武义县义工协会"]
