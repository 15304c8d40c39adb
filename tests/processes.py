"""Running the site's code in separate processes: real concurrency, each with its own connections."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manage(env, code, timeout=120):
    """Run code in `manage.py shell` and wait for it."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def start_shell(env, code) -> subprocess.Popen:
    """Run code in `manage.py shell` beside the test; communicate() gives (stdout, stderr)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def throwaway_site(directory: Path):
    """Environment variables for processes of a new, migrated site: its own database and index.

    A generator: yields the environment, then drops the database. On PostgreSQL (DATABASE_URL set
    to it, as make test-postgres does) a throw-away database on the same server, so that the
    processes meet the production database's locking; otherwise SQLite in a file.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kb.settings.test",
        "KB_TEST_WHOOSH_PATH": str(directory / "whoosh"),
    }
    server = os.environ.get("DATABASE_URL", "")
    database = None
    if server.startswith(("postgres://", "postgresql://")):
        import psycopg

        base = server.rsplit("/", 1)[0]
        database = f"kb_processes_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = f"{base}/{database}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{directory / 'db.sqlite3'}"
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    try:
        yield env
    finally:
        if database:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
