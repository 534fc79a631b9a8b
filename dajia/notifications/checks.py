"""Deployment check (``manage.py check --deploy``): with the HTTP gateway, every event needs its registered
template id and the signature, or Chinese gateways refuse the message. A warning, not an error: the site works,
and the operator sees in ``check --deploy`` which ``DAJIA_SMS_TEMPLATE_<EVENT>`` to set."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


# Its own tag: ``dajia serve`` runs the tag "dajia" to refuse what cannot work; this is a warning to read.
@checks.register("dajia_sms_templates", deploy=True)
def sms_templates(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not settings.DAJIA_SMS_BACKEND.endswith(".HttpSender"):
        return []
    missing = [
        f"DAJIA_SMS_TEMPLATE_{event.upper()}"
        for event, tid in settings.DAJIA_SMS_TEMPLATES.items()
        if not tid
    ]
    if not settings.DAJIA_SMS_SIGN_NAME:
        missing.insert(0, "DAJIA_SMS_SIGN_NAME")
    if not missing:
        return []
    return [
        checks.Warning(
            "短信网关需要已报备的签名和模板，以下设置为空 / the SMS gateway needs a registered signature and "
            f"templates; these are empty: {', '.join(missing)}",
            hint="在短信服务商处报备模板后填入模板编号 / register the templates with the SMS provider and set their ids",
            id="dajia.W101",
        )
    ]
