"""Batch work yields the CPU to the web server: ingest, idea batches and experiment runs share
the machine with people browsing, and a page should not wait behind an embedding batch."""

from __future__ import annotations

import os
import shutil

from django.conf import settings

_lowered = False


def background_priority_set() -> None:
    """Lower this process's priority by BACKGROUND_NICE, once (os.nice adds up)."""
    global _lowered
    if _lowered or settings.BACKGROUND_NICE <= 0 or not hasattr(os, "nice"):
        return
    try:
        os.nice(settings.BACKGROUND_NICE)
    except OSError:
        return  # not permitted here: run at the priority we have
    _lowered = True


def background_command(command: list[str]) -> list[str]:
    """`command` started at the background priority (`nice`, which execs it: same pid)."""
    nice = shutil.which("nice")
    if settings.BACKGROUND_NICE <= 0 or nice is None:
        return command
    return [nice, "-n", str(settings.BACKGROUND_NICE), *command]
