"""Dajia's deployment checks (dajia/core/checks.py), run in-process as ``check --deploy --tag dajia`` does."""

from __future__ import annotations

import pytest
from django.core import checks

from dajia.core.checks import TAG


def _deploy_errors() -> list[str]:
    return [m.id for m in checks.run_checks(include_deployment_checks=True, tags=[TAG])]


@pytest.mark.parametrize("sender", ["FileSender", "LocmemSender"])
def test_a_development_sender_is_an_error_outside_a_local_trial(settings, sender):
    settings.DAJIA_SMS_BACKEND = f"dajia.core.sms.{sender}"
    settings.DAJIA_LOCAL_TRIAL = False
    assert _deploy_errors() == ["dajia.E001"]
    settings.DAJIA_LOCAL_TRIAL = True
    assert _deploy_errors() == []


def test_the_gateway_sender_passes_with_its_address_and_is_an_error_without(settings):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.HttpSender"
    settings.DAJIA_LOCAL_TRIAL = False
    settings.DAJIA_SMS_HTTP_URL = "https://sms.example.cn/send"
    assert _deploy_errors() == []
    settings.DAJIA_SMS_HTTP_URL = ""
    (message,) = checks.run_checks(include_deployment_checks=True, tags=[TAG])
    assert message.id == "dajia.E003" and "DAJIA_SMS_HTTP_URL" in message.msg


def test_a_sender_that_cannot_be_imported_is_an_error(settings):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.PigeonSender"
    settings.DAJIA_LOCAL_TRIAL = True
    (message,) = checks.run_checks(include_deployment_checks=True, tags=[TAG])
    assert message.id == "dajia.E002" and message.level == checks.ERROR
    assert "PigeonSender" in message.msg


def test_the_checks_run_only_for_a_deployment(settings):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_LOCAL_TRIAL = False
    assert checks.run_checks(tags=[TAG]) == []  # runserver and migrate on a laptop are not refused
