"""Forms of the 公示: the public objection form and the office's response."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dajia.consultations.models import SessionProject
from dajia.core.forms import Form
from dajia.participation.forms import EntryChoiceField, entries


class ObjectionForm(Form):
    name = forms.CharField(label=_("Your real name"), max_length=30)
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    entry = EntryChoiceField(label=_("Project objected to"), queryset=SessionProject.objects.none())
    reasons = forms.CharField(
        label=_("Facts, reasons and evidence"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the union office keeps my name and number to answer this objection; the public "
            "notice shows my name masked and never my number."
        )
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries(session)
        self.fields["entry"].empty_label = _("— choose the project —")


class RespondForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("rejected", pgettext_lazy("objection", "Rejected")),
            ("upheld", pgettext_lazy("objection", "Upheld")),
        ],
    )
    response = forms.CharField(
        label=_("Response and reasoning"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
