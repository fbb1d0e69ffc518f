"""Settings shared by every environment. Everything variable comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The working directory holds the embedded database, so `homeward run` works from anywhere.
VAR_DIR = Path(os.environ.get("HOMEWARD_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

# The home authority this installation serves (DfE three-digit LA code).
HOMEWARD_AUTHORITY = os.environ.get("HOMEWARD_AUTHORITY", "941")
# A protocol file that replaces the shipped default; empty means the default.
HOMEWARD_PROTOCOL = os.environ.get("HOMEWARD_PROTOCOL", "")
# The audit log's chain is keyed outside the database (homeward.audit.keys, ADR 0012), and its
# head is written at intervals to an append-only file that `homeward audit verify` checks.
HOMEWARD_AUDIT_KEY = os.environ.get("HOMEWARD_AUDIT_KEY", "")
HOMEWARD_AUDIT_KEY_FILE = os.environ.get("HOMEWARD_AUDIT_KEY_FILE", str(VAR_DIR / "audit-keys"))
HOMEWARD_AUDIT_ANCHOR_FILE = os.environ.get("HOMEWARD_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl"))
HOMEWARD_PRODUCTION = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "homeward.common",
    "homeward.reference",
    "homeward.accounts",
    "homeward.audit",
    "homeward.children",
    "homeward.episodes",
    "homeward.interviews",
    "homeward.meetings",
    "homeward.plans",
    "homeward.consultations",
    "homeward.charges",
    "homeward.obligations",
    "homeward.notifications",
    "homeward.reporting",
    "homeward.imports",
    "homeward.digests",
    "homeward.intake",
    "homeward.exchange",
    "homeward.api",
    "homeward.web",
    # Sign-in security (ADR 0007): lock-out after repeated failures.
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "homeward.web.middleware.SecurityHeadersMiddleware",
    # Every API answer as problem+json when it is an error, 500 included; no-store everywhere.
    "homeward.web.middleware.ApiErrorsAndCachingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "homeward.web.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "homeward.web.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A NUL in the query string is a 400 naming the parameter, before any view reads it.
    "homeward.web.middleware.QueryStringGuardMiddleware",
    "homeward.audit.middleware.AuditOriginMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homeward.web.context_processors.layout",
            ],
        },
    },
]


def database_from_environment() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'homeward.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and a busy timeout let the in-process worker and web requests share the file.
        config["OPTIONS"] = {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
        config["CONN_MAX_AGE"] = 0
    return config


DATABASES = {"default": database_from_environment()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# UTC in the database; Europe/London for display, end of day and working days.
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# The pages (homeward.web): sign in there; every page but that one needs a signed-in person.
LOGIN_URL = "web:sign_in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:sign_in"

# Sign-in security (docs/adr/0007-sign-in-security.md).
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock a username from one address out after this many failures, for this long.
AXES_FAILURE_LIMIT = int(os.environ.get("HOMEWARD_SIGN_IN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("HOMEWARD_SIGN_IN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "web/auth/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# A code from an authenticator app (or a recovery code) after the password: production
# always; elsewhere when HOMEWARD_REQUIRE_2FA says so (the demonstration signs in without).
HOMEWARD_REQUIRE_2FA = env_bool("HOMEWARD_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = os.environ.get("HOMEWARD_2FA_ISSUER", "Homeward")
# A session ends after this long without a request; pages warn 5 minutes before.
SESSION_COOKIE_AGE = int(os.environ.get("HOMEWARD_SESSION_IDLE_MINUTES", "30")) * 60
# Saved again at most once a minute while used (homeward.web.middleware.SessionIdleRefreshMiddleware).
SESSION_SAVE_EVERY_REQUEST = False

# Single sign-on with the council's identity provider (OpenID Connect), only when configured:
# the provider's endpoints and this service's client id and secret.
OIDC_RP_CLIENT_ID = os.environ.get("HOMEWARD_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("HOMEWARD_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("HOMEWARD_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("HOMEWARD_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("HOMEWARD_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("HOMEWARD_OIDC_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("HOMEWARD_OIDC_LOGOUT_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("HOMEWARD_OIDC_SIGN_ALGORITHM", "RS256")
OIDC_RP_SCOPES = "openid email"
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "web:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/sign-in?council_account=not_recognised"
# The provider asks for a second factor itself, so Homeward does not ask again.
HOMEWARD_OIDC_PROVIDER_2FA = env_bool("HOMEWARD_OIDC_PROVIDER_2FA", True)
HOMEWARD_OIDC_ENABLED = all((OIDC_RP_CLIENT_ID, OIDC_RP_CLIENT_SECRET, OIDC_OP_AUTHORIZATION_ENDPOINT,
                             OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT)) and (
    OIDC_RP_SIGN_ALGO.startswith("HS") or bool(OIDC_OP_JWKS_ENDPOINT))
if HOMEWARD_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("homeward.accounts.oidc.CouncilOIDCBackend")

# A strict content security policy: nothing inline, nothing from elsewhere (django-csp 4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves from here and warns when it is missing before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "homeward.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Bodies are JSON (API.md); only the import takes a file (its own parsers). A form body could
    # not carry the lists the API takes, so accepting one answered a confusing 400 (issue 14).
    "DEFAULT_PARSER_CLASSES": ["homeward.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "homeward.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "homeward.api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Homeward API",
    "DESCRIPTION": "Missing children episodes, obligations and returns for an English local authority.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: no CDN, works offline and under a strict CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The child's answer to an offer and the interview's outcome share one list of answers.
    "ENUM_NAME_OVERRIDES": {
        "RhiAnswerEnum": "homeward.interviews.models.Outcome",
        "ConsultationTriggerEnum": "homeward.protocol.consultations.TRIGGERS",
        "ExchangeIncomingStatusEnum": "homeward.exchange.models.IncomingStatus",
    },
    # Record ids in paths (homeward.common.converters): whole numbers the database can hold.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}},
    # Every operation documents its problem+json answers (400, 401, 403, 404, 500).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "homeward.api.schema.problem_responses", "homeward.api.schema.bounded_inputs"],
}

EMAIL_HOST = os.environ.get("HOMEWARD_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("HOMEWARD_SMTP_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("HOMEWARD_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("HOMEWARD_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("HOMEWARD_SMTP_TLS", False)
# Seconds to wait for the mail server; the worker retries later rather than hanging.
EMAIL_TIMEOUT = int(os.environ.get("HOMEWARD_SMTP_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("HOMEWARD_FROM_EMAIL", "homeward@localhost")
# Where people open Homeward: notification emails link to {HOMEWARD_BASE_URL}/episodes/{id}.
HOMEWARD_BASE_URL = os.environ.get("HOMEWARD_BASE_URL", "http://127.0.0.1:8000")
# Periodic tasks of the worker: (dotted path of a callable taking no arguments, seconds).
# Shared by every worker process: each task starts once per interval (ADR 0003).
HOMEWARD_PERIODIC_TASKS: list[tuple[str, int]] = [
    # Obligations that arise with the passage of time (daily carer updates, 72-hour escalation).
    ("homeward.obligations.services.obligations_refresh_due", 60),
    # Closed episodes' duty figures rolled up again for the days changed since (issue 11).
    ("homeward.obligations.duty_days.duty_days_roll_due", 60),
    # Past months' counts by cohort rolled up again, and each month once it has passed (issue 11).
    ("homeward.reporting.cohort_months.cohort_months_roll_due", 60),
    # 72 hours missing: the Senior Assistant Director and the police told, once (issue 13).
    ("homeward.casework.escalations.episodes_escalate_72_hours", 60),
    # Queued imports of historical episodes (large files uploaded through the API).
    ("homeward.imports.services.import_jobs_run_pending", 15),
    # The weekly report to team leaders: sends once a week, from Monday 07:00 Europe/London.
    ("homeward.digests.services.weekly_report_send_due", 300),
    # The audit log's head written outside the database (ADR 0012).
    ("homeward.audit.verify.audit_anchor", 300),
    # Police notifications from the authority's mailbox (issue 12); nothing without a host.
    ("homeward.intake.mailbox.intake_mailbox_poll", 60),
    # Signed messages to other authorities' Homeward (docs/exchange.md); nothing without partners.
    ("homeward.exchange.delivery.exchange_deliver_due", int(os.environ.get("HOMEWARD_EXCHANGE_POLL_SECONDS", "5"))),
]

# The authority exchange (docs/exchange.md, ADR 0015): this installation's Ed25519 signing key
# (PEM; made at first use when the file does not exist), how old a signed message may be when
# it arrives, and the first wait before a partner that did not answer is tried again.
HOMEWARD_EXCHANGE_KEY = os.environ.get("HOMEWARD_EXCHANGE_KEY", str(VAR_DIR / "exchange-signing-key.pem"))
HOMEWARD_EXCHANGE_MAX_AGE_SECONDS = int(os.environ.get("HOMEWARD_EXCHANGE_MAX_AGE_SECONDS", "300"))
HOMEWARD_EXCHANGE_RETRY_SECONDS = int(os.environ.get("HOMEWARD_EXCHANGE_RETRY_SECONDS", "60"))
HOMEWARD_EXCHANGE_USERNAME = os.environ.get("HOMEWARD_EXCHANGE_USERNAME", "authority-exchange")

# The mailbox police notifications arrive in (IMAP over TLS; docs/police-notifications.md).
HOMEWARD_INTAKE_IMAP_HOST = os.environ.get("HOMEWARD_INTAKE_IMAP_HOST", "")
HOMEWARD_INTAKE_IMAP_PORT = int(os.environ.get("HOMEWARD_INTAKE_IMAP_PORT", "993"))
HOMEWARD_INTAKE_IMAP_USER = os.environ.get("HOMEWARD_INTAKE_IMAP_USER", "")
HOMEWARD_INTAKE_IMAP_PASSWORD = os.environ.get("HOMEWARD_INTAKE_IMAP_PASSWORD", "")
# A CA bundle to trust besides the system's (a council's own CA); the certificate is always checked.
HOMEWARD_INTAKE_IMAP_CA_FILE = os.environ.get("HOMEWARD_INTAKE_IMAP_CA_FILE", "")
HOMEWARD_INTAKE_IMAP_INBOX = os.environ.get("HOMEWARD_INTAKE_IMAP_INBOX", "INBOX")
HOMEWARD_INTAKE_IMAP_PROCESSED_FOLDER = os.environ.get("HOMEWARD_INTAKE_IMAP_PROCESSED_FOLDER", "Homeward-Processed")
HOMEWARD_INTAKE_IMAP_FAILED_FOLDER = os.environ.get("HOMEWARD_INTAKE_IMAP_FAILED_FOLDER", "Homeward-Failed")
HOMEWARD_INTAKE_IMAP_TIMEOUT = float(os.environ.get("HOMEWARD_INTAKE_IMAP_TIMEOUT", "30"))
# The account the mailbox records what it takes in as (created when first needed; cannot sign in).
HOMEWARD_INTAKE_USERNAME = os.environ.get("HOMEWARD_INTAKE_USERNAME", "police-email-intake")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HOMEWARD_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes announces its version at every start of every command; its warnings
        # (failures, lock-outs) still show.
        "axes.apps": {"level": "WARNING"},
    },
}
