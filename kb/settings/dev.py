"""Development and `make run`: the site as readers meet it, a fixed insecure key, local hosts only.

DEBUG is off unless DJANGO_DEBUG=1: a wrong address shows the site's own 404 page and an error its
500 page, as in production, not Django's debug pages (which also show settings and code to anyone
who can reach the port). Static files are served by WhiteNoise, as in production, but straight from
the source folders (no collectstatic) and re-read when they change. DJANGO_DEBUG=1 brings back
Django's debug pages for a developer chasing an error; the terminal shows every error's traceback
either way.
"""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"  # noqa: F405
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]  # noqa: F405
# make run serves on 127.0.0.1:$PORT; links in pages name that address unless KB_SITE_URL says otherwise.
SITE_URL = SITE_URL or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"  # noqa: F405

# Right after SecurityMiddleware, as in production (kb.settings.prod).
MIDDLEWARE = list(MIDDLEWARE)  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
