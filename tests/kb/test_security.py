"""Production settings, security headers, hostile query strings and admin login throttling."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **environment):
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="kb.settings.prod", **environment)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_the_documented_environment():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="kb.example.com",
        KB_SITE_URL="https://kb.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_the_site_address():
    result = manage(
        "check", "--deploy", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="kb.example.com"
    )
    assert result.returncode != 0
    assert "KB_SITE_URL is not set" in result.stderr


def test_production_middleware_order():
    """Security headers and HTTPS first, static files next, then the reader cache, then the rest."""
    result = manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print('\\n'.join(settings.MIDDLEWARE))",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="kb.example.com",
        KB_SITE_URL="https://kb.example.com",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    order = result.stdout.split()
    assert order[:3] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "kb.reader_cache.ReaderCacheMiddleware",
    ]
    assert order.index("kb.reader_cache.ReaderCacheMiddleware") < order.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )


def test_production_refuses_to_start_without_a_secret():
    result = manage("check", ALLOWED_HOSTS="kb.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "statutes:law_list", "search:search", "admin:login"])
def test_every_page_sends_the_security_headers(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    policy = dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in policy["script-src"]
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_nul_characters_in_query_strings_are_dropped_not_a_500(client):
    for name, params in [
        ("statutes:law_list", {"q": "民\x00法", "level": "\x00"}),
        ("search:search", {"q": "\x00"}),
    ]:
        response = client.get(reverse(name), params)
        assert response.status_code == 200
    response = client.get(reverse("statutes:law_list"), {"q": "民\x00法"})
    assert response.context["request"].GET["q"] == "民法"


def test_passwords_are_validated():
    for weak in ["12345678", "password", "short"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a-long-and-unusual-passphrase-9")


@pytest.mark.django_db
class TestLoginThrottling:
    def login(self, client, username, password):
        return client.post(
            reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}
        )

    def test_five_failures_lock_that_user_from_that_address(self, client):
        User.objects.create_user("editor", password="right-password-for-tests-1", is_staff=True)
        User.objects.create_user("other", password="right-password-for-tests-2", is_staff=True)
        for _ in range(4):
            assert self.login(client, "editor", "wrong").status_code == 200  # the form again, with its error
        assert self.login(client, "editor", "wrong").status_code == 429  # the fifth failure locks
        locked = self.login(client, "editor", "right-password-for-tests-1")
        assert locked.status_code == 429 and "登录已暂停" in locked.content.decode()
        # Another account from the same address is not locked out.
        assert self.login(client, "other", "right-password-for-tests-2").status_code == 302

    def test_an_overlong_user_name_is_refused_with_a_message_not_a_500(self, client):
        response = self.login(client, "名" * 300, "whatever")
        assert response.status_code == 200
        assert "用户名最多 150 个字符" in response.content.decode()
        assert not AccessAttempt.objects.exists()  # nothing to record: no sign-in was attempted


@pytest.mark.django_db
def test_public_pages_answer_get_and_head_and_refuse_other_methods(client):
    call_command("load_demo", verbosity=0)
    article = Article.objects.published().first()
    provision = article.provisions.first()
    paths = [
        "/", article.get_absolute_url(), article.category.get_absolute_url(),
        article.author.get_absolute_url(), "/statutes/", provision.law.get_absolute_url(),
        provision.get_absolute_url(), "/search/?q=网贷", "/search/suggest?q=民法典",
        "/feed/", "/sitemap.xml", "/robots.txt",
    ]  # fmt: skip
    for path in paths:
        get = client.get(path)
        assert get.status_code == 200, path
        head = client.head(path)
        assert head.status_code == 200 and head.content == b"", path
        for method in ("trace", "post", "put", "delete", "patch"):
            assert getattr(client, method)(path).status_code == 405, (method, path)


def test_the_database_and_var_are_created_owner_only(tmp_path):
    """A new site's SQLite database, its WAL and its index are readable by their owner only."""
    var = tmp_path / "var"
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(KB_VAR_DIR=str(var), DATABASE_URL="")
    env.pop("DATABASE_URL")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         "from django.core.management import call_command; call_command('migrate', verbosity=0); "
         "call_command('rebuild_index', interactive=False, verbosity=0)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (var.stat().st_mode & 0o777) == 0o700
    created = list(var.rglob("*"))
    assert any(path.name == "db.sqlite3" for path in created)
    for path in created:
        assert (path.stat().st_mode & 0o077) == 0, path  # nothing for the group or others
    assert (var / "db.sqlite3").stat().st_mode & 0o777 == 0o600
