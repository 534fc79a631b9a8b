"""The bank teams' finance files (金融“红管家”, 名单制): the park's list of enterprises and their financing needs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "dajia.finance"
    verbose_name = _("Park finance")
