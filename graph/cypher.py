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
SET m.count = row.count, m.in_title = row.in_title, m.form = row.form, m.kind = row.kind
"""

DELETE_PAPER_MENTIONS = """
UNWIND $keys AS key
MATCH (:Paper {key: key})-[m:MENTIONS]->()
DELETE m
"""

CONCEPT_KINDS_PAGE = """
MATCH (c:Concept)
WHERE c.key > $after
RETURN c.key, c.kind
ORDER BY c.key
LIMIT $limit
"""

# Concepts no paper mentions any more (after a re-extraction) leave the graph.
DELETE_UNMENTIONED_CONCEPTS = """
UNWIND $keys AS key
MATCH (c:Concept {key: key})
WHERE NOT (c)<-[:MENTIONS]-()
DETACH DELETE c
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

# A concept has the kind its papers' readings most often give: "jailbreak" is a phenomenon in 142
# demo papers, whatever the one that wrote "jailbreaking" (a method) first says. Mentions written
# before kinds were kept leave the kind as it is.
REFRESH_CONCEPT_KINDS = """
UNWIND $keys AS key
MATCH (c:Concept {key: key})<-[m:MENTIONS]-(:Paper)
WHERE m.kind IS NOT NULL AND m.kind <> ''
WITH c, m.kind AS kind, count(*) AS n
ORDER BY n DESC, kind
WITH c, collect(kind) AS kinds
WHERE c.kind <> kinds[0]
SET c.kind = kinds[0]
"""

# A concept is named as its papers most often write it ("TruthfulQA", "sparse autoencoders").
REFRESH_CONCEPT_NAMES = """
UNWIND $keys AS key
MATCH (c:Concept {key: key})<-[m:MENTIONS]-(:Paper)
WHERE m.form IS NOT NULL AND m.form <> ''
WITH c, m.form AS form, count(*) AS n
ORDER BY n DESC, form
WITH c, collect(form) AS forms
SET c.name = forms[0]
"""

# A concept's paper count and its field profile: the primary categories of its papers, most
# frequent first (top FIELD_PROFILE_SIZE), kept on the node so that colouring a 500-node view or
# filtering by field never walks the papers. '' stands for papers without a category.
FIELD_PROFILE_SIZE = 5
REFRESH_CONCEPT_STATS = f"""
UNWIND $keys AS key
MATCH (c:Concept {{key: key}})
OPTIONAL MATCH (c)<-[:MENTIONS]-(p:Paper)
WITH c, coalesce(p.primary_category, '') AS field, count(p) AS n
ORDER BY n DESC
WITH c, toInteger(sum(n)) AS total, collect(field) AS fields, collect(n) AS counts
SET c.papers = total,
    c.fields = CASE WHEN total = 0 THEN [] ELSE fields[..{FIELD_PROFILE_SIZE}] END,
    c.field_counts = CASE WHEN total = 0 THEN [] ELSE counts[..{FIELD_PROFILE_SIZE}] END,
    c.top_stale = true
"""

# Each concept in at least $min_papers papers keeps its TOP_NEIGHBOURS strongest co-occurrence
# partners as two lists, so an unfiltered neighbourhood, and the links among the concepts on
# screen, are read from a few nodes instead of walking a hub's hundred thousand links per
# request. REFRESH_CONCEPT_STATS marks a concept stale; an ingest job refreshes its stale ones at
# the end. A stale or missing list is never used.
TOP_NEIGHBOURS = 100
REFRESH_TOP_NEIGHBOURS = f"""
UNWIND $keys AS key
MATCH (c:Concept {{key: key}})
WITH c
OPTIONAL MATCH (c)-[r:CO_OCCURS]-(n:Concept)
WITH c, n, r
ORDER BY r.papers DESC, n.papers DESC, n.key
WITH c, collect([n.key, r.papers]) AS found
WITH c, [t IN found WHERE t[0] IS NOT NULL][..{TOP_NEIGHBOURS}] AS top
SET c.top_keys = CASE WHEN c.papers >= $min_papers THEN [t IN top | t[0]] ELSE null END,
    c.top_weights = CASE WHEN c.papers >= $min_papers THEN [t IN top | t[1]] ELSE null END,
    c.top_stale = null
"""

# Concepts under $min_papers keep no list: theirs is cleared without walking their links (most
# concepts of a graph are in one or two papers).
CLEAR_TOP_NEIGHBOURS = """
UNWIND $keys AS key
MATCH (c:Concept {key: key})
SET c.top_keys = null, c.top_weights = null, c.top_stale = null
"""

STALE_TOP_SIZES_PAGE = """
MATCH (c:Concept)
WHERE c.key > $after AND c.top_stale = true
RETURN c.key, c.papers
ORDER BY c.key
LIMIT $limit
"""

