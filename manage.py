#!/usr/bin/env python
"""Django's command-line utility for the KB."""

import os
import sys


def main():
    # What the site writes (the database, the index, backups under var/) is its own: owner-only.
    os.umask(0o077)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
