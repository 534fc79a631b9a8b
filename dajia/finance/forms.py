"""What the bank team types: an enterprise to put on the park's list, a financing need (with its outcome if it
is already known) and the bank's decision on a pending need. Amounts are text here: the services read them with
the one money parser (``clean_money``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.core.forms import Form
from dajia.finance.models import FinancingNeed


def _money(label, required=False):
    return forms.CharField(
        label=label, max_length=20, required=required, widget=forms.TextInput({"inputmode": "decimal"})
    )


def _date(label, required=False):
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


class FileForm(Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises


class OutcomeFields(Form):
    credit_line = _money(_("Credit line granted (yuan)"))
    loan_amount = _money(_("Loan granted (yuan)"))
    product = forms.CharField(label=_("Loan product"), max_length=60, required=False)
    decided_on = _date(_("Decided on"))
    outstanding = _money(_("Loans outstanding (yuan), where the bank reports them"))
    outstanding_on = _date(_("Outstanding as of"))


class NeedForm(OutcomeFields):
    purpose = forms.CharField(label=_("Purpose"), max_length=120)
    amount_requested = _money(_("Amount requested (yuan)"), required=True)
    raised_on = _date(_("Raised on"), required=True)
    status = forms.ChoiceField(label=_("Outcome"), choices=FinancingNeed.Status.choices)
    field_order = ["purpose", "amount_requested", "raised_on", "status"]


class DecideForm(OutcomeFields):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in FinancingNeed.Status.choices if c[0] != FinancingNeed.Status.PENDING],
    )
    field_order = ["status"]