CONCEPT_SIZES_PAGE = """
MATCH (c:Concept)
WHERE c.key > $after
RETURN c.key, c.papers
ORDER BY c.key
LIMIT $limit
"""

CONCEPT_TOPS = """
UNWIND $keys AS key
MATCH (c:Concept {key: key})
WHERE c.top_keys IS NOT NULL AND c.top_stale IS NULL
RETURN c.key, c.top_keys, c.top_weights
"""

CONCEPT_KEYS_PAGE = """
MATCH (c:Concept)
WHERE c.key > $after
RETURN c.key
ORDER BY c.key
LIMIT $limit
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
RETURN c.key, c.name, c.papers
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
RETURN c.key, c.name, c.kind, c.papers, c.fields[0]
"""

# Every mention made by the papers that mention any of $concepts (to rewrite them on a merge).
MENTIONS_OF_PAPERS_MENTIONING = """
UNWIND $concepts AS concept
MATCH (p:Paper)-[:MENTIONS]->(:Concept {key: concept})
WITH DISTINCT p
MATCH (p)-[m:MENTIONS]->(c:Concept)
RETURN p.key, c.key, m.count, m.in_title, m.form, m.kind
"""

PAPER_MENTIONS = """
MATCH (:Paper {key: $key})-[m:MENTIONS]->(c:Concept)
RETURN c.key, m.count, m.in_title
ORDER BY c.key
"""

# Each relationship type joins one pair of labels, so its count needs no labels on its ends;
# without them both FalkorDB and Neo4j answer from their count statistics instead of scanning
# every edge (5.6M co-occurrences on the 54k graph: 2.45 s with labels, under 1 ms without).
COUNT_NODES = {
    "papers": "MATCH (n:Paper) RETURN count(n)",
    "concepts": "MATCH (n:Concept) RETURN count(n)",
    "fields": "MATCH (n:Field) RETURN count(n)",
    "authors": "MATCH (n:Author) RETURN count(n)",
    "mentions": "MATCH ()-[r:MENTIONS]->() RETURN count(r)",
    "cooccurrences": "MATCH ()-[r:CO_OCCURS]->() RETURN count(r)",
    "citations": "MATCH ()-[r:CITES]->() RETURN count(r)",
}

# Keyset pagination: stable and linear, unlike SKIP.
PAPER_TEXTS_PAGE = """
MATCH (p:Paper)
WHERE p.key > $after
RETURN p.key, p.title, p.abstract
ORDER BY p.key
LIMIT $limit
"""

# One page of papers with the concepts they mention that have at least $min_papers papers: the
# history ideation learns from. The page is pinned before the walk (FalkorDB would otherwise
# aggregate every paper before ordering).
PAPER_CONCEPTS_PAGE = """
MATCH (p:Paper)
WHERE p.key > $after
WITH p ORDER BY p.key LIMIT $limit
OPTIONAL MATCH (p)-[:MENTIONS]->(c:Concept)
WHERE c.papers >= $min_papers
RETURN p.key, p.published, p.primary_category, collect(c.key)
ORDER BY p.key
"""

PAPERS_TEXT = """
MATCH (p:Paper)
WHERE p.key IN $keys
RETURN p.key, p.title, p.abstract
"""

# -- browsing ------------------------------------------------------------------------------------
CONCEPT_DETAIL = """
MATCH (c:Concept {key: $key})
RETURN c.key, c.name, c.kind, c.aliases, c.papers, c.fields, c.field_counts
"""

CONCEPT_MONTHS = """
MATCH (c:Concept {key: $key})
WITH c
MATCH (c)<-[:MENTIONS]-(p:Paper)
WHERE p.published IS NOT NULL
WITH substring(p.published, 0, 7) AS month, count(p) AS n
RETURN month, n
ORDER BY month
"""

# In-title mentions first, then by how often the abstract uses the concept, newest first.
CONCEPT_TOP_PAPERS = """
MATCH (:Concept {key: $key})<-[m:MENTIONS]-(p:Paper)
WITH p, CASE WHEN m.in_title THEN 1 ELSE 0 END AS in_title, m.count AS n
RETURN p.key, p.title, p.published, p.primary_category
ORDER BY in_title DESC, n DESC, p.published DESC
LIMIT $limit
"""

# A neighbour passes the field filter when one of the listed fields holds at least a fifth of its
# papers. The date range applies to when a link first appeared (the earliest co-mentioning paper).
# The first MATCH pins the start to the key index: with the filters on `n`, FalkorDB's planner
# would otherwise scan every concept and traverse backwards.
CONCEPT_NEIGHBOURS = """
UNWIND $keys AS key
MATCH (c:Concept {key: key})
WITH key, c
MATCH (c)-[r:CO_OCCURS]-(n:Concept)
WHERE r.papers >= $min_weight
  AND ($since IS NULL OR r.first >= $since)
  AND ($until IS NULL OR r.first <= $until)
  AND ($kinds IS NULL OR n.kind IN $kinds)
  AND ($fields IS NULL OR any(i IN range(0, size(coalesce(n.fields, [])) - 1)
       WHERE n.fields[i] IN $fields AND n.field_counts[i] * 5 >= n.papers))
WITH key, n, r
ORDER BY r.papers DESC, n.papers DESC, n.key
WITH key, collect([n.key, n.name, n.kind, n.papers, n.fields[0], r.papers, r.first]) AS found
RETURN key, found[..$per_key]
"""

