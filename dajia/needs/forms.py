"""Field shapes only; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.accounts.permissions import in_scope
from dajia.core.forms import Form
from dajia.menu.models import Category
from dajia.needs.models import Need, NeedUpdate, Question
from dajia.orgs.models import Federation, Park, Union


class UnionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class NeedForm(Form):
    text = forms.CharField(
        label=_("Your need"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 5, "aria-describedby": "id_text_help check"}),
        help_text=_("Say in your own words what you need, e.g. 孩子暑假没人照看，希望办小候鸟班."),
    )
    union = UnionChoiceField(
        label=_("Your grassroots union"),
        queryset=Union.objects.select_related("federation").order_by("federation__name", "name"),
        required=False,
        empty_label=_("— choose your union —"),
    )
    park = forms.ModelChoiceField(
        label=_("Or your small and micro enterprise park"),
        queryset=Park.objects.order_by("name"),
        required=False,
        empty_label=_("— no park —"),
    )
    voice = forms.ChoiceField(label=_("I speak for"), choices=Need.Voice.choices, initial=Need.Voice.WORKER)
    category = forms.ModelChoiceField(
        label=_("Category (optional: Dajia suggests one)"),
        queryset=Category.objects.active(),
        required=False,
        empty_label=_("— let Dajia suggest —"),
    )
    anonymous = forms.BooleanField(label=_("Do not show my name publicly"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the unions and parks of the person's own federation (and those below it).
        for name in ("union", "park"):
            self.fields[name].queryset = in_scope(self.fields[name].queryset, user)


class CategoryForm(Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.active())


class StatusForm(Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[(v, label) for v, label in Need.Status.choices if v != Need.Status.RECEIVED],
    )
    message = forms.CharField(
        label=_("Message to the person who raised it"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )
    public = forms.BooleanField(label=NeedUpdate._meta.get_field("public").help_text, required=False)
    hidden = forms.BooleanField(label=_("Hide this need from the public list"), required=False)


class MergeForm(Form):
    target = forms.IntegerField(
        label=_("Merge into need No."),
        min_value=1,
        help_text=_("The need this one repeats; it keeps its number."),
    )


class ImportForm(Form):
    federation = forms.ModelChoiceField(label=_("Federation"), queryset=Federation.objects.none())
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_(
            "Columns: 需求内容 (required), 工会, 园区, 类别. One need per row; the first row may be a header."
        ),
    )

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = (
            federations if federations is not None else Federation.objects.none()
        )


class SurveyForm(Form):
    federation = forms.ModelChoiceField(label=_("Federation"), queryset=Federation.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    intro = forms.CharField(
        label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=1000
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, federations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["federation"].queryset = (
            federations if federations is not None else Federation.objects.none()
        )


class QuestionForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=300)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    options = forms.CharField(
        label=_("Options (choice questions), one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories to rank (ranking questions; none ticked = all)"),
        queryset=Category.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rank_limit = forms.IntegerField(label=_("Places to rank (ranking questions)"), initial=3, required=False)
