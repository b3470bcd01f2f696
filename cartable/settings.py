"""Cartable settings: one module, configured from the environment.

Environment variables:
    CARTABLE_DEMO   "1" in demo mode (set by ``cartable demo``): demo hints, generated secret key.
    DEBUG           "1" to turn on Django's debug mode (never in production).
    SECRET_KEY      required outside demo and tests.
    DATABASE_URL    sqlite:///path or postgres://user@host:port/name (default: SQLite under var/).
    DATABASE_REPLICA_URL  optional: postgres://… of a streaming read replica of DATABASE_URL.
    CARTABLE_DB_POOLING   "transaction" behind PgBouncer in transaction mode; "session" (default) otherwise.
    CARTABLE_REPLICA_MAX_LAG_SECONDS  a replica further behind is not read (default 2).
    CARTABLE_REPLICA_CHECK_SECONDS    how often each process measures the replica's lag (default 1).
    CARTABLE_READ_YOUR_WRITES_SECONDS after a write, the person reads the primary this long (default 5).
    CARTABLE_REPLICA_CACHE_SECONDS    the longest a value read from the replica is cached (default 5).
    REDIS_URL       optional: redis://host:port/db for the cache (sessions stay in the database).
    ALLOWED_HOSTS   comma-separated host names (default: localhost names).
    CARTABLE_HTTPS  "1" behind HTTPS: secure cookies, HSTS, redirect to https.
    EMAIL_URL       "smtp://host:port" for e-mail (default: smtp://localhost:25; files under var/mail/ in demo).
    CARTABLE_VAR    folder for the SQLite file, mail, uploads (default: ./var).
    CARTABLE_PROXY_HOPS  number of trusted reverse proxies in front of the app (default 0).
    CARTABLE_OIDC_KEY_FILE  the OpenID Connect provider's RS256 key (PEM); none: the provider is off.
    CARTABLE_OIDC_INACTIVE_KEY_FILES  the keys it replaced, still in the JWKS (comma-separated; see docs/sso.md).
    CARTABLE_SAML_ENTITY_ID, CARTABLE_SAML_BASE_URL, CARTABLE_SAML_KEY_FILE, CARTABLE_SAML_CERT_FILE,
    CARTABLE_SAML_IDP_METADATA_FILE  EduConnect (SAML 2.0 service provider; see docs/saml.md). Unset: off.
    STATIC_ROOT     where `cartable collectstatic` puts static files in production (optional).
"""

import os
import secrets
import sys
from pathlib import Path
from typing import Any

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from cartable.core import dbconfig


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CARTABLE_VAR", Path.cwd() / "var")).resolve()
TESTING = "pytest" in sys.modules or env_flag("CARTABLE_TESTING")
DEMO = env_flag("CARTABLE_DEMO")
DEBUG = env_flag("DEBUG")
HTTPS = env_flag("CARTABLE_HTTPS")


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if TESTING:
        return "insecure-test-key-" + "x" * 40
    if DEMO or DEBUG:
        # The demo generates its key once and keeps it, so sessions survive a restart.
        path = VAR_DIR / "secret_key"
        if not path.exists():
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(64))
            path.chmod(0o600)
        return path.read_text().strip()
    # Commands that serve nothing (migrate, check...) get a throwaway key; serving refuses it
    # (cartable/wsgi.py and ``cartable serve``).
    return ""


SECRET_KEY = _secret_key()
SECRET_KEY_EPHEMERAL = not SECRET_KEY
if SECRET_KEY_EPHEMERAL:
    SECRET_KEY = "ephemeral-" + secrets.token_urlsafe(48)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")]
if TESTING:
    ALLOWED_HOSTS.append("testserver")

