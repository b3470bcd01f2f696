"""The ``cartable`` command: ``demo``, ``serve``, ``worker``, ``seed``, and every manage.py command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "demo":
        # Demo mode is decided before settings load: it generates a secret key and shows demo hints.
        os.environ.setdefault("CARTABLE_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
    from django.core.management import execute_from_command_line

    argv[0] = "cartable"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
