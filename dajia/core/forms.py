"""Forms of the office's working-day calendar page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.core.models import CalendarDay

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    kind = forms.ChoiceField(label=_("This day is"), choices=CalendarDay.Kind.choices)
    note = forms.CharField(label=_("Note (e.g. Spring Festival)"), max_length=100, required=False)


class OfficeHoursForm(forms.Form):
    morning_opens = forms.TimeField(label=_("Morning opens"), widget=TIME_INPUT)
    morning_closes = forms.TimeField(label=_("Morning closes"), widget=TIME_INPUT)
    afternoon_opens = forms.TimeField(label=_("Afternoon opens"), widget=TIME_INPUT)
    afternoon_closes = forms.TimeField(label=_("Afternoon closes"), widget=TIME_INPUT)
