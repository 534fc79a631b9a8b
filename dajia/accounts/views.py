from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts import services, services_register
from dajia.accounts.backends import refusal_message
from dajia.accounts.forms import (
    ChangePasswordForm,
    LoginForm,
    ProviderRegistrationForm,
    RegistrationCodeForm,
    apply_service_errors,
)
from dajia.accounts.models import User
from dajia.accounts.permissions import is_office, office_federation_ids
from dajia.core import ratelimit
from dajia.core.inputs import clean_mobile
from dajia.orgs import services as org_services


def login_view(request):
    """The site's login form. The gate itself is in the authentication backend, which every login path uses."""
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["identifier"], password=form.cleaned_data["password"]
        )
        refusal = getattr(request, "dajia_login_refusal", None)
        if refusal is not None:
            form.add_error(None, refusal_message(refusal))
            response = render(request, "accounts/login.html", {"form": form}, status=429)
            response["Retry-After"] = str(refusal.retry_after)
            return response
        if user is None:
            form.add_error(None, _("Wrong username/mobile number or password."))
            status = 400
        else:
            login(request, user)
            if user.must_change_password:
                return redirect("accounts:change_password")
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return redirect(target)
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/login.html", {"form": form}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("core:home")


REGISTER_PROVEN = "dajia_register_proven"  # session: the number this browser proved (its keyed hash)


def _register_page(request, *, step: str, form, status: int, retry_after: int | None = None):
    response = render(request, "accounts/register_provider.html", {"form": form, "step": step}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def register_provider(request):
    """Step 1 texts a code to the number (told apart from a taken number only on that phone); step 2 is the
    organisation and the account, with the code."""
    if request.method != "POST":
        return _register_page(request, step="code", form=RegistrationCodeForm(), status=200)
    if request.POST.get("step") == "details":
        return _register_details(request)
    return _register_code(request)


def _register_code(request):
    form = RegistrationCodeForm(request.POST)
    if not form.is_valid():
        return _register_page(request, step="code", form=form, status=400)
    try:
        number = clean_mobile(form.cleaned_data["mobile"])
        services_register.registration_code_limits(mobile=number, ip=ratelimit.client_address(request))
        masked = services_register.registration_code_send(mobile=number, ip=ratelimit.client_ip(request))
    except ratelimit.RateLimited as limited:
        form.add_error(None, limited.messages)
        return _register_page(request, step="code", form=form, status=429, retry_after=limited.retry_after)
    except ValidationError as e:
        apply_service_errors(form, e)
        return _register_page(request, step="code", form=form, status=400)
    messages.info(
        request,
        _("A text message was sent to %(mobile)s. Enter the code from it below.") % {"mobile": masked},
    )
    form = ProviderRegistrationForm(initial={"mobile": number})
    return _register_page(request, step="details", form=form, status=200)


def _register_details(request):
    form = ProviderRegistrationForm(request.POST)
    if not form.is_valid():
        return _register_page(request, step="details", form=form, status=400)
    data = dict(form.cleaned_data)
    code = data.pop("code")
    try:
        proof = services_register.mobile_token(clean_mobile(data["mobile"]))
        if request.session.get(REGISTER_PROVEN) != proof:
            outcome = services_register.registration_code_verify(mobile=data["mobile"], code=code)
            if not outcome.ok:
                raise ValidationError({"code": outcome.error})  # the attempt is already counted
            # Proven once: a mistake in another field does not use up a second code.
            request.session[REGISTER_PROVEN] = proof
        provider = org_services.provider_register(**data)
    except ValidationError as e:
        apply_service_errors(form, e)
        return _register_page(request, step="details", form=form, status=400)
    request.session.pop(REGISTER_PROVEN, None)
    login(request, provider.members.get().user, backend="dajia.accounts.backends.UsernameOrMobileBackend")
    messages.success(
        request,
        _(
            "Registered. The union office will review your organisation; you can prepare projects in the meantime."
        ),
    )
    return redirect("menu:workspace")


@login_required
def change_password(request):
    form = ChangePasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(user=request.user, new_password=form.cleaned_data["new_password"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("core:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/change_password.html", {"form": form}, status=status)


def _people_in_scope(user):
    fed_ids = office_federation_ids(user)
    return (
        User.objects.filter(
            Q(roles__federation_id__in=fed_ids)
            | Q(roles__union__federation_id__in=fed_ids)
            | Q(roles__provider__federation_id__in=fed_ids)
        )
        .distinct()
        .prefetch_related("roles__union", "roles__provider", "roles__federation")
        .order_by("username")
    )


@login_required
def people(request):
    if not is_office(request.user):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()
    users = _people_in_scope(request.user)
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(last_name__icontains=q)
            | Q(first_name__icontains=q)
            | Q(mobile__contains=q)
        )
    users = list(users[:200])
    accounts = {u.pk: ratelimit.login_account(user_id=u.pk, identifier="") for u in users}
    failures = ratelimit.login_failure_counts(list(accounts.values()))
    for u in users:
        u.failed_logins = failures.get(accounts[u.pk], 0)
    return render(request, "accounts/people.html", {"users": users, "q": q})


def _person_for_office(request, user_id: int) -> User:
    """The account an office action names (whether this office may act on it is the service's check)."""
    if not is_office(request.user):
        raise PermissionDenied
    return get_object_or_404(User, pk=user_id)


@login_required
@require_POST
def clear_login_failures(request, user_id: int):
    target = _person_for_office(request, user_id)
    services.user_login_failures_clear(actor=request.user, user=target)
    messages.success(request, _("The failed logins of %(name)s are cleared.") % {"name": target.display_name})
    return redirect("accounts:people")


@login_required
@require_POST
def reset_password(request, user_id: int):
    target = _person_for_office(request, user_id)
    temporary = services.user_reset_password(actor=request.user, user=target)
    messages.success(
        request,
        _(
            "Temporary password for %(name)s: %(pw)s — it is shown only once; the person must "
            "change it at the next login."
        )
        % {"name": target.display_name, "pw": temporary},
    )
    return redirect("accounts:people")