INSTALLED_APPS = [
    "cartable.core",
    "cartable.directory",
    "cartable.accounts",
    "cartable.governance",
    "cartable.timetable",
    "cartable.homework",
    "cartable.agenda",
    "cartable.attendance",
    "cartable.discipline",
    "cartable.grades",
    "cartable.reportcards",
    "cartable.messaging",
    "cartable.news",
    "cartable.forums",
    "cartable.learning",
    "cartable.documents",
    "cartable.notifications",
    "cartable.sso",
    "cartable.privacy",
    "cartable.dashboard",
    "cartable.provisioning",
    "cartable.lti",
    "cartable.demo",
    "oauth2_provider",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: may this request read the replica? (Removed when there is none.)
    "cartable.core.dbrouter.ReplicaReadsMiddleware",
    "cartable.core.middleware.PrivacyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before our account middlewares: session expiry tells the person why they must sign in again.
    "django.contrib.messages.middleware.MessageMiddleware",
    "cartable.accounts.middleware.LanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cartable.accounts.middleware.SessionExpiryMiddleware",
    "cartable.accounts.middleware.CharterMiddleware",
    "cartable.accounts.middleware.SecondFactorMiddleware",
    "cartable.directory.middleware.ActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "cartable.urls"
WSGI_APPLICATION = "cartable.wsgi.application"
ASGI_APPLICATION = "cartable.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cartable.core.context_processors.site",
                "cartable.core.context_processors.navigation",
                "cartable.accounts.context_processors.preferences",
            ],
            # In every template, no {% load %}: the date styles (core/dates.py), the elision (core/french.py), the
            # role titles by gender (directory/titles.py).
            "builtins": [
                "cartable.core.templatetags.dates",
                "cartable.core.templatetags.french",
                "cartable.directory.templatetags.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'cartable.sqlite3'}"
# The primary, an optional read replica and PgBouncer's pooling mode (cartable/core/dbconfig.py, which refuses a
# configuration that makes no sense); the router sends the reads of lag-tolerant pages to the replica.
DATABASES, DATABASE_ROUTERS = dbconfig.databases(os.environ, default_url=DATABASE_URL)
(
    CARTABLE_REPLICA_MAX_LAG_SECONDS,
    CARTABLE_REPLICA_CHECK_SECONDS,
    CARTABLE_READ_YOUR_WRITES_SECONDS,
    CARTABLE_REPLICA_CACHE_SECONDS,
) = dbconfig.replica_timing(os.environ)
CARTABLE_READ_YOUR_WRITES_COOKIE = "cartable_primary"
# GET pages whose reads may come from the replica (a few seconds behind at most): lists and pages that people
# read far more than they change and that no shared cache fills for long. Not the dashboard (its cached
# fragments), nor a teacher's entry pages (the roll call, the gradebook) which are read to be written.
CARTABLE_REPLICA_VIEWS = [
    "agenda:home",
    "agenda:month",
    "agenda:week",
    "agenda:day",
    "agenda:list",
    "directory:people",
    "forums:index",
    "forums:forum",
    "forums:topic",
    "grades:mine",
    "homework:todo",
    "homework:class_log",
    "homework:group_log",
    "news:index",
    "news:detail",
    "notifications:timeline",
    "notifications:counter",
    "timetable:home",
    "timetable:class",
    "timetable:group",
    "timetable:teacher",
    "timetable:room",
    "timetable:student",
]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # The web threads and the worker share one file: a writer waits up to 20 s for another's lock
        # (a busy worker delivering the demo's first notices) rather than failing the page.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if not TESTING:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cartable.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cartable",
            # Losing Redis must never log anybody out: sessions live in the database.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600  # the absolute lifetime; the idle limit is enforced by our middleware
CARTABLE_SESSION_IDLE_SECONDS = int(os.environ.get("CARTABLE_SESSION_IDLE_SECONDS", 2 * 3600))
CARTABLE_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("CARTABLE_SESSION_ABSOLUTE_SECONDS", 12 * 3600))

