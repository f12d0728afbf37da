#!/usr/bin/env python
"""Django's command-line utility for Certeef."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certeef.settings")
    # manage.py is the developer's entry point: debug unless the environment says otherwise.
    # Production sets DJANGO_DEBUG=0 (README) and serves through gunicorn, which never reads this.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
