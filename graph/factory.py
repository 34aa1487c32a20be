"""One long-lived store per process, chosen by GRAPH_URL."""

from __future__ import annotations

import threading

from django.conf import settings

from graph.store import GraphStore

_lock = threading.Lock()
_store: GraphStore | None = None


def build_store(url: str | None = None) -> GraphStore:
    url = settings.GRAPH_URL if url is None else url
    if url.startswith(("neo4j://", "neo4j+s://", "bolt://", "bolt+s://")):
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(
            url=url,
            user=settings.GRAPH_USER,
            password=settings.GRAPH_PASSWORD,
            database=settings.GRAPH_NAME if settings.GRAPH_NAME != "ideagraph" else None,
        )
    from graph.falkordb_store import FalkorDBStore

    if url:
        return FalkorDBStore(graph_name=settings.GRAPH_NAME, url=url)
    from core.embedded import server_start

    server_start()
    return FalkorDBStore(graph_name=settings.GRAPH_NAME, unix_socket=str(settings.EMBEDDED_SOCKET))


def get_store() -> GraphStore:
    global _store
    with _lock:
        if _store is None:
            store = build_store()
            store.ensure_schema()
            _store = store
        return _store


def reset_store() -> None:
    """Drop the process's store (tests switch data dirs; forked workers must not share sockets)."""
    global _store
    with _lock:
        if _store is not None:
            _store.close()
        _store = None
