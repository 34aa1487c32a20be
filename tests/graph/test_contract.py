"""One contract, every backend: FalkorDB (embedded) always; Neo4j 5 when NEO4J_URI is set."""

import os
from dataclasses import replace

import pytest

from graph.factory import build_store, get_store
from graph.store import ConceptRow, FieldRow, Mention, NeighbourFilter, PaperRow

pytestmark = pytest.mark.server

BACKENDS = [
    pytest.param("falkordb", id="falkordb"),
    pytest.param(
        "neo4j",
        id="neo4j",
        marks=[
            pytest.mark.neo4j,
            pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason="NEO4J_URI is not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def backend(request):
    if request.param == "falkordb":
        store = get_store()
    else:
        store = build_store(os.environ["NEO4J_URI"])
        store.ensure_schema()
    store.clear()
    yield store
    store.clear()


def paper(
    key: str,
    concepts: dict[str, int],
    *,
    published="2025-05-01",
    title=None,
    primary_category="cs.LG",
    **extra,
):
    return PaperRow(
        key=key,
        title=title or f"Paper {key}",
        abstract="An abstract.",
        content_hash=f"hash-{key}-{sorted(concepts.items())}",
        arxiv_id=key,
        published=published,
        authors=("Ada Lovelace", "Alan Turing"),
        categories=("cs.LG", "cs.CL"),
        primary_category=primary_category,
        mentions=tuple(Mention(c, n, False) for c, n in concepts.items()),
        **extra,
    )


CONCEPTS = [ConceptRow(k, k, "method") for k in ("a", "b", "c", "d")]
FIELDS = [FieldRow("cs.LG", "Machine Learning"), FieldRow("cs.CL", "Computation and Language")]


def write(store, papers, replace=()):
    store.papers_upsert(
        papers=papers, concepts=CONCEPTS, fields=FIELDS, job_id=1, replace_edges_of=list(replace)
    )


def cooccurrence(store) -> dict[tuple[str, str], tuple[int, str]]:
    rows = store._run(
        "MATCH (a:Concept)-[r:CO_OCCURS]->(b:Concept) RETURN a.key, b.key, r.papers, r.first"
    )
    return {(a, b): (n, first) for a, b, n, first in rows}


def test_schema_creation_is_idempotent(backend):
    backend.ensure_schema()
    backend.ensure_schema()
    # The schema still does its work after a second creation: keys stay unique and the
    # full-text index answers.
    write(backend, [paper("p1", {"a": 1}, title="Sparse dictionary probes")])
    write(backend, [paper("p1", {"a": 1}, title="Sparse dictionary probes")])
    assert backend.counts().papers == 1
    assert [key for key, _ in backend.text_search(label="Paper", text="dictionary", limit=5)] == [
        "p1"
    ]


def test_writes_are_idempotent(backend):
    papers = [paper("2501.00001", {"a": 2, "b": 1}), paper("2501.00002", {"b": 1, "c": 3})]
    write(backend, papers)
    first = backend.counts()
    write(backend, papers)
    assert backend.counts() == first
    assert (first.papers, first.concepts, first.fields, first.authors) == (2, 4, 2, 2)
    assert first.mentions == 4
    assert backend.papers_stored(keys=["2501.00001", "nope"])["2501.00001"].content_hash


def test_cooccurrence_counts_papers_and_first_date(backend):
    write(backend, [
        paper("p1", {"a": 1, "b": 1}, published="2025-06-01"),
        paper("p2", {"a": 1, "b": 1, "c": 1}, published="2025-03-01"),
    ])  # fmt: skip
    write(backend, [paper("p3", {"a": 1, "b": 1}, published="2025-09-01")])
    assert cooccurrence(backend) == {
        ("a", "b"): (3, "2025-03-01"),
        ("a", "c"): (1, "2025-03-01"),
        ("b", "c"): (1, "2025-03-01"),
    }


def test_updating_a_paper_replaces_its_mentions_and_pairs(backend):
    write(backend, [paper("p1", {"a": 1, "b": 1}), paper("p2", {"a": 1, "b": 1})])
    write(backend, [paper("p1", {"c": 1, "d": 1})], replace=["p1"])
    assert backend.paper_mentions(key="p1") == [("c", 1, False), ("d", 1, False)]
    assert cooccurrence(backend) == {("a", "b"): (1, "2025-05-01"), ("c", "d"): (1, "2025-05-01")}
    papers_per_concept = dict(backend._run("MATCH (c:Concept) RETURN c.key, c.papers"))
    assert papers_per_concept == {"a": 1, "b": 1, "c": 1, "d": 1}


def test_incomplete_paper_is_reported_for_repair(backend):
    write(backend, [paper("p1", {"a": 1})])
    backend._run("MATCH (p:Paper {key: 'p1'}) SET p.content_hash = null", write=True)
    assert backend.papers_stored(keys=["p1"])["p1"].content_hash is None


def test_citations_link_known_papers_only(backend):
    write(backend, [paper("p1", {"a": 1})])
    write(backend, [paper("p2", {"a": 1}, references=("p1", "unknown"))])
    assert backend.counts().citations == 1


def test_hostile_text_is_stored_verbatim(backend):
    title = "<script>alert(1)</script>'}) MATCH (n) DETACH DELETE n //"
    write(backend, [paper("p1", {"a": 1}, title=title)])
    assert backend._run("MATCH (p:Paper {key: 'p1'}) RETURN p.title") == [[title]]
    assert backend.counts().papers == 1


def test_pages_cover_every_paper_once(backend):
    write(backend, [paper(f"p{i:03d}", {"a": 1}) for i in range(25)])
    pages = list(backend.paper_texts(batch_size=10))
    assert [len(p) for p in pages] == [10, 10, 5]
    assert len({key for page in pages for key, _, _ in page}) == 25


def test_concept_stats_hold_paper_counts_and_field_profile(backend):
    write(backend, [paper("p1", {"a": 1, "b": 1}), paper("p2", {"a": 2}, primary_category="cs.CL")])
    detail = backend.concept_detail(key="a")
    assert (detail.papers, set(detail.fields)) == (2, {("cs.CL", 1), ("cs.LG", 1)})
    assert backend.concepts_brief(keys=["b"])["b"].field == "cs.LG"
    backend._run("MATCH (c:Concept) SET c.fields = null, c.papers = 0", write=True)
    assert backend.concept_stats_refresh() == 4
    assert backend.concept_detail(key="a").papers == 2
    assert backend.concept_detail(key="nosuch") is None


def test_a_concept_has_the_kind_most_of_its_papers_read(backend):
    def read_as(key: str, kind: str) -> PaperRow:
        return replace(paper(key, {}), mentions=(Mention("a", 1, False, "a", kind),))

    write(backend, [read_as("p1", "method")])  # the first reading creates it as a method
    assert backend.concept_kinds()["a"] == "method"
    write(backend, [read_as("p2", "phenomenon"), read_as("p3", "phenomenon")])
    assert backend.concept_kinds()["a"] == "phenomenon"
    assert backend.concept_detail(key="a").kind == "phenomenon"


def test_neighbours_are_strongest_first_and_filtered(backend):
    write(
        backend,
        [
            paper("p1", {"a": 1, "b": 1, "c": 1}, published="2025-03-02"),
            paper("p2", {"a": 1, "b": 1}, published="2025-04-02"),
            paper("p3", {"a": 1, "d": 1}, published="2025-09-02"),
        ],
    )
    found = backend.concept_neighbours(keys=["a", "d"], per_key=2, where=NeighbourFilter())
    assert [(n.concept.key, n.weight) for n in found["a"]] == [("b", 2), ("c", 1)]
    assert [n.concept.key for n in found["d"]] == ["a"]
    strong = backend.concept_neighbours(keys=["a"], per_key=9, where=NeighbourFilter(min_weight=2))
    assert [n.concept.key for n in strong["a"]] == ["b"]
    late = backend.concept_neighbours(
        keys=["a"], per_key=9, where=NeighbourFilter(since="2025-06-01")
    )
    assert [(n.concept.key, n.first) for n in late["a"]] == [("d", "2025-09-02")]
    assert backend.concept_neighbours(
        keys=["a"], per_key=9, where=NeighbourFilter(fields=("cs.CR",))
    ) == {"a": []}


def test_links_between_pairs_in_either_order(backend):
    write(backend, [paper("p1", {"a": 1, "b": 1}), paper("p2", {"c": 1, "d": 1})])
    links = backend.links_between(pairs=[("b", "a"), ("a", "c"), ("c", "d")])
    assert sorted(tuple(sorted((link.source, link.target))) for link in links) == [
        ("a", "b"),
        ("c", "d"),
    ]


def test_text_search_takes_only_words(backend):
    write(backend, [paper("p1", {"a": 1}, title="Sparse autoencoders find features")])
    backend.ensure_schema()
    for text in ["sparse autoenc", "SPARSE", "features (sparse*"]:
        assert [k for k, _ in backend.text_search(label="Paper", text=text, limit=5)] == ["p1"]
    # Query syntax is not interpreted: these are the words "title", "sparse" and "x".
    assert backend.text_search(label="Paper", text="@title:{sparse} | -x*", limit=5) == []
    assert backend.text_search(label="Paper", text="%%% ***", limit=5) == []
    with pytest.raises(ValueError):
        backend.text_search(label="Author", text="x", limit=5)


def test_partner_lists_are_served_only_when_current(backend):
    write(backend, [paper("p1", {"a": 1, "b": 1, "c": 1}), paper("p2", {"a": 1, "b": 1})])
    assert backend.concept_tops(keys=["a"]) == {}, "stale until refreshed"
    backend.concept_tops_refresh(min_papers=2)
    assert backend.concept_tops(keys=["a", "b", "c"]) == {
        "a": [("b", 2), ("c", 1)],
        "b": [("a", 2), ("c", 1)],
    }, "c is in one paper: below min_papers, no list"
    write(backend, [paper("p3", {"a": 1, "d": 1})])
    assert "a" not in backend.concept_tops(keys=["a"]), "a new paper made it stale"
    assert backend.concept_tops_refresh(min_papers=2) == 2  # a and d
    assert backend.concept_tops(keys=["a"])["a"] == [("b", 2), ("c", 1), ("d", 1)]
