"""The legal health checks (法治体检) app: the checklist, the self-check, the volunteers' review, the report with
its follow-up cases on the desk, and the return visit."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckupsConfig(AppConfig):
    name = "dajia.checkups"
    verbose_name = _("Legal health checks")
