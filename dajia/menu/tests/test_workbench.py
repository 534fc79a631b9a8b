"""Service projects on the workbench: submitted ones for the office that reviews them, returned ones for their
own provider — nobody else's."""

from dajia.menu import workbench
from dajia.menu.models import ServiceProject


def _titles(groups):
    return {g.key: [i.title for i in g.items] for g in groups}


def test_the_office_sees_submitted_projects_of_its_federation_only(
    office_user, other_office_user, provider, make_project
):
    submitted = make_project(provider, "职工心理减压工作坊")
    ServiceProject.objects.filter(pk=submitted.pk).update(status="submitted")
    make_project(provider, "已上架的消防演练")
    assert _titles(workbench.office(office_user)) == {"projects_to_review": ["职工心理减压工作坊"]}
    assert _titles(workbench.office(other_office_user)) == {"projects_to_review": []}


def test_a_provider_sees_its_returned_projects_not_another_providers(
    provider_user, other_provider_user, provider, other_provider, make_project
):
    for owner, title in ((provider, "班组长情绪管理培训"), (other_provider, "企业消防安全演练")):
        project = make_project(owner, title)
        ServiceProject.objects.filter(pk=project.pk).update(status="returned", return_reason="请补充讲师资质")
    groups = workbench.provider(provider_user)
    assert _titles(groups) == {"projects_returned": ["班组长情绪管理培训"]}
    assert groups[0].items[0].url.startswith("/menu/workspace/")
    assert _titles(workbench.provider(other_provider_user)) == {"projects_returned": ["企业消防安全演练"]}
