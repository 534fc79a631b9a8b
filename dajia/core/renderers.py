"""How every form's widgets are rendered: Django's own widget templates, with the few in
dajia/core/form_templates taking precedence. One place, so no select anywhere shows Django's empty choice
"---------" (it reads "请选择…"), whatever form or field class builds it."""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

OVERRIDES = Path(__file__).resolve().parent / "form_templates"
DJANGO_FORMS = Path(django.forms.__file__).resolve().parent / "templates"


class FormRenderer(DjangoTemplates):
    @cached_property
    def engine(self):
        # Django's renderer searches its own templates before the apps', so an app cannot override a widget
        # template; this one puts ours first.
        return self.backend(
            {"APP_DIRS": True, "DIRS": [OVERRIDES, DJANGO_FORMS], "NAME": "dajiaforms", "OPTIONS": {}}
        )
