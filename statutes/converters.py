"""URL converters: <id:> for any record (articles use it too), <provision_key:> for a provision in its law.

Here, in the bottom layer, so that every app above can use them; registered once, on import.
"""

from django.urls import register_converter
from django.urls.converters import IntConverter


class RecordIdConverter(IntConverter):
    """A database id: at most 18 digits, so that it always fits a 64-bit integer column.

    Django's <int:> takes any length, and a 30-digit id reaches the database as an integer
    SQLite cannot hold (OverflowError, a 500) instead of a plain 404.
    """

    regex = "[0-9]{1,18}"


class ProvisionKeyConverter:
    """ "1032", "253-1": the key a provision has in its law's URLs."""

    regex = r"[1-9][0-9]{0,3}(?:-[1-9][0-9]?)?"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RecordIdConverter, "id")
register_converter(ProvisionKeyConverter, "provision_key")
