"""One settings module, driven by environment variables; SQLite by default so a clean
checkout runs. Point at PostgreSQL with DATABASE_URL=postgres://user@host:port/name."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LIANGXIN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("DEBUG", "0") == "1"
# A development key is generated once into var/ so a fresh checkout runs; production sets SECRET_KEY.
_key_file = VAR_DIR / "secret_key"
if "SECRET_KEY" in os.environ:
    SECRET_KEY = os.environ["SECRET_KEY"]
else:
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
# Reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For is believed;
# from any other peer the header is ignored, so a client cannot choose its own address.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "liangxin.core",
    "liangxin.accounts",
    "liangxin.regions",
    "liangxin.mgmt",
    "liangxin.orgs",
    "liangxin.party",
    "liangxin.imports",
    "liangxin.stats",
    "liangxin.inbox",
    "liangxin.life",
    "liangxin.develop",
    "liangxin.transfers",
    "liangxin.dues",
    "liangxin.messaging",
    "liangxin.circulars",
    "liangxin.portal",
    "liangxin.qa",
    "liangxin.reporting",
    "liangxin.assessment",
    "liangxin.duty_reports",
    "liangxin.web",
    "liangxin.api",
    "liangxin.demo",  # the seed_demo command; nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "liangxin.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "liangxin.core.middleware.RequestContextMiddleware",
    "liangxin.web.middleware.BadParameterMiddleware",
    "liangxin.web.middleware.PasswordChangeMiddleware",
]

ROOT_URLCONF = "liangxin.urls"
WSGI_APPLICATION = "liangxin.wsgi.application"

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
                "liangxin.web.context.navigation",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{VAR_DIR / 'liangxin.sqlite3'}", conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a writer commits; IMMEDIATE avoids lock upgrades failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests use a file (not memory) so what reaches the main and -wal files can be checked.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_liangxin.sqlite3")}

AUTH_USER_MODEL = "accounts.User"
# Django's backend, refusing a locked account on every login path (product, admin, API).
AUTHENTICATION_BACKENDS = ["liangxin.accounts.backends.LockoutAwareBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password policy: ≥ 8 characters with three of upper, lower, digit, symbol; not containing
# the user name; none of the last five; not a common password (messages in Chinese).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "liangxin.accounts.passwords.ComplexityValidator", "OPTIONS": {"min_length": 8, "min_kinds": 3}},
    {"NAME": "liangxin.accounts.passwords.NotUsernameValidator"},
    {"NAME": "liangxin.accounts.passwords.HistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttle: this many failures for one account from one address within the window make
# that address wait the window for that account (other addresses, other accounts go on).
LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "5"))
# Login lockout: this many failures for one account from any addresses lock it for the window.
# Never an address wholesale: an office NAT puts many users behind one address.
LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", "10"))
LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))

# Sessions end after two idle hours (every request renews) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if os.environ.get("HTTPS", "0") == "1":
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    # TLS ends at the intranet's reverse proxy, which must set X-Forwarded-Proto (and strip any the client
    # sent); only then is the header trusted. Without HTTPS=1 it is ignored, so a client cannot claim https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

# Every script, style, font and image is served from this site (static/vendor, the drf-spectacular
# sidecar): no inline script or style anywhere (core.middleware.ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # Swagger UI's icons are data: URLs in its stylesheet
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Per-path exceptions, kept as narrow as possible. Redoc's bundle inserts <style> elements at run time
# (styled-components) and takes no nonce from the page; scripts stay 'self' there too.
CONTENT_SECURITY_POLICY_RELAXED = {
    "/api/v1/redoc/": {"style-src": "'self' 'unsafe-inline'", "worker-src": "'self' blob:"},
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns when missing; collectstatic fills it in production
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# An API token unused this many days stops working (a new one is made on 个人设置).
API_TOKEN_IDLE_DAYS = int(os.environ.get("API_TOKEN_IDLE_DAYS", "30"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "liangxin.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "liangxin.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "liangxin.api.errors.exception_handler",
    "DEFAULT_FILTER_BACKENDS": [],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "两新党建综合服务平台 API",
    "DESCRIPTION": "liangxin REST API v1. 所有数据按调用者的权限范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc are served from the sidecar package's static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # the documents are for the roles that hold tokens to use them (accounts.roles.API_DOC_READERS);
    # IsAuthenticated first, so that an anonymous caller gets 401 rather than 403
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated", "liangxin.api.permissions.ReadsApiDocs"],
    # several models have a "kind"; name each choice set so the document has no ambiguous enum
    "ENUM_NAME_OVERRIDES": {
        "TransferKindEnum": "liangxin.transfers.models.TransferKind",
        "NodeKindEnum": "liangxin.mgmt.models.NodeKind",  # a node's kind, and the kinds a notice is addressed to
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Bulk import limits (an upload is untrusted); override in the environment.
IMPORT_MAX_BYTES = int(os.environ.get("LIANGXIN_IMPORT_MAX_MB", "300")) * 1024 * 1024
IMPORT_MAX_ROWS = int(os.environ.get("LIANGXIN_IMPORT_MAX_ROWS", "2000000"))
# A small upload may unpack large (issue 11: 3.7 MB → 629 MB). Bounds on what the reader holds and
# on each job: the unpacked workbook, one row's XML, the job's wall time and (in the worker, where
# each job runs in a child process) its address space. A job over a bound fails with the reason.
IMPORT_MAX_UNZIPPED_BYTES = int(os.environ.get("LIANGXIN_IMPORT_MAX_UNZIPPED_MB", "2048")) * 1024 * 1024
IMPORT_MAX_ROW_BYTES = 16 * 1024 * 1024
IMPORT_JOB_SECONDS = int(os.environ.get("LIANGXIN_IMPORT_JOB_SECONDS", "7200"))
IMPORT_JOB_MEMORY_MB = int(os.environ.get("LIANGXIN_IMPORT_JOB_MEMORY_MB", "4096"))
IMPORT_DIR = VAR_DIR / "imports"  # uploaded files, kept so a job can be resumed or rerun
EXPORT_DIR = VAR_DIR / "exports"  # files of background exports
# Retention of stored files that hold personal data (``manage.py prune_files``, daily from cron):
# background export files, and import uploads once every job on them ended that many days ago.
EXPORT_RETENTION_DAYS = int(os.environ.get("LIANGXIN_EXPORT_RETENTION_DAYS", "7"))
IMPORT_RETENTION_DAYS = int(os.environ.get("LIANGXIN_IMPORT_RETENTION_DAYS", "30"))
EXPORT_SYNC_MAX_ROWS = int(os.environ.get("LIANGXIN_EXPORT_SYNC_MAX_ROWS", "100000"))  # more: a background job
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# 信息群发 (liangxin/messaging). E-mail goes through Django's mail backend to any SMTP relay.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@liangxin.local")
MESSAGING_SITE_URL = os.environ.get("LIANGXIN_SITE_URL", "http://127.0.0.1:8000")  # the read links' base
MESSAGING_READ_LINK_DAYS = int(os.environ.get("LIANGXIN_READ_LINK_DAYS", "90"))
# The SMS gateway: any HTTP endpoint taking the phone, the text and an idempotency key as
# parameters (form, JSON or query string) and answering JSON with a success field. No URL: SMS
# deliveries fail with 未配置短信网关 (an intranet without a gateway uses the log channel).
MESSAGING_SMS = {
    "URL": os.environ.get("LIANGXIN_SMS_URL", ""),
    "METHOD": os.environ.get("LIANGXIN_SMS_METHOD", "POST"),
    "JSON": os.environ.get("LIANGXIN_SMS_JSON", "0") == "1",  # POST body as JSON, else a form
    "TOKEN": os.environ.get("LIANGXIN_SMS_TOKEN", ""),  # sent as Authorization: Bearer …
    "USERNAME": os.environ.get("LIANGXIN_SMS_USERNAME", ""),  # or sent as parameters
    "PASSWORD": os.environ.get("LIANGXIN_SMS_PASSWORD", ""),
    "USERNAME_PARAM": os.environ.get("LIANGXIN_SMS_USERNAME_PARAM", "username"),
    "PASSWORD_PARAM": os.environ.get("LIANGXIN_SMS_PASSWORD_PARAM", "password"),
    "PHONE_PARAM": os.environ.get("LIANGXIN_SMS_PHONE_PARAM", "mobile"),
    "TEXT_PARAM": os.environ.get("LIANGXIN_SMS_TEXT_PARAM", "content"),
    "KEY_PARAM": os.environ.get("LIANGXIN_SMS_KEY_PARAM", "request_id"),
    "SUCCESS_FIELD": os.environ.get("LIANGXIN_SMS_SUCCESS_FIELD", "code"),  # empty: any 2xx is success
    "SUCCESS_VALUE": os.environ.get("LIANGXIN_SMS_SUCCESS_VALUE", "0"),
    "ID_FIELD": os.environ.get("LIANGXIN_SMS_ID_FIELD", "msg_id"),
    "MESSAGE_FIELD": os.environ.get("LIANGXIN_SMS_MESSAGE_FIELD", "message"),
    "TIMEOUT": float(os.environ.get("LIANGXIN_SMS_TIMEOUT", "10")),
}
# No SMS between these local times (start, end; may wrap midnight): a delivery waits for the window.
MESSAGING_SMS_QUIET_HOURS = tuple(os.environ.get("LIANGXIN_SMS_QUIET_HOURS", "21:00-08:00").split("-", 1))
# Waits before the 2nd, 3rd, … try after a transient failure; when they are used up: 失败.
MESSAGING_RETRY_SECONDS = [60, 300, 1800]
MESSAGING_LEASE_SECONDS = 600  # a sending run's claim on its message, renewed every batch

# Every handler masks identity and mobile numbers (core/logmask.py): request lines carry query
# strings. The development server's request log is routed through it too; gunicorn's access log
# gets the same filter in wsgi.py and logs the path without the query (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "liangxin.core.logmask.MaskPersonalData"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
        "django.server": {"class": "logging.StreamHandler", "filters": ["personal_data"], "formatter": "django.server"},
    },
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
