from django.urls import path

from cartable.sso.views import applications, cas, saml

app_name = "sso"
urlpatterns = [
    path("applications/", applications.index, name="index"),
    path("applications/<int:pk>/ouvrir/", applications.launch, name="launch"),
    path("applications/gerer/", applications.manage, name="manage"),
    path("applications/gerer/nouvelle/", applications.edit, name="create"),
    path("applications/gerer/<int:pk>/", applications.edit, name="edit"),
    path("applications/gerer/utilisation/", applications.usage, name="usage"),
    path("cas/login", cas.login, name="cas_login"),
    path("cas/logout", cas.logout, name="cas_logout"),
    path("cas/validate", cas.validate, name="cas_validate"),
    path("cas/serviceValidate", cas.service_validate, name="cas_service_validate"),
    path("cas/proxyValidate", cas.proxy_validate, name="cas_proxy_validate"),
    path("cas/proxy", cas.proxy, name="cas_proxy"),
    path("cas/p3/serviceValidate", cas.p3_service_validate, name="cas_p3_service_validate"),
    path("cas/p3/proxyValidate", cas.p3_proxy_validate, name="cas_p3_proxy_validate"),
    path("educonnect/metadata/", saml.metadata, name="saml_metadata"),
    path("educonnect/connexion/", saml.login, name="saml_login"),
    path("educonnect/acs/", saml.acs, name="saml_acs"),
    path("educonnect/deconnexion/", saml.logout, name="saml_logout"),
    path("educonnect/sls/", saml.sls, name="saml_sls"),
]