# --- Authentication ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "directory.User"
AUTHENTICATION_BACKENDS = ["cartable.accounts.backends.AccountBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests hash thousands of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    # NIST SP 800-63B: length and a blocklist, no composition rules.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # The French keyboard's walks (azerty, qsdfgh), runs (123456), years, common French words, one's names.
    {"NAME": "cartable.accounts.passwords.PredictablePatternValidator", "OPTIONS": {"min_unpredictable": 8}},
]
PASSWORD_RESET_TIMEOUT = 3600
CARTABLE_LOGIN_THROTTLE = {
    "window_seconds": 15 * 60,
    "per_account": 5,  # failures of one account from one address before each retry waits
    "first_delay_seconds": 30,  # the first wait, doubled after each further failure (at most the window)
    "per_address": 300,  # failures from one address over all accounts (a school behind one router)
}
# The second factor (django-otp): failed codes count in the login throttle above, so django-otp's own
# per-device delay is off (it would refuse the right code typed just after a wrong one).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = "Cartable"
# The CAS server (cartable/sso): tickets live five minutes at most whatever is set here; the CA bundle
# checks the services' HTTPS certificates (proxy callbacks, single logout) when they are not public ones.
CARTABLE_CAS = {
    "ticket_seconds": int(os.environ.get("CARTABLE_CAS_TICKET_SECONDS", 300)),
    "pgt_seconds": int(os.environ.get("CARTABLE_CAS_PGT_SECONDS", 300)),
    "ca_bundle": os.environ.get("CARTABLE_CAS_CA_BUNDLE") or None,
    "timeout_seconds": 5,
}

# EduConnect (cartable/sso/saml.py, pysaml2): Cartable is a SAML 2.0 service provider. Off until the entity
# id, the public address, the SP key pair and the IdP's metadata are set (see docs/saml.md). xmlsec1
# (Debian's package) checks and makes the signatures.
CARTABLE_SAML = {
    "entity_id": os.environ.get("CARTABLE_SAML_ENTITY_ID", ""),
    "base_url": os.environ.get("CARTABLE_SAML_BASE_URL", ""),
    "key_file": os.environ.get("CARTABLE_SAML_KEY_FILE", ""),
    "cert_file": os.environ.get("CARTABLE_SAML_CERT_FILE", ""),
    "idp_metadata_file": os.environ.get("CARTABLE_SAML_IDP_METADATA_FILE", ""),
    "idp_metadata": "",  # the IdP's metadata as text (tests), instead of the file
    "xmlsec_binary": os.environ.get("CARTABLE_SAML_XMLSEC", "/usr/bin/xmlsec1"),
}

# The OpenID Connect provider (cartable/sso, django-oauth-toolkit). The RS256 signing key is a PEM file
# (CARTABLE_OIDC_KEY_FILE); the keys it replaced stay published in the JWKS while tokens signed by them
# live (CARTABLE_OIDC_INACTIVE_KEY_FILES, comma-separated). Tests and the demo generate one per process.


def _oidc_keys() -> tuple[str, list[str]]:
    if path := os.environ.get("CARTABLE_OIDC_KEY_FILE"):
        inactive = [p.strip() for p in os.environ.get("CARTABLE_OIDC_INACTIVE_KEY_FILES", "").split(",") if p.strip()]
        return Path(path).read_text(), [Path(p).read_text() for p in inactive]
    if TESTING or DEMO or DEBUG:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return pem.decode(), []
    return "", []


_OIDC_KEY, _OIDC_INACTIVE_KEYS = _oidc_keys()
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (a model, not a secret)
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105 (a model, not a secret)
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105 (a model, not a secret)
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER = {
    # RFC 9700 (the OAuth 2.0 security BCP): tokens only in headers, `iss` in the authorization response,
    # tokens stored hashed, a replayed refresh token revokes its family.
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "OIDC_ENABLED": bool(_OIDC_KEY),
    "OIDC_RSA_PRIVATE_KEY": _OIDC_KEY,
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": _OIDC_INACTIVE_KEYS,
    "OAUTH2_VALIDATOR_CLASS": "cartable.sso.oidc.Validator",
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,  # S256 only: « plain » is refused
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "REQUEST_APPROVAL_PROMPT": "force",  # the consent screen every time: no silent grant
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "SCOPES": {
        "openid": _("Vous identifier (un identifiant qui ne change pas)"),
        "profile": _("Votre nom, votre prénom et votre identifiant de connexion"),
        "email": _("Votre adresse électronique"),
        "ent": _("Votre profil, vos établissements, vos classes et votre identifiant académique (AAF)"),
    },
    "DEFAULT_SCOPES": ["openid"],
}

