"""Development: DEBUG on, a fixed insecure key, local hosts only."""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-use-in-production"  # noqa: F405
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]  # noqa: F405
# make run serves on 127.0.0.1:$PORT; links in pages name that address unless KB_SITE_URL says otherwise.
SITE_URL = SITE_URL or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"  # noqa: F405
