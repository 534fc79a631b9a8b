"""How every form's widgets are rendered: Django's own widget templates, with the few in
dajia/core/form_templates taking precedence. One place, so no select anywhere shows Django's empty choice
"---------" (it reads "请选择…"), whatever form or field class builds it. Also the site's own widgets
(StarRating: big, keyboard and screen-reader friendly stars)."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property

OVERRIDES = Path(__file__).resolve().parent / "form_templates"
DJANGO_FORMS = Path(forms.__file__).resolve().parent / "templates"


class FormRenderer(DjangoTemplates):
    @cached_property
    def engine(self):
        # Django's renderer searches its own templates before the apps', so an app cannot override a widget
        # template; this one puts ours first.
        return self.backend(
            {"APP_DIRS": True, "DIRS": [OVERRIDES, DJANGO_FORMS], "NAME": "dajiaforms", "OPTIONS": {}}
        )


class StarRating(forms.RadioSelect):
    """Radio buttons drawn as large stars (choices from 1 up; each label is what a screen reader says, e.g.
    "3 of 5 stars"). Still real radios: arrow keys move between them, the form posts as before."""

    template_name = "core/widgets/stars.html"
