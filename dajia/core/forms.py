"""The project's form bases (and the forms of the office's working-day calendar page): every form is a :class:`Form` or :class:`ModelForm` from here, so that a number,
an id or a date typed into any form field follows the rules of ``dajia.core.inputs`` (ASCII digits within the
database's 64 bits, dates within the supported years) and a bad one is a form error, never an OverflowError.

The fields are bounded when the form is cleaned (not when it is declared), so fields a form adds in its own
``__init__`` are bounded too.
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from dajia.core.inputs import DB_INT_MAX, check_date, parse_id, parse_whole
from dajia.core.models import CalendarDay


def _integer_pk(field: forms.ModelChoiceField) -> bool:
    if field.queryset is None:  # set later by the form; every model here has an integer key
        return True
    target = field.queryset.model._meta.get_field(field.to_field_name) if field.to_field_name else None
    target = target or field.queryset.model._meta.pk
    return isinstance(target, models.IntegerField | models.AutoField | models.ForeignKey)


def bound_field(name: str, field: forms.Field) -> None:
    """Make ``field`` refuse numbers beyond the database and dates beyond the supported range (idempotent)."""
    if getattr(field, "dajia_bounded", False):
        return
    label = str(field.label or name)
    original = field.to_python
    if isinstance(field, forms.IntegerField) and not isinstance(field, forms.FloatField):

        def to_python(value):
            if value in field.empty_values:
                return original(value)
            # no form here takes a negative number: without its own minimum a field starts at 0
            low = field.min_value if field.min_value is not None else 0
            high = field.max_value if field.max_value is not None else DB_INT_MAX
            return parse_whole(value, label=label, minimum=low, maximum=high)

    elif isinstance(field, forms.ModelMultipleChoiceField) and _integer_pk(field):
        # ModelMultipleChoiceField.clean reads the posted ids in _check_values, not in to_python
        check = field._check_values

        def check_values(value):
            for one in value:
                if one not in field.empty_values and not isinstance(one, models.Model):
                    parse_id(one, label=label)
            return check(value)

        field._check_values = check_values
        field.dajia_bounded = True
        return

    elif isinstance(field, forms.ModelChoiceField) and _integer_pk(field):

        def to_python(value):
            if value not in field.empty_values and not isinstance(value, models.Model):
                parse_id(value, label=label)
            return original(value)

    elif isinstance(field, forms.DateField | forms.DateTimeField):

        def to_python(value):
            result = original(value)
            return check_date(result, label=label) if result is not None else result

    else:
        field.dajia_bounded = True
        return
    field.to_python = to_python
    field.dajia_bounded = True


class BoundedInputs:
    """Form mixin: bounds every field (see the module docstring) before the form is cleaned."""

    def full_clean(self):
        for name, field in self.fields.items():
            bound_field(name, field)
        super().full_clean()


class Form(BoundedInputs, forms.Form):
    pass


class ModelForm(BoundedInputs, forms.ModelForm):
    pass


# ---- the office's working-day calendar ------------------------------------------------------------------

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CalendarDayForm(Form):
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    kind = forms.ChoiceField(label=_("This day is"), choices=CalendarDay.Kind.choices)
    note = forms.CharField(label=_("Note (e.g. Spring Festival)"), max_length=100, required=False)


class OfficeHoursForm(Form):
    morning_opens = forms.TimeField(label=_("Morning opens"), widget=TIME_INPUT)
    morning_closes = forms.TimeField(label=_("Morning closes"), widget=TIME_INPUT)
    afternoon_opens = forms.TimeField(label=_("Afternoon opens"), widget=TIME_INPUT)
    afternoon_closes = forms.TimeField(label=_("Afternoon closes"), widget=TIME_INPUT)
