"""Every Cypher statement Ideagraph runs. All values are parameters; labels and relationship
types are fixed here, never taken from input."""

# -- schema (backend-specific DDL lives with each backend; these are the keys it covers) --------
UNIQUE_KEYS = (("Paper", "key"), ("Concept", "key"), ("Field", "code"), ("Author", "name"))
INDEXED_PROPERTIES = (("Paper", "arxiv_id"), ("Paper", "published"), ("Concept", "papers"))

# -- writes ------------------------------------------------------------------------------------
UPSERT_CONCEPTS = """
UNWIND $rows AS row
MERGE (c:Concept {key: row.key})
ON CREATE SET c.name = row.name, c.kind = row.kind, c.aliases = row.aliases, c.papers = 0
ON MATCH SET c.aliases = c.aliases + [a IN row.aliases WHERE NOT a IN c.aliases]
"""

UPSERT_FIELDS = """
UNWIND $rows AS row
MERGE (f:Field {code: row.code})
SET f.name = row.name
"""

# content_hash is written last (MARK_PAPERS_COMPLETE): a paper without it is repaired next run.
UPSERT_PAPERS = """
UNWIND $rows AS row
MERGE (p:Paper {key: row.key})
ON CREATE SET p.first_job = $job
SET p.arxiv_id = row.arxiv_id, p.version = row.version, p.title = row.title,
    p.abstract = row.abstract, p.published = row.published, p.updated = row.updated,
    p.authors = row.authors, p.categories = row.categories,
    p.primary_category = row.primary_category, p.doi = row.doi, p.comment = row.comment,
    p.url = row.url, p.content_hash = null
"""

DELETE_PAPER_OUT_EDGES = """
UNWIND $keys AS key
MATCH (p:Paper {key: key})-[r:MENTIONS|IN_FIELD|CITES]->()
DELETE r
"""

DELETE_PAPER_AUTHOR_EDGES = """
UNWIND $keys AS key
MATCH (p:Paper {key: key})<-[r:WROTE]-()
DELETE r
"""

MERGE_MENTIONS = """
UNWIND $rows AS row
MATCH (p:Paper {key: row.paper})
MATCH (c:Concept {key: row.concept})
MERGE (p)-[m:MENTIONS]->(c)
SET m.count = row.count, m.in_title = row.in_title
"""

MERGE_IN_FIELD = """
UNWIND $rows AS row
MATCH (p:Paper {key: row.paper})
MATCH (f:Field {code: row.field})
MERGE (p)-[r:IN_FIELD]->(f)
SET r.primary = row.primary
"""

MERGE_AUTHORS = """
UNWIND $rows AS row
MERGE (a:Author {name: row.name})
WITH a, row
MATCH (p:Paper {key: row.paper})
MERGE (a)-[w:WROTE]->(p)
SET w.position = row.position
"""

MERGE_CITES = """
UNWIND $rows AS row
MATCH (p:Paper {key: row.src})
MATCH (q:Paper {key: row.dst})
MERGE (p)-[:CITES]->(q)
"""

MARK_PAPERS_COMPLETE = """
UNWIND $rows AS row
MATCH (p:Paper {key: row.key})
SET p.content_hash = row.hash
"""

REFRESH_CONCEPT_PAPER_COUNTS = """
UNWIND $keys AS key
MATCH (c:Concept {key: key})
OPTIONAL MATCH (c)<-[:MENTIONS]-(p:Paper)
WITH c, count(p) AS n
SET c.papers = n
"""

