import pytest
from django.core.management import call_command

from dajia.accounts.models import Person, RoleAssignment, User
from dajia.core.validators import uscc_error, uscc_org_code_warning
from dajia.menu.models import ServiceProject
from dajia.orgs.models import Federation, Park, Provider, Union

pytestmark = pytest.mark.django_db


def test_the_demo_holds_the_seeds_world_and_loads_once(capsys):
    call_command("load_demo")
    xiacheng = Federation.objects.get(name="下城区总工会")
    approved = Provider.objects.filter(federation=xiacheng, status="approved")
    assert approved.count() == 9
    for provider in approved:
        assert 2 <= provider.projects.filter(status="approved").count() <= 4
        assert uscc_error(provider.uscc) is None and uscc_org_code_warning(provider.uscc) is None
    assert Union.objects.filter(federation=xiacheng).count() == 20
    assert RoleAssignment.objects.filter(role="chair").count() == 20
    assert Person.objects.filter(kind="cppcc").count() == 8
    wuyi = Federation.objects.get(name="武义县总工会")
    assert Park.objects.filter(federation=wuyi).count() == 6
    for role in ("office", "chair", "provider", "expert", "worker"):
        assert RoleAssignment.objects.filter(role=role).exists(), role
    assert User.objects.get(username="office").check_password("dajia2020")

    projects = ServiceProject.objects.count()
    call_command("load_demo")
    assert ServiceProject.objects.count() == projects
    assert "已存在" in capsys.readouterr().out


def test_demo_logins_prints_every_role(capsys):
    call_command("demo_logins", address="http://127.0.0.1:8000")
    out = capsys.readouterr().out
    for username in ("office", "chair01", "provider", "expert", "worker", "admin"):
        assert username in out
    assert "http://127.0.0.1:8000" in out
