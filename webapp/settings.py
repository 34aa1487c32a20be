"""Settings. Every value comes from the environment with a default that works on a laptop."""

import contextlib
import hashlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("IDEAGRAPH_DATA_DIR", BASE_DIR / "var")).resolve()
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(
        f"the data dir {DATA_DIR} (IDEAGRAPH_DATA_DIR) cannot be created: {exc.strerror}"
    ) from exc
if not os.access(DATA_DIR, os.R_OK | os.W_OK | os.X_OK):
    raise ImproperlyConfigured(
        f"the data dir {DATA_DIR} (IDEAGRAPH_DATA_DIR) is not readable and writable by this user"
    )


def _embedded_socket_path() -> Path:
    # A unix socket path may hold at most 107 bytes; deep data dirs fall back to a short path
    # in the temp dir that is still unique to this data dir.
    path = DATA_DIR / "server" / "redis.sock"
    if len(str(path)) < 100:
        return path
    digest = hashlib.sha256(str(DATA_DIR).encode()).hexdigest()[:12]
    return Path("/tmp") / f"ideagraph-{digest}" / "redis.sock"  # noqa: S108


EMBEDDED_SERVER_DIR = DATA_DIR / "server"
EMBEDDED_SOCKET = _embedded_socket_path()

# Unset GRAPH_URL / BROKER_URL mean "use the embedded server", which commands start on demand.
GRAPH_URL = os.environ.get("GRAPH_URL", "")
GRAPH_NAME = os.environ.get("GRAPH_NAME", "ideagraph")
GRAPH_USER = os.environ.get("GRAPH_USER", "neo4j")
GRAPH_PASSWORD = os.environ.get("GRAPH_PASSWORD", "")

BROKER_URL = os.environ.get("BROKER_URL", f"redis+socket://{EMBEDDED_SOCKET}?virtual_host=1")
CELERY_BROKER_URL = BROKER_URL
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND", BROKER_URL.replace("virtual_host=1", "virtual_host=2")
)

EMBEDDING_MODEL = os.environ.get("EMBEDDING_MODEL", "")  # empty: the bundled all-MiniLM-L6-v2
EMBEDDING_BATCH_SIZE = int(os.environ.get("EMBEDDING_BATCH_SIZE", "32"))
# all-MiniLM-L6-v2 was trained on 128-token inputs; 256 (its config's default) costs 2.3x the time.
EMBEDDING_MAX_TOKENS = int(os.environ.get("EMBEDDING_MAX_TOKENS", "128"))
# "int8": the model's linear layers quantized on load (CPU only): 2.5-2.8x the papers per second
# on a 2-core machine, vectors at a median cosine of 0.93 to the float ones (docs/benchmarks.md).
# A data dir keeps the choice it was built with (vectors/embedding.json).
EMBEDDING_QUANTIZE = os.environ.get("EMBEDDING_QUANTIZE", "")
if EMBEDDING_QUANTIZE not in ("", "int8"):
    raise ImproperlyConfigured(
        f"EMBEDDING_QUANTIZE={EMBEDDING_QUANTIZE!r}: use int8, or leave it empty for float vectors"
    )
# A concept gets a vector once this many papers mention it: most one-paper concepts are phrases
# seen once, and embedding them would cost as much as embedding the papers themselves.
CONCEPT_VECTOR_MIN_PAPERS = int(os.environ.get("CONCEPT_VECTOR_MIN_PAPERS", "2"))
INGEST_CHUNK_SIZE = int(os.environ.get("INGEST_CHUNK_SIZE", "512"))
INGEST_MAX_FILE_BYTES = int(os.environ.get("INGEST_MAX_FILE_BYTES", str(512 * 1024 * 1024)))
INGEST_MAX_LINE_BYTES = int(os.environ.get("INGEST_MAX_LINE_BYTES", str(1024 * 1024)))
ARXIV_DELAY_SECONDS = float(os.environ.get("ARXIV_DELAY_SECONDS", "3.0"))
ARXIV_PAGE_SIZE = int(os.environ.get("ARXIV_PAGE_SIZE", "100"))
VECTOR_DIR = DATA_DIR / "vectors"
UPLOAD_DIR = DATA_DIR / "uploads"

OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "")
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "")
LLM_MODEL = os.environ.get("LLM_MODEL", "")
LLM_TIMEOUT_SECONDS = float(os.environ.get("LLM_TIMEOUT_SECONDS", "30"))
# "rules" (offline, the default) or "llm" (needs OPENAI_BASE_URL and LLM_MODEL).
CONCEPT_EXTRACTOR = os.environ.get("CONCEPT_EXTRACTOR", "rules")
# Ideation with an LLM writer: a spending cap per batch and the endpoint's prices (USD per
# million tokens; 0 for a local server).
LLM_BUDGET_USD = float(os.environ.get("LLM_BUDGET_USD", "1.0"))
LLM_PRICE_IN_PER_MTOK = float(os.environ.get("LLM_PRICE_IN_PER_MTOK", "0"))
LLM_PRICE_OUT_PER_MTOK = float(os.environ.get("LLM_PRICE_OUT_PER_MTOK", "0"))
IDEATION_DIR = DATA_DIR / "ideation"
IDEATION_MAX_IDEAS = int(os.environ.get("IDEATION_MAX_IDEAS", "200"))
# Experiments: each run's spec, log, metrics, plots and write-up go under EXPERIMENTS_DIR; a run
# the worker lost (crash, restart) is started again up to EXPERIMENT_MAX_ATTEMPTS times in all.
EXPERIMENTS_DIR = Path(os.environ.get("EXPERIMENTS_DIR", DATA_DIR / "experiments")).resolve()
EXPERIMENT_MAX_ATTEMPTS = int(os.environ.get("EXPERIMENT_MAX_ATTEMPTS", "3"))
# Experiments the gpu worker runs at once: raise it on a machine with room for several (a
# campaign's `parallel` trials only run together when this allows it).
GPU_WORKER_CONCURRENCY = int(os.environ.get("IDEAGRAPH_GPU_CONCURRENCY", "1"))
# Batch work (the workers, and `ingest --sync` / `ideate --sync`) runs this much nicer than the
# web server, so that pages stay quick while a file is ingested on the same cores; 0 turns it off.
BACKGROUND_NICE = int(os.environ.get("IDEAGRAPH_BACKGROUND_NICE", "10"))
# Links in e-mails point here.
SITE_URL = os.environ.get("IDEAGRAPH_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Mail: written to files in the data dir by default; set EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc. to send it.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ideagraph@localhost")


def _secret_key() -> str:
    """DJANGO_SECRET_KEY, else a random key made once and kept in the data dir (never a key
    written in the source)."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
        return path.read_text().strip()


SECRET_KEY = _secret_key()
# Off unless asked for: tracebacks and settings are never shown to a browser by default.
DEBUG = _env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
# Concepts in at least this many papers keep a cached list of their strongest partners.
CONCEPT_TOP_MIN_PAPERS = int(os.environ.get("CONCEPT_TOP_MIN_PAPERS", "3"))
# Two names grouped as one concept by their words (ingest.variants) merge only if their
# embeddings' cosine is at least this (names that differ in a version or a negation sit above 0.9,
# which the words rule out; this keeps a stem from merging unrelated words).
CONCEPT_MERGE_MIN_COSINE = float(os.environ.get("CONCEPT_MERGE_MIN_COSINE", "0.8"))
LOGIN_REQUIRED_FOR_READING = _env_bool("IDEAGRAPH_LOGIN_REQUIRED_FOR_READING", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "webapp",
    # In pipeline order; an app imports only from the apps above it (checked by import-linter).
    "core",
    "index",
    "ingest",
    "ideation",
    "experiments",
    "browse",
]

MIDDLEWARE = [
    "webapp.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "webapp.middleware.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "webapp.urls"
WSGI_APPLICATION = "webapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ideagraph.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web app, the workers and the CLI write job rows at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"  # filled by `collectstatic` for production
STATIC_ROOT.mkdir(exist_ok=True)
# Served from the source folders as well, so a server works before (or without) collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Unacknowledged (late-ack) tasks of a dead worker are redelivered after this many seconds.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "sentence_transformers": {"level": "WARNING"},
        "arxiv": {"level": "WARNING"},
        "faiss.loader": {"level": "WARNING"},
    },
}
