"""The expert desk (专家服务台) app: park stations, volunteers on duty, routing, conflict checks, targets."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "dajia.desk"
    verbose_name = _("Expert desk")
