"""The health checks' forms: the office's checklist item, opening a check, the self-check and the review (one
pair of fields per item), moving and recording the return visit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.checkups.models import Area, Risk, SelfAnswer
from dajia.core.forms import Form


class ItemForm(Form):
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)
    question = forms.CharField(label=_("Question"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ItemEditForm(ItemForm):
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999)
    is_active = forms.BooleanField(label=_("In use"), required=False)


class OpenForm(Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"),
        queryset=None,
        required=False,
        help_text=_("Empty: the first expert volunteer of the park to review it."),
    )

    def __init__(self, *args, enterprises, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        self.fields["reviewer"].queryset = reviewers


class _PerItemForm(Form):
    """One pair of fields per item of the check, named by the answer's id."""

    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = answers
        for a in answers:
            self.add_item_fields(a)

    def rows(self):
        return [(a, [self[name % a.pk] for name in self.names]) for a in self.answers]


class SelfCheckForm(_PerItemForm):
    names = ("answer_%s", "note_%s")

    def add_item_fields(self, a):
        self.fields[f"answer_{a.pk}"] = forms.ChoiceField(
            label=_("Our answer"),
            choices=SelfAnswer.choices,
            widget=forms.RadioSelect,
            initial=a.answer or None,
        )
        self.fields[f"note_{a.pk}"] = forms.CharField(
            label=_("Note (optional)"), max_length=300, required=False, initial=a.answer_note
        )


class ReviewForm(_PerItemForm):
    names = ("risk_%s", "recommendation_%s")

    def add_item_fields(self, a):
        self.fields[f"risk_{a.pk}"] = forms.ChoiceField(
            label=_("Result"),
            choices=[("", _("not reviewed yet")), *Risk.choices],
            required=False,
            initial=a.risk,
        )
        self.fields[f"recommendation_{a.pk}"] = forms.CharField(
            label=_("Recommendation"),
            max_length=500,
            required=False,
            initial=a.recommendation,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Required for a risk."),
        )


class VisitMoveForm(Form):
    due = forms.DateField(
        label=_("Return visit due"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class VisitRecordForm(Form):
    visited_on = forms.DateField(
        label=_("Visited on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("What the visit found"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
