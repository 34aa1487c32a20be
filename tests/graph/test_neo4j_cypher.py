"""Every Cypher statement the Neo4j backend can send, checked by Neo4j's own Cypher 5 front end
(@neo4j-cypher/language-support, pinned in tools/cypher-check and installed by scripts/bootstrap).

What this proves: each statement parses as Cypher 5, uses only clauses and syntax Neo4j 5 accepts,
and calls only procedures and functions a Neo4j 5 server lists. What it does not: that the
statements return what the code expects on a Neo4j server (the contract suite checks that on
FalkorDB, and on Neo4j when NEO4J_URI is set), nor their speed there."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from graph import cypher
from graph.neo4j_store import Neo4jStore

TOOL = Path(__file__).resolve().parents[2] / "tools" / "cypher-check"
pytestmark = [
    pytest.mark.slow,  # starts Node.js
    pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed"),
]


def lint(statements: dict[str, str]) -> dict[str, list[str]]:
    assert (TOOL / "node_modules").exists(), "run scripts/bootstrap: it installs tools/cypher-check"
    payload = json.dumps([{"name": k, "query": q} for k, q in statements.items()])
    done = subprocess.run(
        ["node", "check.mjs"], input=payload, capture_output=True, text=True, cwd=TOOL, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return {row["name"]: row["errors"] for row in json.loads(done.stdout)}


class RecordingNeo4jStore(Neo4jStore):
    """The Neo4j backend with its driver replaced by a list of the statements it would send."""

    def __init__(self):
        self.sent: list[str] = []

    def _run(self, query, params=None, *, write=False):
        self.sent.append(query)
        return []


def neo4j_statements() -> dict[str, str]:
    """Shared statements (all of graph/cypher.py but FalkorDB's own) plus the backend's DDL."""
    statements = {}
    for name, value in vars(cypher).items():
        if not name.isupper() or name.startswith("FALKORDB"):
            continue
        if isinstance(value, str):
            statements[name] = value
        elif isinstance(value, dict):
            statements |= {f"{name}[{k}]": v for k, v in value.items() if isinstance(v, str)}
    store = RecordingNeo4jStore()
    store.ensure_schema()
    statements |= {f"ensure_schema[{i}]": query for i, query in enumerate(store.sent)}
    return statements


def test_every_statement_the_neo4j_backend_sends_passes_neo4js_cypher_5_front_end():
    statements = neo4j_statements()
    assert len(statements) > 50 and "NEO4J_SEARCH" in statements and "NEO4J_CLEAR" in statements
    assert sum(name.startswith("ensure_schema") for name in statements) == 9
    failing = {name: errors for name, errors in lint(statements).items() if errors}
    assert failing == {}


def test_the_front_end_rejects_what_neo4j_5_would():
    errors = lint(
        {
            "old_constraint": "CREATE CONSTRAINT ON (n:Paper) ASSERT n.key IS UNIQUE",
            "misspelt_clause": "MACTH (n) RETURN n",
            "unknown_procedure": "CALL db.index.fulltext.queryNode($i, $q) YIELD node RETURN node",
            "good": "CREATE CONSTRAINT k IF NOT EXISTS FOR (n:Paper) REQUIRE n.key IS UNIQUE",
        }
    )
    assert "ON and ASSERT should not be used" in errors["old_constraint"][0]
    assert "Invalid input 'MACTH'" in errors["misspelt_clause"][0]
    assert "db.index.fulltext.queryNode is not present" in errors["unknown_procedure"][0]
    assert errors["good"] == []
