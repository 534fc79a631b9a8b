from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.consultations.models import SessionProject
from dajia.core.forms import Form
from dajia.participation.models import Comment


def entries(session):
    return SessionProject.objects.filter(session=session).select_related("project").order_by("position")


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.position}. {obj.project.title}"


class LiveSettingsForm(Form):
    require_roll = forms.BooleanField(
        label=_("Only numbers on the member roll may verify"),
        required=False,
        help_text=_("Numbers not on the roll of this federation's unions are refused."),
    )
    comments_open = forms.BooleanField(label=_("Viewers may comment"), required=False)


class CommentForm(Form):
    kind = forms.ChoiceField(
        label=_("Comment or suggestion"), choices=Comment.Kind.choices, initial=Comment.Kind.COMMENT
    )
    entry = EntryChoiceField(
        label=_("About the project (optional)"), queryset=SessionProject.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Your comment or suggestion"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
        help_text=_("It is shown after the union office has read it. Up to 300 characters."),
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries(session)
        self.fields["entry"].empty_label = _("— the whole session —")


class FloorSuggestionForm(Form):
    speaker = forms.CharField(
        label=_("Who spoke (a role or a union, not a full name)"),
        max_length=60,
        required=False,
        help_text=_("e.g. 基层工会主席, or the union's name."),
    )
    entry = EntryChoiceField(
        label=_("About the project (optional)"), queryset=SessionProject.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Suggestion"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000})
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries(session)
        self.fields["entry"].empty_label = _("— the whole session —")


class ModerateForm(Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason (needed to reject)"), max_length=300, required=False)


class AnswerForm(Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000})
    )


class WordForm(Form):
    word = forms.CharField(label=_("Word"), max_length=40)


class RollImportForm(Form):
    file = forms.FileField(
        label=_("Member roll (.xlsx)"),
        help_text=_("First row: 姓名, 手机号, 工会 (name, mobile, union); one member per row."),
    )
    replace = forms.BooleanField(label=_("Replace the current roll"), required=False)
