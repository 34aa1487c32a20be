"""The database is brought up to date on first use, so every command works on a fresh data dir.

The embedded SQLite database in the data dir is migrated automatically (under a lock, so two
processes starting at once do not race). A configured external database (DATABASE_URL) is
never changed behind its owner's back: the command stops and says what to run."""

from __future__ import annotations

import fcntl

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class DatabaseNotCurrent(RuntimeError):
    pass


def database_is_embedded() -> bool:
    return settings.DATABASES[DEFAULT_DB_ALIAS]["ENGINE"] == "django.db.backends.sqlite3"


def database_pending_migrations() -> list[str]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def database_ensure_current() -> list[str]:
    """Apply pending migrations to the embedded database; returns what was applied. Raises
    DatabaseNotCurrent for an external database that needs migrating."""
    if not database_pending_migrations():
        return []
    if not database_is_embedded():
        raise DatabaseNotCurrent(
            "the database (DATABASE_URL) has unapplied migrations: run `manage.py migrate` first"
        )
    from django.core.management import call_command

    with open(settings.DATA_DIR / "migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pending = database_pending_migrations()
        if pending:
            call_command("migrate", interactive=False, verbosity=0)
    return pending