# Co-occurrence is kept incrementally: one edge per unordered pair (smaller key -> larger key)
# holding the number of papers mentioning both and the earliest such paper's date. The paper's
# `cooc` flag is flipped in the same statement, so running either statement twice changes nothing.
# Pairs are aggregated before MERGE so each edge is merged once per statement (FalkorDB 4 crashes
# on ON MATCH SET of an edge created earlier in the same statement).
ADD_COOCCURRENCES = """
UNWIND $keys AS key
MATCH (p:Paper {key: key})
WHERE p.cooc IS NULL
SET p.cooc = true
WITH p
MATCH (a:Concept)<-[:MENTIONS]-(p)-[:MENTIONS]->(b:Concept)
WHERE a.key < b.key
WITH a, b, count(p) AS n, min(p.published) AS first
MERGE (a)-[r:CO_OCCURS]->(b)
ON CREATE SET r.papers = n, r.first = first
ON MATCH SET r.papers = r.papers + n,
    r.first = CASE WHEN r.first IS NULL OR first < r.first THEN first ELSE r.first END
"""

# Before a paper's mentions are replaced. `first` is not rolled back: it stays the earliest date
# ever seen for the pair, which only an update that removes the earliest paper makes stale.
REMOVE_COOCCURRENCES = """
UNWIND $keys AS key
MATCH (p:Paper {key: key})
WHERE p.cooc = true
SET p.cooc = null
WITH p
MATCH (a:Concept)<-[:MENTIONS]-(p)-[:MENTIONS]->(b:Concept)
WHERE a.key < b.key
WITH a, b, count(p) AS n
MATCH (a)-[r:CO_OCCURS]->(b)
SET r.papers = r.papers - n
"""

DELETE_EMPTY_COOCCURRENCES = """
UNWIND $keys AS key
MATCH (:Concept {key: key})-[r:CO_OCCURS]-()
WHERE r.papers <= 0
DELETE r
"""

DELETE_ALL = "MATCH (n) DETACH DELETE n"

# -- reads -------------------------------------------------------------------------------------
PAPERS_STORED = """
UNWIND $keys AS key
MATCH (p:Paper {key: key})
RETURN p.key, p.content_hash, p.first_job
"""

CONCEPTS_OF_PAPERS = """
UNWIND $keys AS key
MATCH (:Paper {key: key})-[:MENTIONS]->(c:Concept)
RETURN DISTINCT c.key
"""

CONCEPT_PAPER_COUNTS = """
UNWIND $keys AS key
MATCH (c:Concept {key: key})
RETURN c.key, c.papers
"""

CONCEPT_NAMES_WITH_PAPERS_PAGE = """
MATCH (c:Concept)
WHERE c.key > $after AND c.papers >= $min_papers
RETURN c.key, c.name
ORDER BY c.key
LIMIT $limit
"""

PAPERS_BRIEF = """
UNWIND $keys AS key
MATCH (p:Paper {key: key})
RETURN p.key, p.title, p.published, p.primary_category
"""

CONCEPTS_BRIEF = """
UNWIND $keys AS key
MATCH (c:Concept {key: key})
RETURN c.key, c.name, c.kind, c.papers
"""

PAPER_MENTIONS = """
MATCH (:Paper {key: $key})-[m:MENTIONS]->(c:Concept)
RETURN c.key, m.count, m.in_title
ORDER BY c.key
"""

COUNT_NODES = {
    "papers": "MATCH (n:Paper) RETURN count(n)",
    "concepts": "MATCH (n:Concept) RETURN count(n)",
    "fields": "MATCH (n:Field) RETURN count(n)",
    "authors": "MATCH (n:Author) RETURN count(n)",
    "mentions": "MATCH (:Paper)-[r:MENTIONS]->(:Concept) RETURN count(r)",
    "cooccurrences": "MATCH (:Concept)-[r:CO_OCCURS]->(:Concept) RETURN count(r)",
    "citations": "MATCH (:Paper)-[r:CITES]->(:Paper) RETURN count(r)",
}

# Keyset pagination: stable and linear, unlike SKIP.
PAPER_TEXTS_PAGE = """
MATCH (p:Paper)
WHERE p.key > $after
RETURN p.key, p.title, p.abstract
ORDER BY p.key
LIMIT $limit
"""
