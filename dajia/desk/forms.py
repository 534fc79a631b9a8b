"""The desk's forms: what a person types to raise a case, finish it, rate it or log a consultation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.core.forms import Form
from dajia.desk.models import Case, Channel, Specialty, Urgency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the services check them with the one upload rule)."""

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return super().clean(data, initial)


class CaseForm(Form):
    """Raising a case. The enterprise is fixed for its contact; the park office and a volunteer choose it among
    their parks' enterprises; a volunteer or the office may record a worker's legal-aid case instead."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices, initial=Case.Kind.ENTERPRISE)
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None, required=False)
    specialty = forms.ChoiceField(label=_("Which expert is needed"), choices=Specialty.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    description = forms.CharField(
        label=_("The problem"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    worker_name = forms.CharField(label=_("Worker's name"), max_length=50, required=False)
    worker_mobile = forms.CharField(label=_("Worker's mobile number"), max_length=20, required=False)
    worker_id_card = forms.CharField(
        label=_("Worker's ID card number"),
        max_length=20,
        required=False,
        help_text=_("Only where the union records it; used for the conflict check of this case only."),
    )
    counter_kind = forms.ChoiceField(
        label=_("Other party"),
        choices=[("", _("none")), ("company", _("a company")), ("worker", _("a worker"))],
        required=False,
    )
    counter_name = forms.CharField(label=_("Other party's name"), max_length=120, required=False)
    counter_uscc = forms.CharField(
        label=_("Other company's unified social credit code"), max_length=20, required=False
    )
    counter_mobile = forms.CharField(label=_("Other worker's mobile number"), max_length=20, required=False)
    contact_mobile = forms.CharField(
        label=_("Walk-in contact's mobile number"),
        max_length=20,
        required=False,
        help_text=_("For an enterprise without an account: it is told of progress by SMS."),
    )
    attachments = MultipleFileField(
        label=_("Photos of documents"), widget=MultipleFileInput(attrs={"accept": "image/*"}), required=False
    )

    def __init__(self, *args, enterprises, fixed_enterprise: bool, may_record_worker: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        if fixed_enterprise:
            for name in (
                "kind",
                "enterprise",
                "worker_name",
                "worker_mobile",
                "worker_id_card",
                "contact_mobile",
            ):
                del self.fields[name]
        elif not may_record_worker:
            for name in ("kind", "worker_name", "worker_mobile", "worker_id_card"):
                del self.fields[name]


class FinishForm(Form):
    closure = forms.ChoiceField(label=_("Closure code"), choices=Case.Closure.choices)
    note = forms.CharField(label=_("Referred to whom / note"), max_length=200, required=False)
    minutes = forms.IntegerField(
        label=_("Service time (minutes)"),
        min_value=0,
        max_value=6000,
        initial=0,
        required=False,
        help_text=_("Counted in the outcome ledger and on your service certificate."),
    )


class RateForm(Form):
    rating = forms.TypedChoiceField(
        label=_("How well was your problem handled?"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class ConsultationForm(Form):
    park = forms.ModelChoiceField(label=_("Park"), queryset=None)
    specialty = forms.ChoiceField(label=_("Specialty"), choices=Specialty.choices)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(Channel.STATION, _("at the desk")), (Channel.ONLINE, _("online"))]
    )
    summary = forms.CharField(label=_("What was asked"), max_length=300)
    minutes = forms.IntegerField(
        label=_("Service time (minutes)"), min_value=0, max_value=6000, initial=0, required=False
    )

    def __init__(self, *args, parks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["park"].queryset = parks
