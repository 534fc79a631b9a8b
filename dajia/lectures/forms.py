"""The lectures' forms: the office's topic, a request, the schedule, a cancellation, an attendee's sign-in."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.core.forms import Form
from dajia.desk.models import Specialty
from dajia.orders.forms import SignInForm, _datetime_field

__all__ = ["CancelForm", "RequestForm", "ScheduleForm", "SignInForm", "TopicForm"]


class TopicForm(Form):
    specialty = forms.ChoiceField(label=_("Specialty"), choices=Specialty.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    summary = forms.CharField(
        label=_("Summary"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.CharField(label=_("Length (minutes)"), max_length=4, initial="90")
    active = forms.BooleanField(label=_("On the menu"), required=False, initial=True)


class RequestForm(Form):
    """A request: the topic from the menu, and for a park office that serves several parks, the park."""

    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int)
    park = forms.TypedChoiceField(label=_("Park"), coerce=int, required=False)
    enterprise = forms.TypedChoiceField(label=_("Enterprise"), coerce=int, required=False)
    preferred_dates = forms.CharField(
        label=_("Preferred dates"), max_length=200, help_text=_("For example: any Tuesday afternoon in March")
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    expected_audience = forms.CharField(label=_("Expected audience"), max_length=5)

    def __init__(self, *args, topics=(), parks=(), enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [
            (t.pk, f"{t.get_specialty_display()} · {t.title}（{t.minutes}′）") for t in topics
        ]
        self.fields["park"].choices = [(p.pk, p.name) for p in parks]
        self.fields["enterprise"].choices = [(e.pk, e.name) for e in enterprises]
        # A choice the requester does not have is hidden, not removed: posted anyway, it is refused like any
        # value outside the choices.
        for name, choices in (("park", parks), ("enterprise", enterprises)):
            if not choices:
                self.fields[name].widget = forms.HiddenInput()


class ScheduleForm(Form):
    starts_at = _datetime_field(_("Date and time"))
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.CharField(label=_("Places"), max_length=5)
    speaker = forms.TypedChoiceField(label=_("Speaker"), coerce=int)

    def __init__(self, *args, speakers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].choices = [(v.pk, str(v)) for v in speakers]


class CancelForm(Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)
