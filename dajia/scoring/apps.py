from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    # The engine itself (engine.py, sheetfile.py, diagnostics.py) imports nothing from Django; this config only
    # lets Django find the package's tests and translations.
    name = "dajia.scoring"
    label = "scoring"
    verbose_name = _("Scoring engine")
