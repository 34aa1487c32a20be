"""A mark, kept in the data dir, that the graph was rewritten without its counts changing.

Caches of the whole graph (the ideation history) are keyed by the graph's counts; re-extracting
concepts can rename nodes and move mentions while every count stays the same. The command that
does so leaves this mark, and the caches read it as part of their key. It lives beside those
caches, which every process on the machine already shares."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings

_NAME = "graph-rewritten"


def _path() -> Path:
    return Path(settings.DATA_DIR) / _NAME


def graph_rewritten_mark() -> None:
    path = _path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(str(time.time_ns()))
    os.replace(tmp, path)


def graph_rewritten_token() -> str:
    try:
        return _path().read_text().strip()
    except FileNotFoundError:
        return ""
