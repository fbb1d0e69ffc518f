"""The `homeward` console command: Django's manage.py plus Homeward's own commands."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["homeward", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
