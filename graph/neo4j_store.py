"""Neo4j 5 backend, for production deployments (`GRAPH_URL=neo4j://...` or `bolt://...`)."""

from __future__ import annotations

from typing import Any

from neo4j import GraphDatabase, RoutingControl

from graph import cypher
from graph.cypher_store import CypherStore


class Neo4jStore(CypherStore):
    def __init__(self, *, url: str, user: str, password: str, database: str | None = None):
        self._driver = GraphDatabase.driver(url, auth=(user, password) if password else None)
        self._database = database

    def _run(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[list[Any]]:
        records, _, _ = self._driver.execute_query(
            query,
            params or {},
            database_=self._database,
            routing_=RoutingControl.WRITE if write else RoutingControl.READ,
        )
        return [list(record.values()) for record in records]

    def ensure_schema(self) -> None:
        for label, prop in cypher.UNIQUE_KEYS:
            name = f"{label.lower()}_{prop}_unique"
            self._run(
                f"CREATE CONSTRAINT {name} IF NOT EXISTS "  # noqa: S608 - names from the allow-list
                f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE",
                write=True,
            )
        for label, prop in cypher.INDEXED_PROPERTIES:
            name = f"{label.lower()}_{prop}"
            self._run(
                f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})", write=True
            )

        for name, label, props in cypher.NEO4J_FULLTEXT_INDEXES:
            on = ", ".join(f"n.{prop}" for prop in props)
            self._run(
                f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS "  # noqa: S608 - allow-listed names
                f"FOR (n:{label}) ON EACH [{on}]",
                write=True,
            )

    def _text_search(self, label: str, terms: list[str], limit: int) -> list[tuple[str, float]]:
        # Lucene: terms are plain alphanumeric words, so nothing needs escaping; all must match.
        index = next(name for name, lbl, _ in cypher.NEO4J_FULLTEXT_INDEXES if lbl == label)
        query = " AND ".join([*terms[:-1], terms[-1] + "*"])
        rows = self._run(cypher.NEO4J_SEARCH, {"index": index, "query": query, "limit": limit})
        return [(key, float(score)) for key, score in rows]

    def clear(self) -> None:
        # CALL ... IN TRANSACTIONS needs an auto-commit transaction, which execute_query is not.
        with self._driver.session(database=self._database) as session:
            session.run(cypher.NEO4J_CLEAR).consume()
        self.ensure_schema()

    def close(self) -> None:
        self._driver.close()
