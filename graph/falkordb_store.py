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
        for label, props in cypher.FALKORDB_FULLTEXT_INDEXES:
            try:
                self._graph.create_node_fulltext_index(label, *props)
            except redis.ResponseError as exc:
                if "already indexed" not in str(exc):
                    raise

    def _text_search(self, label: str, terms: list[str], limit: int) -> list[tuple[str, float]]:
        # RediSearch: words are ANDed; a last word of two or more letters also matches as a prefix,
        # so results follow the user's typing.
        last = terms[-1] + ("*" if len(terms[-1]) >= 2 else "")
        query = " ".join([*terms[:-1], last])
        try:
            rows = self._run(
                cypher.FALKORDB_SEARCH, {"label": label, "query": query, "limit": limit}
            )
        except redis.ResponseError as exc:
            if "stopwords" in str(exc).lower():  # a query of stop words only matches nothing
                return []
            raise
        return [(key, float(score)) for key, score in rows]

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
