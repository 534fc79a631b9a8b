"""The admin of accounts, and the admin's login form, which explains a refusal of the login gate."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dajia.accounts.backends import refusal_message
from dajia.accounts.models import ApiToken, Person, RegistrationCode, RoleAssignment, User
from dajia.core.admin import ReadOnlyAdmin
from dajia.core.forms import BoundedInputs


class GatedAdminLoginForm(BoundedInputs, AdminAuthenticationForm):
    """``/admin/login/`` checks passwords through the same backend as the site; when the gate refused the
    attempt, say so instead of "wrong password" (which would invite more guesses)."""

    def get_invalid_login_error(self):
        refusal = getattr(self.request, "dajia_login_refusal", None)
        if refusal is not None:
            return ValidationError(refusal_message(refusal), code="rate_limited")
        return super().get_invalid_login_error()


def _gated_login(view):
    @wraps(view)
    def login(request, extra_context=None):
        response = view(request, extra_context)
        refusal = getattr(request, "dajia_login_refusal", None)
        if refusal is not None and response.status_code == 200:  # the form with the refusal on it
            response.status_code = 429
            response["Retry-After"] = str(refusal.retry_after)
        return response

    return login


admin.site.login_form = GatedAdminLoginForm
# The admin's URLs are built from ``site.login`` after this module is imported (autodiscover runs first), so
# the admin answers a refusal as the site's form does: 429 with Retry-After.
admin.site.login = _gated_login(admin.site.login)


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["federation", "union", "provider"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "last_name", "first_name", "mobile", "is_active"]
    search_fields = ["username", "last_name", "first_name", "mobile"]
    inlines = [RoleInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Dajia"), {"fields": ("mobile", "must_change_password")}),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "federation", "union", "provider"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__last_name"]
    list_select_related = ["user", "federation", "union", "provider"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "federation", "affiliation"]
    list_filter = ["kind", "federation"]
    search_fields = ["name", "affiliation"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created_at", "last_used_at"]
    readonly_fields = ["key_hash"]
    search_fields = ["user__username", "name"]


@admin.register(RegistrationCode)
class RegistrationCodeAdmin(ReadOnlyAdmin):
    """Codes texted to would-be providers: hashed, masked, deleted after the retention period; only read here."""

    list_display = ["mobile_masked", "created_at", "expires_at", "attempts", "used_at"]
    date_hierarchy = "created_at"
