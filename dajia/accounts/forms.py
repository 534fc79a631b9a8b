from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from dajia.core.forms import Form
from dajia.orgs.models import Federation


class LoginForm(Form):
    identifier = forms.CharField(label=_("Username or mobile number"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class RegistrationCodeForm(Form):
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )


class ProviderRegistrationForm(Form):
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=120)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, on your registration certificate."),
    )
    federation = forms.ModelChoiceField(label=_("Union federation"), queryset=Federation.objects.all())
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea, required=False)
    has_union = forms.BooleanField(label=_("Our organisation has its own union"), required=False)
    full_name = forms.CharField(label=_("Contact person"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20)
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        help_text=_("The 6-digit code we sent to this number."),
    )
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password


class ChangePasswordForm(Form):
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    confirm = forms.CharField(label=_("Repeat the new password"), widget=forms.PasswordInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("confirm"):
            raise forms.ValidationError(_("The two passwords differ."))
        if data.get("new_password"):
            password_validation.validate_password(data["new_password"], self.user)
        return data


def apply_service_errors(form: forms.Form, error) -> None:
    """Put a service's ValidationError onto the form, field by field where the field exists."""
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)
