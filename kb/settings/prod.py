"""Production: secrets and hosts from the environment, secure cookies and HSTS over HTTPS."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set. Production settings need a long random secret in the environment, "
        "e.g. DJANGO_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set: give the site's host names, comma-separated.")
if not SITE_URL.startswith(("https://", "http://")):  # noqa: F405
    raise ImproperlyConfigured(
        "KB_SITE_URL is not set: give the site's public address, e.g. KB_SITE_URL=https://kb.example.com. "
        "Absolute links (canonical, permalinks, QR codes, feeds) and the kept pages' keys come from it, "
        "never from a request's Host header."
    )

DEBUG = False
HTTPS = os.environ.get("KB_HTTPS", "1") == "1"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Behind a TLS proxy that sets X-Forwarded-Proto, plain-HTTP requests are redirected to HTTPS.
SECURE_SSL_REDIRECT = HTTPS and os.environ.get("KB_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_PRELOAD = HTTPS
# Static files are served by the application server itself (whitenoise): one process to run. Right
# after SecurityMiddleware, so that static files get its headers (nosniff, HSTS) and HTTPS redirect.
MIDDLEWARE = list(MIDDLEWARE)  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
# Hashed, compressed static files (make serve runs collectstatic first), cached for a year.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
