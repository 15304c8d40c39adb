"""URL converters shared by the apps."""

from django.urls import register_converter
from django.urls.converters import IntConverter


class RecordIdConverter(IntConverter):
    """A database id: at most 18 digits, so that it always fits a 64-bit integer column.

    Django's <int:> takes any length, and a 30-digit id reaches the database as an integer
    SQLite cannot hold (OverflowError, a 500) instead of a plain 404.
    """

    regex = "[0-9]{1,18}"


register_converter(RecordIdConverter, "id")