# --- Security headers --------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "cartable.core.views.csrf_failure"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Internationalisation ----------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------------------
STATIC_URL = "/static/"
# Production may collect static files (STATIC_ROOT=/srv/cartable/static cartable collectstatic); the demo
# and tests serve them straight from the apps' folders.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
MEDIA_ROOT = VAR_DIR / "media"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Object storage (S3-compatible, django-storages): set CARTABLE_S3_BUCKET and the files go there instead of
# MEDIA_ROOT (docs/deployment.md, « Object storage »). Keys: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
if os.environ.get("CARTABLE_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["CARTABLE_S3_BUCKET"],
            "endpoint_url": os.environ.get("CARTABLE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("CARTABLE_S3_REGION") or None,
            "location": os.environ.get("CARTABLE_S3_PREFIX", ""),
            "addressing_style": os.environ.get("CARTABLE_S3_ADDRESSING_STYLE") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
# Uploads (cartable/core/uploads.py): size limit; dotted path of a virus scanner `(path_or_bytes) -> None`.
CARTABLE_UPLOAD_MAX_BYTES = int(os.environ.get("CARTABLE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
CARTABLE_UPLOAD_SCANNER = os.environ.get("CARTABLE_UPLOAD_SCANNER") or None
# ClamAV (cartable/core/antivirus.py, CARTABLE_UPLOAD_SCANNER=cartable.core.antivirus.scan): clamd's socket,
# unix:///run/clamav/clamd.ctl (Debian's) or tcp://host:3310, and how long a scan may take (seconds).
CARTABLE_CLAMD_ADDRESS = os.environ.get("CARTABLE_CLAMD_ADDRESS", "unix:///run/clamav/clamd.ctl")
CARTABLE_CLAMD_TIMEOUT = float(os.environ.get("CARTABLE_CLAMD_TIMEOUT", 120))
# Office files are zips: bounded before anything opens them (a zip bomb), each entry below clamd's MaxFileSize.
CARTABLE_UPLOAD_ZIP_MAX_ENTRIES = int(os.environ.get("CARTABLE_UPLOAD_ZIP_MAX_ENTRIES", 2000))
CARTABLE_UPLOAD_ZIP_MAX_ENTRY_BYTES = int(os.environ.get("CARTABLE_UPLOAD_ZIP_MAX_ENTRY_BYTES", 200 * 1024 * 1024))
CARTABLE_UPLOAD_ZIP_MAX_EXPANDED_BYTES = int(
    os.environ.get("CARTABLE_UPLOAD_ZIP_MAX_EXPANDED_BYTES", 1024 * 1024 * 1024)
)
CARTABLE_UPLOAD_ZIP_MAX_RATIO = int(os.environ.get("CARTABLE_UPLOAD_ZIP_MAX_RATIO", 200))
# Previews (cartable/core/previews.py, drawn by the worker): a PDF of more pages is not drawn; the image's
# longest side; an image of more pixels (read from its header) is not decoded.
CARTABLE_PREVIEW_MAX_PAGES = int(os.environ.get("CARTABLE_PREVIEW_MAX_PAGES", 2000))
CARTABLE_PREVIEW_MAX_SIDE = int(os.environ.get("CARTABLE_PREVIEW_MAX_SIDE", 1200))
CARTABLE_PREVIEW_MAX_PIXELS = int(os.environ.get("CARTABLE_PREVIEW_MAX_PIXELS", 50_000_000))
# Directory imports (provisioning): the largest AAF file, and what an archive may hold once expanded.
CARTABLE_AAF_MAX_FILE_BYTES = int(os.environ.get("CARTABLE_AAF_MAX_FILE_BYTES", 1024 * 1024 * 1024))
CARTABLE_AAF_MAX_EXPANDED_BYTES = int(os.environ.get("CARTABLE_AAF_MAX_EXPANDED_BYTES", 4 * 1024 * 1024 * 1024))
CARTABLE_AAF_MAX_ARCHIVE_ENTRIES = int(os.environ.get("CARTABLE_AAF_MAX_ARCHIVE_ENTRIES", 200))
CARTABLE_AAF_MAX_COMPRESSION_RATIO = int(os.environ.get("CARTABLE_AAF_MAX_COMPRESSION_RATIO", 200))
# Mes documents: the region's per-file maximum and its ceilings per role (bytes); the regional administrator
# may change the ceilings on the quota page, each establishment adjusts them below.
CARTABLE_DOCUMENTS_MAX_FILE_BYTES = int(os.environ.get("CARTABLE_DOCUMENTS_MAX_FILE_BYTES", 200 * 1024 * 1024))
CARTABLE_DOCUMENTS_QUOTAS = {
    "student": 500 * 1024 * 1024,
    "guardian": 200 * 1024 * 1024,
    "teacher": 5 * 1024 * 1024 * 1024,
    "education": 2 * 1024 * 1024 * 1024,
    "administrative": 2 * 1024 * 1024 * 1024,
    "direction": 5 * 1024 * 1024 * 1024,
    "establishment_admin": 5 * 1024 * 1024 * 1024,
    "regional_admin": 1024 * 1024 * 1024,
}
# Serve from the apps' folders: the demo runs without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- E-mail ------------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Cartable <ne-pas-repondre@cartable.localhost>")
# Production sends through the host's mail relay unless told otherwise; the demo and development write files.
EMAIL_URL = os.environ.get("EMAIL_URL", "" if DEMO or DEBUG or TESTING else "smtp://localhost:25")
if EMAIL_URL.startswith("smtp://"):
    _host, _colon, _port = EMAIL_URL.removeprefix("smtp://").partition(":")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": _host, "port": int(_port or 25), "timeout": 10},
        }
    }
elif TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
else:
    # The demo and development write each message as a file under var/mail/.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

# --- Background tasks --------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend",
    }
}

