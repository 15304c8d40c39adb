"""Tests: fast hashing, DEBUG off like production, an index path the tests replace."""

import os
import tempfile
from pathlib import Path

import django

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
SITE_URL = "http://testserver"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each test run gets its own index folder; tests that search build the index explicitly.
# (a folder inside a temporary one: a rebuild builds beside it, in WHOOSH_PATH.builds)
WHOOSH_PATH = Path(
    os.environ.get("KB_TEST_WHOOSH_PATH") or Path(tempfile.mkdtemp(prefix="kb-test-")) / "whoosh"
)
HAYSTACK_CONNECTIONS = {
    "default": {"ENGINE": "kb.search.backend.KBWhooshEngine", "PATH": str(WHOOSH_PATH)},
}
# Search by words alone, unless a test turns meaning on (tests/search/test_semantic.py: the real
# model, with vectors in a folder of the test's own).
KB_EMBEDDER = ""
VECTORS_PATH = WHOOSH_PATH.parent / "vectors"
SEARCH_LOG_DELAY = 0  # each search recorded as it is made: tests read the rows at once
# Kept reader pages are tested on their own (tests/kb/test_cache.py); elsewhere a test that changes
# content inside its transaction (no commit, so no drop) reads the page as it is.
READER_CACHE = False
# No background flush of view counts during the tests (its thread would write outside the test's
# transaction); the tests flush themselves.
VIEW_COUNT_FLUSH_SECONDS = 3600
# The search tasks run at each commit, in the saving process (tests drive commits with
# django_capture_on_commit_callbacks; tests/search/test_tasks.py runs the database backend).
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if django.VERSION >= (6, 0)
        else "django_tasks.backends.immediate.ImmediateBackend"
    }
}
