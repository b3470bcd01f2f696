"""The OpenID Connect provider's URLs, under django-oauth-toolkit's namespace (its views reverse it)."""

from django.urls import path

from cartable.sso.views import oidc

app_name = "oauth2_provider"
urlpatterns = [
    path("oidc/authorize/", oidc.authorize, name="authorize"),
    path("oidc/token/", oidc.token, name="token"),
    path("oidc/userinfo/", oidc.userinfo, name="user-info"),
    path("oidc/jwks/", oidc.jwks, name="jwks-info"),
    path(".well-known/openid-configuration", oidc.discovery, name="oidc-connect-discovery-info"),
]
