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
