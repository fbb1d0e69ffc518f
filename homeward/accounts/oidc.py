"""Single sign-on with the council's identity provider (OpenID Connect, mozilla-django-oidc).

Only when HOMEWARD_OIDC_* settings are present (config/settings/base.py). A person signs in
with their council account only if Homeward already knows them: matched by email address,
active, and with a role. Nobody is ever created from the provider's claims
(docs/adr/0007-sign-in-security.md).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import User

logger = logging.getLogger(__name__)

BACKEND_PATH = "homeward.accounts.oidc.CouncilOIDCBackend"
# Set in the session of a person signed in through the provider (which asked for their second
# factor, when HOMEWARD_OIDC_PROVIDER_2FA says so).
SIGNED_IN_WITH_PROVIDER_KEY = "homeward_signed_in_with_provider"
# The address the provider vouched for, kept on the request when it matched nobody (audit).
REQUEST_ATTEMPTED_EMAIL = "homeward_oidc_email"
# Why the provider's answer was refused (a bad signature, another audience, a wrong nonce), kept
# on the request so that the failure is audited with it and the page says what happened.
REQUEST_REFUSED_ANSWER = "homeward_oidc_refused"


class CouncilOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        """A provider's answer that fails its checks signs nobody in, and says why (audited),
        instead of ending the sign-in on a bare 400 page."""
        try:
            return super().authenticate(request, **kwargs)  # type: ignore[no-any-return]
        except SuspiciousOperation as exc:
            logger.warning("council sign-in refused: %s", exc)
            if request is not None:
                setattr(request, REQUEST_REFUSED_ANSWER, str(exc))
            return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks the signature and nonce but not the audience: an ID token the
        provider issued to another service must not sign anyone in to Homeward."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was not issued to Homeward (its audience is another client).")
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        email = str(claims.get("email") or "").strip()
        if claims.get("email_verified") is False:
            return False
        return bool(email)

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        email = str(claims.get("email") or "").strip()
        if not email:
            return User.objects.none()
        users = User.objects.filter(email__iexact=email, is_active=True).exclude(role="")
        if not users.exists() and getattr(self, "request", None) is not None:
            setattr(self.request, REQUEST_ATTEMPTED_EMAIL, email)
        return users

    def create_user(self, claims: dict[str, Any]) -> None:
        """Never: a person must be set up in Homeward, with a role, before they can sign in."""
        return None

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user
