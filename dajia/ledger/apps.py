"""The outcome ledger (成效台账): the desk's figures, each one query over the records, per park, team, volunteer
and month, with the volunteers' service certificates."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "dajia.ledger"
    verbose_name = _("Outcome ledger")
