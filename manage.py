#!/usr/bin/env python
"""Django's command-line utility. Before any command that uses the database, the embedded
database is brought up to date, so every command works on a fresh IDEAGRAPH_DATA_DIR."""

import os
import sys

# Commands that manage migrations themselves, or need no database.
WITHOUT_DATABASE = {
    "", "help", "version", "--help", "-h", "--version", "migrate", "makemigrations",
    "showmigrations", "sqlmigrate", "squashmigrations", "check", "collectstatic",
    "run_experiment", "extract_concepts",
}  # fmt: skip


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    command = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        sys.exit(f"ideagraph: {exc}")
    if command not in WITHOUT_DATABASE:
        from core.database import DatabaseNotCurrent, database_ensure_current

        try:
            database_ensure_current()
        except DatabaseNotCurrent as exc:
            sys.exit(f"ideagraph: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
