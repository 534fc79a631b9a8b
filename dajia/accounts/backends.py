from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from dajia.accounts.models import User
from dajia.core.validators import normalise_mobile


class UsernameOrMobileBackend(ModelBackend):
    """Log in with a username or a mobile number. Lockout is enforced by the login service, not here,
    so that the admin and every login form share one rule."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        ident = username.strip()
        user = User.objects.filter(Q(username=ident) | Q(mobile=normalise_mobile(ident))).first()
        if user is None:
            User().set_password(
                password
            )  # same work as a real check: no timing hint that the name is unknown
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
