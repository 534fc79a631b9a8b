from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.core.forms import Form, ModelForm
from dajia.orgs.models import Provider, Union


class ProviderForm(ModelForm):
    class Meta:
        model = Provider
        fields = ["uscc", "contact_name", "contact_mobile", "address", "introduction", "has_union"]

    def _post_clean(self):
        # Validation lives in the service (so the API and the form agree); skip the model's own pass here.
        pass


class UnionForm(ModelForm):
    class Meta:
        model = Union
        fields = ["members"]
        labels = {"members": _("members")}


class ReviewForm(Form):
    decision = forms.ChoiceField(choices=[("approve", _("approve")), ("reject", _("reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
