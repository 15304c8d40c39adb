"""Tests: fast hashing, DEBUG off like production, an index path the tests replace."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHOOSH_PATH = Path(tempfile.gettempdir()) / "kb-test-whoosh"
