import pytest
from django.apps import apps
from django.contrib import admin

pytestmark = pytest.mark.django_db


def test_every_dajia_model_is_in_the_back_office():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("dajia.") and not admin.site.is_registered(model)
    ]
    assert missing == []


def test_the_back_office_speaks_chinese_and_lists_with_search(admin_client):
    response = admin_client.get("/admin/menu/serviceproject/?q=心理")
    assert response.status_code == 200
    assert "服务项目" in response.content.decode()


DECIDING = [
    "core.AuditLog",
    "core.CalendarDay",
    "core.OfficeHoursSetting",
    "consultations.Sheet",
    "consultations.Score",
    "consultations.PublishedResult",
    "agreements.Agreement",
    "agreements.AgreementVersion",
    "agreements.Signature",
    "agreements.AgreementQuota",
    "notices.Objection",
    "orders.UnionBudget",
    "orders.Order",
    "orders.Delivery",
    "orders.Attendance",
    "orders.Rating",
    "needs.Support",
    "needs.Response",
    "needs.Answer",
    "menu.CategoryProposal",
    "checkups.HealthCheck",
    "checkups.CheckAnswer",
    "desk.Tally",
]


@pytest.mark.parametrize("label", DECIDING)
def test_what_decides_a_result_is_read_only_in_the_back_office(label, rf, admin_user):
    """These records change only through audited services, so even a superuser only reads them here."""
    model_admin = admin.site._registry[apps.get_model(label)]
    request = rf.get("/admin/")
    request.user = admin_user
    assert model_admin.has_view_permission(request) is True
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False
