#!/usr/bin/env python
"""Django's manage.py; ``cartable`` does the same and more."""

from cartable.cli import main

if __name__ == "__main__":
    main()
