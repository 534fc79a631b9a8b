"""Scoping: every form offers a user only the organisations, parks and unions of their own federation (and those
below it) — a 下城区 worker's need form lists no 武义县 park.

``test_every_choice_field_listing_organisations_is_scoped`` enumerates the project's forms, so a new field that
lists federations, unions, parks, organisations, their projects or people fails until it is listed in
``SCOPED`` (and so checked, through its page, by ``test_a_xiacheng_user_is_offered_nothing_of_wuyi``) or in
``PUBLIC`` with the reason it offers everything."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

import dajia
from dajia.accounts.models import Person
from dajia.accounts.permissions import in_scope, member_federation_ids, scope_federation_ids
from dajia.agreements.tests.fixtures import agreements, projects, published_session  # noqa: F401
from dajia.conftest import make_provider, make_user
from dajia.core.validators import make_uscc
from dajia.menu.models import ServiceProject
from dajia.orgs.models import Enterprise, Federation, Park, Provider, Union

pytestmark = pytest.mark.django_db

ORG_MODELS = {Federation, Union, Park, Provider, Enterprise, ServiceProject, Person}
# Fields filled with hand-built choices (pk, label) are recognised by name, and read back as this model.
BY_NAME = {
    "federation": Federation,
    "union": Union,
    "park": Park,
    "provider": Provider,
    "enterprise": Enterprise,
    "project": ServiceProject,
    "people": Person,
}

# (form, field) → the personas (of 下城区) who open it, and the page they open it on.
SCOPED = {
    ("dajia.needs.forms.NeedForm", "union"): [("worker", "needs:new"), ("chair", "needs:new")],
    ("dajia.needs.forms.NeedForm", "park"): [
        ("worker", "needs:new"),
        ("chair", "needs:new"),
        ("provider", "needs:new"),
        ("office", "needs:new"),
    ],
    ("dajia.needs.forms.ImportForm", "federation"): [("office", "needs:import")],
    ("dajia.needs.forms.SurveyForm", "federation"): [("office", "needs:survey_create")],
    ("dajia.orders.forms.OrderForm", "union"): [("chair", "orders:new")],
    ("dajia.orders.forms.OrderForm", "project"): [("chair", "orders:new")],
    ("dajia.orders.forms.BudgetForm", "union"): [("office", "orders:budgets")],
    ("dajia.consultations.forms.EntryAddForm", "project"): [("office", "consultations:entries")],
    ("dajia.consultations.forms.PeopleForm", "people"): [("office", "consultations:evaluators")],
    ("dajia.desk.forms.CaseForm", "enterprise"): [("office", "desk:case_new")],
    ("dajia.desk.forms.ConsultationForm", "park"): [("office", "desk:consultation_new")],
    ("dajia.desk.views_contacts.RegisterForm", "park"): [("worker", "desk:register")],
    ("dajia.checkups.forms.OpenForm", "enterprise"): [("office", "checkups:home")],
    ("dajia.finance.forms.FileForm", "enterprise"): [("office", "finance:file_new")],
    ("dajia.lectures.forms.RequestForm", "park"): [("park_office", "lectures:request")],
    ("dajia.lectures.forms.RequestForm", "enterprise"): [("enterprise_contact", "lectures:request")],
}
PUBLIC = {
    # Before any login a new social organisation chooses the federation it registers with.
    ("dajia.accounts.forms.ProviderRegistrationForm", "federation"),
}


def _project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for module in pkgutil.walk_packages(dajia.__path__, "dajia."):
        last = module.name.rsplit(".", 1)[-1]
        if ".tests" in module.name or not (last.startswith("forms") or last.startswith("views")):
            continue
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.name:
                found.append(cls)
    return found


def _lists_organisations(name: str, field: forms.Field) -> bool:
    queryset = getattr(field, "queryset", None)
    if queryset is not None:
        return queryset.model in ORG_MODELS
    return isinstance(field, forms.ChoiceField) and name in BY_NAME


def test_every_choice_field_listing_organisations_is_scoped():
    listed = {
        (f"{form.__module__}.{form.__name__}", name)
        for form in _project_forms()
        for name, field in form.base_fields.items()
        if _lists_organisations(name, field)
    }
    assert ("dajia.needs.forms.NeedForm", "park") in listed  # the enumeration sees the forms
    assert listed - set(SCOPED) - PUBLIC == set(), "scope these fields and add them to SCOPED"
    assert set(SCOPED) | PUBLIC <= listed  # nothing stale


@pytest.fixture
def wuyi(other_federation, make_project):
    """Everything of 武义县 a 下城区 form could wrongly offer."""
    provider = make_provider(other_federation, "武义县红管家法律服务中心", 4001)
    park = Park.objects.create(name="泉溪镇小微企业园", federation=other_federation)
    return {
        Federation: other_federation,
        Park: park,
        Enterprise: Enterprise.objects.create(
            name="浙江旗昌工贸有限公司",
            uscc=make_uscc("91330723000000001"),
            federation=other_federation,
            park=park,
        ),
        Union: Union.objects.create(name="浙江旗昌工贸有限公司工会", federation=other_federation),
        Provider: provider,
        ServiceProject: make_project(provider, "菜单式普法讲座"),
        Person: Person.objects.create(name="王姝芬", kind="chair", federation=other_federation),
    }


@pytest.fixture
def xiacheng(federation, union, make_project, provider, agreements):  # noqa: F811
    """下城区's own: a park, a union, a chair's Person, menu projects and agreements in force."""
    park = Park.objects.create(name="下城区跨贸小镇", federation=federation)
    Enterprise.objects.create(
        name="杭州跨贸科技有限公司", uscc=make_uscc("91330103000000002"), federation=federation, park=park
    )
    Person.objects.create(name="陈主席", kind="chair", federation=federation)
    make_project(provider, "职工书法摄影兴趣课")
    return federation


@pytest.fixture
def personas(xiacheng, union, office_user, chair_user, provider_user, published_session):  # noqa: F811
    from dajia.consultations.models import Session

    draft = Session.objects.create(
        federation=xiacheng,
        title="2026年下城区工会购买服务协商会",
        starts_at=published_session.starts_at,
        budget=published_session.budget,
        created_by=office_user,
    )
    park = Park.objects.get(federation=xiacheng, name="下城区跨贸小镇")
    return {
        "park_office": make_user("跨贸小镇园区办", role="park", park=park),
        "enterprise_contact": make_user(
            "跨贸科技联络员", role="enterprise", enterprise=park.enterprises.get()
        ),
        "worker": make_user("李师傅", role="worker", union=union),
        "chair": chair_user,
        "provider": provider_user,
        "office": office_user,
        "session": draft,
    }


def _offered(form: forms.BaseForm, name: str) -> list:
    field = form.fields[name]
    if getattr(field, "queryset", None) is not None:
        return list(field.queryset)
    pks = [value for value, _ in field.choices if value not in ("", None)]
    return list(BY_NAME[name].objects.filter(pk__in=pks))


def _federation_of(obj) -> int:
    if isinstance(obj, Federation):
        return obj.pk
    if isinstance(obj, ServiceProject):
        return obj.provider.federation_id
    return obj.federation_id


def _form_on(response, dotted: str) -> forms.BaseForm:
    module, name = dotted.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), name)
    for context in response.context:
        for value in context.flatten().values():
            if isinstance(value, cls):
                return value
    raise AssertionError(f"{dotted} is not on the page")


@pytest.mark.parametrize(("form", "field"), sorted(SCOPED))
def test_a_xiacheng_user_is_offered_nothing_of_wuyi(form, field, personas, wuyi, xiacheng):
    for persona, url_name in SCOPED[(form, field)]:
        client = Client()
        client.force_login(personas[persona])
        args = [personas["session"].pk] if url_name.startswith("consultations:") else []
        response = client.get(reverse(url_name, args=args))
        assert response.status_code == 200, (persona, url_name)
        offered = _offered(_form_on(response, form), field)
        assert offered, (persona, field)  # the user's own are offered …
        assert {_federation_of(o) for o in offered} == {xiacheng.pk}, (persona, field)  # … and only those
        assert wuyi[BY_NAME[field]] not in offered


def test_a_worker_is_scoped_by_their_unions_federation_and_those_below(federation, union, other_federation):
    street = Federation.objects.create(name="长庆街道总工会", parent=federation)
    worker = make_user("李师傅", role="worker", union=union)
    assert member_federation_ids(worker) == {federation.pk, street.pk}
    assert scope_federation_ids(worker) == {federation.pk, street.pk}
    assert set(in_scope(Federation.objects.all(), worker, field="pk")) == {federation, street}


def test_not_yours_a_chair_and_a_provider_see_their_own_federation_only(
    chair_user, provider_user, federation, other_federation, other_union
):
    for user in (chair_user, provider_user):
        assert scope_federation_ids(user) == {federation.pk}
        parks = [Park.objects.create(name=f"园区{user.pk}", federation=other_federation)]
        assert list(in_scope(Park.objects.filter(pk__in=[p.pk for p in parks]), user)) == []


def test_office_scope_is_the_offices_federations(
    office_user, other_office_user, federation, other_federation
):
    assert scope_federation_ids(office_user) == {federation.pk}
    assert scope_federation_ids(other_office_user) == {other_federation.pk}


def test_unscoped_accounts_see_every_federation(federation, other_federation):
    from django.contrib.auth.models import AnonymousUser

    admin = make_user("admin")
    admin.is_superuser = True
    expert = make_user("专家", role="expert")
    for user in (AnonymousUser(), admin, expert):
        assert scope_federation_ids(user) is None
        assert in_scope(Park.objects.all(), user).query.where == Park.objects.all().query.where


def test_not_yours_a_worker_cannot_post_a_need_for_another_federations_park(personas, wuyi):
    from dajia.needs.models import Need

    client = Client()
    client.force_login(personas["worker"])
    text = "园区食堂中午排队太久，希望增加窗口或者错峰就餐安排。"
    response = client.post(reverse("needs:new"), {"text": text, "park": wuyi[Park].pk, "voice": "enterprise"})
    assert response.status_code == 400
    assert text in response.content.decode()  # what they wrote is kept
    payload = {"text": text, "park": wuyi[Park].pk, "voice": "enterprise"}
    assert client.post("/api/needs/needs", payload, content_type="application/json").status_code == 404
    payload = {"text": text, "union": wuyi[Union].pk}
    assert client.post("/api/needs/needs", payload, content_type="application/json").status_code == 404
    assert not Need.objects.exists()


def test_lists_and_searches_show_a_signed_in_user_their_own_federation(personas, wuyi, union, xiacheng):
    from dajia.needs.models import Need
    from dajia.needs.suggest import tokenize

    def need(text, **where):
        return Need.objects.create(text=text, tokens=" ".join(tokenize(text)), **where)

    ours = need("食堂饭菜太贵了，希望能改善一下", federation=xiacheng, union=union, voice="worker")
    theirs = need(
        "园区食堂饭菜太贵了，希望能改善", federation=wuyi[Federation], park=wuyi[Park], voice="enterprise"
    )
    # Other needs of 下城区, so that the words the two share weigh in the similarity.
    for text in (
        "希望组织消防安全培训，车间新员工多",
        "孩子暑假没人照看，希望办小候鸟班",
        "老板拖欠工资两个月了",
    ):
        need(text, federation=xiacheng, union=union, voice="worker")
    signed_out = Client()
    for persona in ("worker", "chair", "provider", "office"):
        client = Client()
        client.force_login(personas[persona])
        needs = client.get(reverse("needs:list"), {"q": "食堂"})  # the search
        assert needs.status_code == 200
        assert [n.pk for n in needs.context["page"].object_list] == [ours.pk], persona
        api = client.get("/api/needs/needs", {"q": "食堂"})
        assert api.status_code == 200
        assert [n["id"] for n in api.json()["items"]] == [ours.pk], persona
        typed = {"text": "食堂的饭菜价格太贵，能不能改善"}
        check = client.post(reverse("needs:check"), typed)
        assert check.status_code == 200
        assert [s.need.pk for s in check.context["similar"]] == [ours.pk], persona
        suggest = client.post("/api/needs/suggest", typed, content_type="application/json")
        assert suggest.status_code == 200
        assert [n["id"] for n in suggest.json()["similar"]] == [ours.pk], persona
        ranking = client.get(reverse("needs:ranking"), {"federation": wuyi[Federation].pk})
        assert ranking.status_code == 200
        assert ranking.context["federation"] == xiacheng, persona  # another federation's asked for: their own
        assert list(ranking.context["federations"]) == [xiacheng], persona
        menu = client.get(reverse("menu:list"))
        assert menu.status_code == 200
        offered = list(menu.context["page"].object_list)
        assert offered and wuyi[ServiceProject] not in offered, persona
        assert wuyi[Provider] not in list(menu.context["providers"]), persona
    # Signed out, the public wall, ranking and menu show every federation.
    ranking = signed_out.get(reverse("needs:ranking"), {"federation": wuyi[Federation].pk})
    assert ranking.context["federation"] == wuyi[Federation]
    needs = signed_out.get(reverse("needs:list"), {"q": "食堂"})
    assert {n.pk for n in needs.context["page"].object_list} == {ours.pk, theirs.pk}
    assert wuyi[ServiceProject] in list(signed_out.get(reverse("menu:list")).context["page"].object_list)


def test_a_worker_role_names_its_union(federation):
    from django.db import IntegrityError, transaction

    from dajia.accounts.models import RoleAssignment

    user = make_user("张师傅")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role="worker")
    assert not RoleAssignment.objects.filter(user=user).exists()
