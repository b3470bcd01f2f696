"""The OpenID Connect provider's claims: django-oauth-toolkit's validator, told which claim needs which scope.

``openid`` gives ``sub`` (the account's id, stable); ``profile`` the names and the login; ``email`` the
address; ``ent`` the school values of the CAS « Scolarité » profile (SDET names), from ``sso.queries``.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from cartable.sso import queries
from cartable.sso.queries import ENT_CLAIMS


class Validator(OAuth2Validator):
    oidc_claim_scope = {
        "sub": "openid",
        "name": "profile",
        "family_name": "profile",
        "given_name": "profile",
        "preferred_username": "profile",
        "email": "email",
        "email_verified": "email",
        **dict.fromkeys(ENT_CLAIMS.values(), "ent"),
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        return queries.oidc_claims(request.user, ent="ent" in (request.scopes or []))
