"""Field shapes for the office's set-up pages; the rules live in ``services_setup.py`` and ``services_roster.py``."""

from __future__ import annotations

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.consultations.models import Session
from dajia.core.forms import Form
from dajia.core.money import yuan


def weights_to_text(weights: dict) -> str:
    return "\n".join(f"{name}={weight}" for name, weight in (weights or {}).items())


def parse_weight_lines(text: str) -> dict[str, str]:
    """``政协委员=0.4`` one per line (full-width ＝ and colons accepted); the weights are checked by the service."""
    out: dict[str, str] = {}
    for n, raw in enumerate(unicodedata.normalize("NFKC", text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        for sep in ("=", ":"):
            if sep in line:
                name, weight = (part.strip() for part in line.split(sep, 1))
                break
        else:
            raise forms.ValidationError(
                _("Line %(n)s: write each group as group = weight, e.g. 政协委员=0.4.") % {"n": n}
            )
        if name in out:
            raise forms.ValidationError(_("The group %(g)s is given twice.") % {"g": name})
        out[name] = weight
    return out


class SessionForm(Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    venue = forms.CharField(label=_("Venue"), max_length=120, required=False)
    stream_url = forms.CharField(
        label=_("Live stream address"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. https://…"),
    )
    budget = forms.CharField(label=_("Budget (yuan)"), max_length=20, help_text=_("The total to be awarded."))
    minimum_score = forms.CharField(
        label=_("Minimum score"),
        max_length=8,
        initial="60",
        help_text=_("A project is selected only if its score reaches this minimum."),
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=Session.Method.choices, initial=Session.Method.TRIMMED
    )
    trim_min = forms.IntegerField(
        label=_("Trim from this many sheets"),
        initial=5,
        min_value=3,
        help_text=_(
            "With at least this many sheets, the highest and lowest totals are dropped (at least 3)."
        ),
    )
    group_weights = forms.CharField(
        label=_("Group weights"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "政协委员=0.4\n基层工会主席=0.6"}),
        help_text=_("One group per line, e.g. 政协委员=0.4. Leave empty to score everyone as one pool."),
    )

    def clean_group_weights(self):
        return parse_weight_lines(self.cleaned_data.get("group_weights", ""))

    @classmethod
    def initial_from(cls, session: Session) -> dict:
        from django.utils import timezone

        return {
            "title": session.title,
            "starts_at": timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "venue": session.venue,
            "stream_url": session.stream_url,
            "budget": session.budget,
            "minimum_score": session.minimum_score,
            "method": session.method,
            "trim_min": session.trim_min,
            "group_weights": weights_to_text(session.group_weights),
        }


class CriterionForm(Form):
    name = forms.CharField(label=_("Criterion"), max_length=40, required=False)
    max_points = forms.CharField(label=_("Maximum points"), max_length=6, required=False)
    descriptors = forms.CharField(
        label=_("Level descriptors (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


CriterionFormSet = forms.formset_factory(CriterionForm, extra=0, max_num=20, absolute_max=20)


class EntryAddForm(Form):
    project = forms.ModelChoiceField(label=_("Service project"), queryset=None)
    amount = forms.CharField(
        label=_("Proposed amount (yuan)"),
        max_length=20,
        required=False,
        help_text=_("Leave empty for price × sessions per year."),
    )

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["project"].label_from_instance = lambda p: (
            f"{p.title} · {p.provider.name} · {yuan(p.price)}×{p.sessions_per_year}"
        )


class EvaluatorForm(Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    group = forms.CharField(label=_("Group"), max_length=40, required=False)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)


class PeopleForm(Form):
    people = forms.ModelMultipleChoiceField(
        label=_("People of the federation"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    group_cppcc = forms.CharField(
        label=_("Group for CPPCC members"), max_length=40, initial="政协委员", required=False
    )
    group_chair = forms.CharField(
        label=_("Group for grassroots union chairs"), max_length=40, initial="基层工会主席", required=False
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        self.fields["people"].label_from_instance = lambda p: (
            f"{p.name}（{p.get_kind_display()}，{p.affiliation}）"
        )
