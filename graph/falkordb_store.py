"""FalkorDB backend: the embedded default, reached over the data dir's unix socket or a URL."""

from __future__ import annotations

from typing import Any

import redis
from falkordb import FalkorDB

from graph import cypher
from graph.cypher_store import CypherStore

# Long refreshes of co-occurrence over a large corpus must not hit the server's default timeout.
QUERY_TIMEOUT_MS = 10 * 60 * 1000


class FalkorDBStore(CypherStore):
    def __init__(self, *, graph_name: str, unix_socket: str | None = None, url: str | None = None):
        if url:
            self._db = FalkorDB.from_url(url)
        else:
            self._db = FalkorDB(unix_socket_path=unix_socket)
        self._graph_name = graph_name
        self._graph = self._db.select_graph(graph_name)

    def _run(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[list[Any]]:
        run = self._graph.query if write else self._graph.ro_query
        return run(query, params or {}, timeout=QUERY_TIMEOUT_MS).result_set

    def ensure_schema(self) -> None:
        connection = self._db.connection
        for label, prop in cypher.UNIQUE_KEYS + cypher.INDEXED_PROPERTIES:
            try:
                self._graph.create_node_range_index(label, prop)
            except redis.ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise
        for label, prop in cypher.UNIQUE_KEYS:
            try:
                connection.execute_command(
                    "GRAPH.CONSTRAINT", "CREATE", self._graph_name, "UNIQUE", "NODE",
                    label, "PROPERTIES", 1, prop,
                )  # fmt: skip
            except redis.ResponseError as exc:
                if "already exists" not in str(exc).lower():
                    raise

    def clear(self) -> None:
        try:
            self._graph.delete()
        except redis.ResponseError as exc:
            if "empty key" not in str(exc).lower() and "invalid graph" not in str(exc).lower():
                raise
        self._graph = self._db.select_graph(self._graph_name)
        self.ensure_schema()

    def close(self) -> None:
        self._db.connection.close()