# Links between given pairs of concepts (each pair once, either direction). Both ends are found
# by key before the link is looked up (the WITHs keep FalkorDB's planner from scanning all of a
# hub's links instead).
COOCCURRENCE_OF_PAIRS = """
UNWIND $pairs AS pair
MATCH (a:Concept {key: pair[0]})
WITH a, pair
MATCH (b:Concept {key: pair[1]})
WITH a, b
MATCH (a)-[r:CO_OCCURS]-(b)
WHERE r.papers >= $min_weight
  AND ($since IS NULL OR r.first >= $since)
  AND ($until IS NULL OR r.first <= $until)
RETURN a.key, b.key, r.papers, r.first
"""

# The links from some concepts to any of a set: read from the first side, which callers keep to
# concepts with few links.
LINKS_INTO_SET = """
UNWIND $keys AS key
MATCH (a:Concept {key: key})
WITH a
MATCH (a)-[r:CO_OCCURS]-(b:Concept)
WHERE b.key IN $among AND r.papers >= $min_weight
RETURN a.key, b.key, r.papers, r.first
"""

# Papers of one concept that mention at least two of the given concepts: the papers that bridge
# the concepts on screen.
BRIDGING_PAPERS = """
MATCH (:Concept {key: $key})<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(n:Concept)
WHERE n.key IN $keys
WITH p, collect(n.key) AS hits
WHERE size(hits) >= 2
RETURN p.key, p.title, p.published, p.primary_category, hits
ORDER BY size(hits) DESC, p.published DESC
LIMIT $limit
"""

PAPER_DETAIL = """
MATCH (p:Paper {key: $key})
RETURN p.key, p.title, p.abstract, p.arxiv_id, p.version, p.published, p.updated, p.authors,
       p.categories, p.primary_category, p.doi, p.comment, p.url
"""

PAPER_CONCEPTS = """
MATCH (:Paper {key: $key})-[m:MENTIONS]->(c:Concept)
RETURN c.key, c.name, c.kind, c.papers, c.aliases
ORDER BY c.papers DESC
"""

CONCEPT_PROFILES_PAGE = """
MATCH (c:Concept)
WHERE c.key > $after AND c.papers >= $min_papers
RETURN c.key, c.name, c.kind, c.papers, c.fields, c.field_counts, c.aliases
ORDER BY c.key
LIMIT $limit
"""

FIELD_NAMES = "MATCH (f:Field) RETURN f.code, f.name"

PAPERS_PER_PRIMARY_FIELD = """
MATCH (p:Paper)
RETURN p.primary_category, count(p)
"""

LATEST_PUBLISHED = "MATCH (p:Paper) RETURN max(p.published)"

# Mentions per concept per month since a date, for concepts in at least $min_papers papers.
CONCEPT_MONTHLY_SINCE = """
MATCH (p:Paper)
WHERE p.published >= $since
MATCH (p)-[:MENTIONS]->(c:Concept)
WHERE c.papers >= $min_papers
RETURN c.key, substring(p.published, 0, 7), count(p)
"""

# The most mentioned concepts with the number of concepts each co-occurs with.
CONCEPTS_MOST_CONNECTED = """
MATCH (c:Concept)
WHERE c.papers >= $min_papers
WITH c
ORDER BY c.papers DESC
LIMIT $candidates
OPTIONAL MATCH (c)-[r:CO_OCCURS]-()
WITH c, count(r) AS degree
RETURN c.key, c.name, c.kind, c.papers, c.fields[0], degree
ORDER BY degree DESC
LIMIT $limit
"""

# Full-text search differs by backend: FalkorDB's index is RediSearch, Neo4j's is Lucene.
FALKORDB_FULLTEXT_INDEXES = (("Paper", ("title", "abstract")), ("Concept", ("name",)))
FALKORDB_SEARCH = """
CALL db.idx.fulltext.queryNodes($label, $query) YIELD node, score
RETURN node.key, score
ORDER BY score DESC
LIMIT $limit
"""
NEO4J_FULLTEXT_INDEXES = (
    ("paper_text", "Paper", ("title", "abstract")),
    ("concept_name", "Concept", ("name",)),
)
NEO4J_SEARCH = """
CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score
RETURN node.key, score
ORDER BY score DESC
LIMIT $limit
"""
# In batches: one transaction deleting a big graph would not fit in memory.
NEO4J_CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
