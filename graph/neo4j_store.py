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

    def _run(self, query: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
        is_read = query.lstrip().upper().startswith("MATCH") and " SET " not in query.upper()
        records, _, _ = self._driver.execute_query(
            query,
            params or {},
            database_=self._database,
            routing_=RoutingControl.READ if is_read else RoutingControl.WRITE,
        )
        return [list(record.values()) for record in records]

    def ensure_schema(self) -> None:
        for label, prop in cypher.UNIQUE_KEYS:
            name = f"{label.lower()}_{prop}_unique"
            self._run(
                f"CREATE CONSTRAINT {name} IF NOT EXISTS "  # noqa: S608 - names from the allow-list
                f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
            )
        for label, prop in cypher.INDEXED_PROPERTIES:
            name = f"{label.lower()}_{prop}"
            self._run(f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})")

    def clear(self) -> None:
        self._run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        self.ensure_schema()

    def close(self) -> None:
        self._driver.close()
