"""Lectures on request (菜单式普法讲座): the topic menu, requests, scheduling, QR sign-in, delivery."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LecturesConfig(AppConfig):
    name = "dajia.lectures"
    verbose_name = _("Lectures on request")
