"""Defences that Django does not provide by itself: the Content-Security-Policy, NUL-free query
strings, and a sign-in form that refuses overlong user names.

Django 6 has its own CSP middleware; this one stays small and works on both. Scripts come
only from our own static files (no inline script anywhere, so no 'unsafe-inline' for
scripts); styles allow inline style attributes, which the table of contents uses.
"""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import QueryDict

DEFAULT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def content_security_policy() -> str:
    policy = getattr(settings, "KB_CONTENT_SECURITY_POLICY", None) or DEFAULT_POLICY
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response


class StripNullCharactersMiddleware:
    """Remove NUL characters from query parameters, and cookies holding one, before any view reads them.

    No reader types one, and PostgreSQL cannot compare text that holds one (a DataError, a 500):
    a filter or search with a NUL in it is served as if the NUL were not there. Forms already
    refuse NULs in POSTed fields with a message (Django's ProhibitNullCharactersValidator).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A cookie can carry one too (a quoted "\000"): a session key holding it is no session.
        for name in [name for name, value in request.COOKIES.items() if "\x00" in name + value]:
            del request.COOKIES[name]
        if "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


# Charsets a browser may name for what it sends; anything else (unicode_escape, rot13 …) is a codec,
# not a text encoding, and decoding a query string with it can fail: such a request is read as UTF-8.
TEXT_CHARSETS = {
    "utf-8",
    "utf8",
    "gb18030",
    "gbk",
    "gb2312",
    "big5",
    "iso-8859-1",
    "latin-1",
    "us-ascii",
    "ascii",
}


class TextCharsetMiddleware:
    """Read a request whose Content-Type names a charset that is not a text encoding as UTF-8."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = request.content_params.get("charset", "") if hasattr(request, "content_params") else ""
        if charset and charset.strip().lower() not in TEXT_CHARSETS:
            request.encoding = "utf-8"
        return self.get_response(request)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in form, refusing a user name longer than any account's before signing in.

    Django's form sets the length limit after the field is made, so it is not enforced: an
    overlong name reached authenticate(), and django-axes' record of the failure (a 255-character
    column) was a 500 on PostgreSQL.
    """

    def clean_username(self):
        username = self.cleaned_data["username"]
        limit = self.fields["username"].max_length
        if limit and len(username) > limit:
            raise forms.ValidationError(
                "用户名最多 %(limit)d 个字符。", code="max_length", params={"limit": limit}
            )
        return username