# --- Logging -----------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

ADMINS: list[tuple[str, str]] = []
CARTABLE_SITE_NAME = "Cartable"
# The processing register's contacts (RGPD art. 30): the controller and the region's data protection officer.
CARTABLE_CONTROLLER = os.environ.get(
    "CARTABLE_CONTROLLER", "Le chef de chaque établissement pour son établissement ; la région pour l'ENT"
)
CARTABLE_DPO_CONTACT = os.environ.get("CARTABLE_DPO_CONTACT", "dpo@region.example")
# Number of trusted reverse proxies in front of the app (0: clients connect directly). Client addresses, for
# login throttling and the audit trail, are then read from X-Forwarded-For (cartable/core/http.py).
CARTABLE_PROXY_HOPS = int(os.environ.get("CARTABLE_PROXY_HOPS", "0"))
CARTABLE_BASE_URL = os.environ.get("CARTABLE_BASE_URL", "http://localhost:8000")

# Timetable software exports (EDT, UDT): the largest file or zip entry, the zip's entries and expanded size.
CARTABLE_TIMETABLE_EXPORT_MAX_BYTES = int(os.environ.get("CARTABLE_TIMETABLE_EXPORT_MAX_BYTES", 10 * 1024 * 1024))
CARTABLE_TIMETABLE_EXPORT_MAX_ENTRIES = int(os.environ.get("CARTABLE_TIMETABLE_EXPORT_MAX_ENTRIES", 200))
CARTABLE_TIMETABLE_EXPORT_MAX_EXPANDED_BYTES = int(
    os.environ.get("CARTABLE_TIMETABLE_EXPORT_MAX_EXPANDED_BYTES", 100 * 1024 * 1024)
)
