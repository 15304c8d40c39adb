"""Settings shared by every environment; dev, test and prod refine them.

Everything that differs between machines comes from the environment:
DATABASE_URL (default: SQLite under var/), REDIS_URL (default: none, a local-memory cache),
WHOOSH_PATH (default: var/whoosh), DJANGO_SECRET_KEY, ALLOWED_HOSTS and KB_SITE_URL.
"""

import os
from pathlib import Path

import dj_database_url
import django

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KB_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [host.strip() for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
# The site's public address (https://kb.example.com) for absolute links and the reader cache's keys
# (articles.links): from configuration, never from a request. Required in production.
SITE_URL = os.environ.get("KB_SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "axes",
    "reversion",
    *(["django_tasks"] if django.VERSION < (6, 0) else []),  # the Tasks framework's backport on 5.2
    "django_tasks_db",
    # Before haystack: its rebuild_index command is replaced by ours (kb/search/rebuild.py).
    "kb.search",
    "haystack",
    "kb.apps.SiteConfig",
    "kb.backups",
    "statutes",
    "articles",
    "bench",
]

MIDDLEWARE = [
    # First: HTTPS redirects and the security headers, on every answer (kept pages and static files too;
    # production puts WhiteNoise right after it).
    "django.middleware.security.SecurityMiddleware",
    # Then reader pages from the cache (kb.reader_cache), answered before the rest runs.
    "kb.reader_cache.ReaderCacheMiddleware",
    "kb.security.ContentSecurityPolicyMiddleware",
    "kb.security.TextCharsetMiddleware",
    "kb.security.StripNullCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: five failures for one user name from one address lock that pair out for an
# hour (a reader on the same network, or the editor from elsewhere, can still sign in).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind a proxy, the client's address comes from X-Forwarded-For (set KB_PROXY_COUNT to the number
# of proxies in front); directly served, from the connection.
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("KB_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if os.environ.get("KB_PROXY_COUNT") else ["REMOTE_ADDR"]
)

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

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
                "kb.site.site_context",
            ],
        },
    },
]


def database_from_environment(default_sqlite_path: Path) -> dict:
    """The database named by DATABASE_URL, or SQLite at the given path.

    SQLite runs in WAL mode so that readers are not blocked by the importer
    or by an editor's save in another process.
    """
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite_path}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] and config["NAME"] != ":memory:":
            # Owner-only, whatever the umask: anyone else on the machine could read drafts and accounts.
            database = Path(config["NAME"])
            database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if not database.exists():
                os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].setdefault(
            # A writer waits up to 20 s for another's transaction (they are kept short: an article is
            # rendered before its transaction opens); readers never wait, in WAL mode.
            "init_command",
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        )
        config["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    return config


DATABASES = {"default": database_from_environment(VAR_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: a Redis server shared by every process in production (REDIS_URL), each process's memory
# otherwise. Either way an accelerator: with Redis unreachable, every cache call answers as a miss
# (kb.resilient_cache) and the site serves pages uncached.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "kb.resilient_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kb",
            # A server that does not answer is given up on quickly: the page is rendered instead.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kb"}}
# Reader pages, search results, the sitemap and the feed kept in the cache (kb.reader_cache), under a
# content generation kept in the database: correct with a cache per process as with a shared one.
READER_CACHE = True
READER_CACHE_SECONDS = 10  # what they show may lag this much (view counts, most read); saves never
# Article views counted in Redis and written to the database in batches this often (articles.view_counts).
VIEW_COUNT_FLUSH_SECONDS = 5

# Work derived from saves (the search index, topics, related lists) runs as tasks of Django's Tasks
# framework in a worker process (manage.py search_worker), queued in the database; see kb.search.tasks.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

WHOOSH_PATH = Path(os.environ.get("WHOOSH_PATH", VAR_DIR / "whoosh"))

HAYSTACK_CONNECTIONS = {
    "default": {"ENGINE": "kb.search.backend.KBWhooshEngine", "PATH": str(WHOOSH_PATH)},
}
# Search by meaning (kb.search.embedding): the sentence encoder, a dotted path; "" for words alone.
KB_EMBEDDER = os.environ.get("KB_EMBEDDER", "kb.search.embedding.UniversalSentenceEncoder")
# The published answers' model, when it is another ("": KB_EMBEDDER's). A model that cannot be loaded
# here (kb.search.embedding.MultilingualE5Small on a processor without AVX2) leaves them KB_EMBEDDER's.
KB_ARTICLE_EMBEDDER = os.environ.get("KB_ARTICLE_EMBEDDER", "")
# The question's vector takes the legal terms of its everyday words too (kb.search.selectors.meaning_text:
# 公司不给加班费 + 延长工作时间); "0" embeds the question's own words alone.
KB_MEANING_TERMS = os.environ.get("KB_MEANING_TERMS", "1") == "1"
# Its vectors of articles and provisions, beside the index (kb.search.vectors).
VECTORS_PATH = Path(os.environ.get("KB_VECTORS_PATH", VAR_DIR / "vectors"))

# Index updates follow each commit as tasks (kb.search.tasks), written by the worker.
HAYSTACK_SIGNAL_PROCESSOR = "kb.search.signals.TaskSignalProcessor"
# Model filters are part of each query; haystack's separate "narrow" pass over the whole
# index would cost a full scan per search.
HAYSTACK_LIMIT_TO_REGISTERED_MODELS = False
HAYSTACK_DEFAULT_OPERATOR = "OR"

# Searches are recorded for editors (kb.search.insight) in batches, off the request: at most this
# many seconds after they are made; 0 records each one as it is made.
SEARCH_LOG_DELAY = 2.0

# The 编辑 group (articles.services.ensure_editor_group): they write articles, categories and authors,
# read the statute library (it is imported), read what readers search for and pin results.
EDITOR_PERMISSIONS = {
    "articles": {
        "article": ["add", "change", "delete", "view"],
        "citation": ["add", "change", "delete", "view"],
        "category": ["add", "change", "delete", "view"],
        "author": ["add", "change", "delete", "view"],
    },
    "statutes": {"law": ["view"], "provision": ["view"], "libraryimport": ["view"]},
    "search": {"searchrecord": ["view"], "pinnedresult": ["add", "change", "delete", "view"]},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

KB_SITE_NAME = "法律知识库"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The progress of long background work (the search worker building vectors), with its ETA.
    "loggers": {"kb.progress": {"level": "INFO"}},
}
