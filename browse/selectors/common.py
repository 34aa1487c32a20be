"""What every browse page shares: not-found errors and a small process-wide cache for
whole-graph summaries (fields map, dashboard lists)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

SUMMARY_TTL_S = 300.0


class ConceptNotFound(LookupError):
    def __init__(self, key: str):
        super().__init__(f"no concept with key {key!r}")
        self.key = key


class PaperNotFound(LookupError):
    pass


T = TypeVar("T")
_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def cached(name: str, compute: Callable[[], T], ttl: float = SUMMARY_TTL_S) -> T:
    """Whole-graph summaries take a second or more on a large graph; they are recomputed at most
    every `ttl` seconds per process."""
    with _cache_lock:
        hit = _cache.get(name)
        if hit and time.monotonic() - hit[0] < ttl:
            return hit[1]
    value = compute()
    with _cache_lock:
        _cache[name] = (time.monotonic(), value)
    return value


def summaries_forget() -> None:
    with _cache_lock:
        _cache.clear()
