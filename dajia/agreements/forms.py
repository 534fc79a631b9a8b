from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.agreements.models import Agreement
from dajia.core.forms import Form


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%d", **kw)


class AmendForm(Form):
    """Amounts and numbers are text fields so that the service gives its own clear message for bad input."""

    scope = forms.CharField(label=_("Scope of service"), widget=forms.Textarea(attrs={"rows": 4}))
    sessions = forms.CharField(label=_("Number of sessions"), max_length=10)
    capacity = forms.CharField(label=_("Attendees per session"), max_length=10)
    quality = forms.CharField(label=_("Quality standard"), widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput(), help_text=_("At most one year."))
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    payment_terms = forms.CharField(
        label=_("Price and payment schedule"), widget=forms.Textarea(attrs={"rows": 3})
    )
    liability = forms.CharField(label=_("Liability for breach"), widget=forms.Textarea(attrs={"rows": 3}))
    copies = forms.CharField(label=_("Copies"), max_length=3, help_text=_("At least 3."))
    reason = forms.CharField(label=_("Reason for the amendment"), max_length=300)

    @classmethod
    def initial_from(cls, agreement: Agreement) -> dict:
        return {
            "scope": agreement.scope,
            "sessions": agreement.sessions,
            "capacity": agreement.capacity,
            "quality": agreement.quality,
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on,
            "amount": agreement.amount,
            "payment_terms": agreement.payment_terms,
            "liability": agreement.liability,
            "copies": agreement.copies,
        }


class TemplateForm(Form):
    body = forms.CharField(label=_("Agreement text"), widget=forms.Textarea(attrs={"rows": 30}))


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
