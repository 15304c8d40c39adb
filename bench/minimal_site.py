"""The framework's own ceiling for bench/load.py: one Django view, no database, no middleware.

Served by gunicorn exactly as the site is (same workers, same bind), so that the ratio of the
site's pages to this view says what our code costs on top of Django and gunicorn.
"""

import os

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("ok", content_type="text/plain")


settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "minimal-site-benchmark-only"),
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)
urlpatterns = [path("", hello)]
django.setup()
application = get_wsgi_application()
