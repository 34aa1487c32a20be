"""The graph store: one interface (`graph.store.GraphStore`), two backends (FalkorDB, Neo4j 5)."""
