from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dajia.accounts import services
from dajia.accounts.forms import ChangePasswordForm, LoginForm, ProviderRegistrationForm, apply_service_errors
from dajia.accounts.models import User
from dajia.accounts.permissions import is_office, office_federation_ids
from dajia.core import ratelimit


def login_view(request):
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        # Per address and per identifier, before the password is even checked (dajia.core.ratelimit).
        verdict = ratelimit.login_check(request, identifier)
        if verdict.refused:
            minutes = max(1, (verdict.retry_after + 59) // 60)
            form.add_error(
                None,
                f"登录尝试过于频繁，请 {minutes} 分钟后再试。"
                f" / Too many login attempts; please try again in {minutes} minutes.",
            )
            response = render(request, "accounts/login.html", {"form": form}, status=429)
            response["Retry-After"] = str(verdict.retry_after)
            return response
        try:
            user = services.login_attempt(
                request=request,
                identifier=identifier,
                password=form.cleaned_data["password"],
            )
        except services.LoginLocked as locked:
            ratelimit.login_failed(request, identifier)
            minutes = max(1, int((locked.until - timezone.now()).total_seconds() // 60) + 1)
            form.add_error(
                None,
                _(
                    "Too many failed attempts; the account is locked for %(m)s more minutes. "
                    "The union office can reset your password."
                )
                % {"m": minutes},
            )
            status = 429
        else:
            if user is None:
                ratelimit.login_failed(request, identifier)
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


def register_provider(request):
    form = ProviderRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_register(**form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            user = provider.members.get().user
            login(request, user, backend="dajia.accounts.backends.UsernameOrMobileBackend")
            messages.success(
                request,
                _(
                    "Registered. The union office will review your organisation; you can "
                    "prepare projects in the meantime."
                ),
            )
            return redirect("menu:workspace")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/register_provider.html", {"form": form}, status=status)


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
    return render(request, "accounts/people.html", {"users": users[:200], "q": q})


@login_required
@require_POST
def reset_password(request, user_id: int):
    if not is_office(request.user):
        raise PermissionDenied
    target = get_object_or_404(User, pk=user_id)
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
