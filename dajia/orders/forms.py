from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from dajia.core.forms import Form
from dajia.core.renderers import StarRating
from dajia.orders.models import Order


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%dT%H:%M", **kw)


def _datetime_field(label, **kw):
    return forms.DateTimeField(
        label=label,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": _("Enter a date and time such as 2020-06-18 14:00.")},
        **kw,
    )


class OrderForm(Form):
    project = forms.TypedChoiceField(label=_("Service project"), coerce=int)
    union = forms.TypedChoiceField(label=_("Grassroots union"), coerce=int)
    starts_at = _datetime_field(_("Date and time"))
    place = forms.CharField(label=_("Place"), max_length=200)
    expected_audience = forms.CharField(label=_("Expected audience"), max_length=6)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, projects=(), unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [(p.pk, f"{p.title}（{p.provider.name}）") for p in projects]
        self.fields["union"].choices = [(u.pk, u.name) for u in unions]
        if len(self.fields["union"].choices) == 1:
            self.fields["union"].widget = forms.HiddenInput()


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class DeclineForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    proposed_starts_at = _datetime_field(
        _("Propose another time (optional)"), required=False, help_text=_("Leave empty to decline outright.")
    )


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files; whether each is a photo, and how many may come, is dajia.core.uploads' rule, applied by the
    service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DeliveryForm(Form):
    started_at = _datetime_field(_("Started at"))
    ended_at = _datetime_field(_("Ended at"))
    content = forms.CharField(label=_("What was delivered"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultipleImageField(label=_("Photos"), required=False)

    @classmethod
    def initial_for(cls, order: Order) -> dict:
        return {"started_at": order.starts_at, "ended_at": order.ends_at}


class RatingForm(Form):
    stars = forms.ChoiceField(
        label=_("Rating"),
        choices=[
            (str(n), ngettext_lazy("%(n)s star of 5", "%(n)s stars of 5", "n") % {"n": n})
            for n in range(1, 6)
        ],
        widget=StarRating,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    complaint = forms.BooleanField(label=_("This is a complaint"), required=False)


class ReplyForm(Form):
    reply = forms.CharField(label=_("Reply"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SignInForm(Form):
    name = forms.CharField(label=_("Your name"), max_length=30)
    union_name = forms.CharField(label=_("Your union or workplace"), max_length=120)


class BudgetForm(Form):
    union = forms.TypedChoiceField(label=_("Grassroots union"), coerce=int)
    year = forms.CharField(label=_("Year"), max_length=4)
    amount = forms.CharField(label=_("Budget (yuan)"), max_length=20)

    def __init__(self, *args, unions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].choices = [(u.pk, u.name) for u in unions]
