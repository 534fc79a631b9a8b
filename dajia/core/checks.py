"""Deployment checks of Dajia's own settings (``manage.py check --deploy``; ``dajia serve`` runs them first).

Why here: a production server that quietly runs with a setting meant for a laptop is worse than one that does
not start, and the operator reads ``check --deploy`` before going live. Each check names what is wrong in Chinese
and English and how to fix it. The checks carry the tag ``dajia`` so that ``dajia serve`` can run them alone,
without Django's HTTPS warnings that a plain-HTTP trial expects.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

TAG = "dajia"


@checks.register(TAG, checks.Tags.security, deploy=True)
def sms_sender(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The SMS sender must deliver codes, unless this is a local trial. A sender class declares itself a
    development one (``development = True``: it writes or keeps codes instead of sending them), and may say
    what keeps it from sending (``configuration_error()``, e.g. no gateway address)."""
    name = settings.DAJIA_SMS_BACKEND
    try:
        sender = import_string(name)
    except ImportError as error:
        return [
            checks.Error(
                f"DAJIA_SMS_BACKEND={name!r} 无法导入 / cannot be imported: {error}",
                hint="例如 / e.g. dajia.core.sms.HttpSender",
                id="dajia.E002",
            )
        ]
    problem = getattr(sender, "configuration_error", lambda: None)()
    if problem:
        return [
            checks.Error(
                f"短信发送器 {name} 无法发送 / the SMS sender {name} cannot send: {problem}",
                hint="例如 / e.g. DAJIA_SMS_HTTP_URL=https://sms.example.cn/send",
                id="dajia.E003",
            )
        ]
    if getattr(sender, "development", False) and not settings.DAJIA_LOCAL_TRIAL:
        return [
            checks.Error(
                f"生产环境不能使用开发用短信发送器 {name}：验证码不会发出，而是明文留在本机 / production refuses "
                f"the development SMS sender {name}: codes are not sent, they stay in clear on this machine",
                hint=(
                    "设置 DAJIA_SMS_BACKEND=dajia.core.sms.HttpSender 和 DAJIA_SMS_HTTP_URL（短信网关），"
                    "或仅在本机试运行时用 make run / dajia serve --trial（DAJIA_LOCAL_TRIAL=1） / set "
                    "DAJIA_SMS_BACKEND=dajia.core.sms.HttpSender and DAJIA_SMS_HTTP_URL (the SMS "
                    "gateway), or for a trial on this machine only use make run / dajia serve --trial "
                    "(DAJIA_LOCAL_TRIAL=1)"
                ),
                id="dajia.E001",
            )
        ]
    return []
