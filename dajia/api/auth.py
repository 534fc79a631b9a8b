from __future__ import annotations

import hashlib

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from dajia.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``; the key's SHA-256 is looked up."""

    def authenticate(self, request, token: str):
        digest = hashlib.sha256(token.encode()).hexdigest()
        found = ApiToken.objects.select_related("user").filter(key_hash=digest, user__is_active=True).first()
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


session_or_token = [SessionAuth(), TokenAuth()]
