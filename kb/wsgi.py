"""WSGI entry point; production settings unless told otherwise."""

import os

from django.core.wsgi import get_wsgi_application

os.umask(0o077)  # what the site writes (database, index, var/) is owner-only, as with manage.py
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.prod")
application = get_wsgi_application()
