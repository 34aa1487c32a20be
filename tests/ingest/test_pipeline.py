import json
from collections import Counter, defaultdict
from dataclasses import replace

import numpy as np
import pytest

from index import embedding
from index.models import VectorKey
from index.selectors import semantic_search
from index.services import index_rebuild
from index.vectorindex import CONCEPTS, PAPERS, get_index, vector_id
from ingest import services
from ingest.merges import concepts_merged
from ingest.models import IngestJob
from ingest.selectors import concept_merge_map, graph_stats
from tests.conftest import sample_lines, write_jsonl

pytestmark = pytest.mark.django_db


def run_file(path) -> IngestJob:
    job = services.ingest_file_job_create(path=path)
    return services.ingest_job_run(job_id=job.pk)


def test_real_papers_land_as_nodes_edges_and_vectors(clean_state, tmp_path, settings):
    settings.INGEST_CHUNK_SIZE = 8
    job = run_file(write_jsonl(tmp_path / "p.jsonl", sample_lines(20)))
    assert (job.status, job.seen, job.new, job.invalid) == ("succeeded", 20, 20, 0)
    stats = graph_stats()
    assert stats["papers"] == stats["paper_vectors"] == 20
    counts = clean_state.concept_paper_counts(
        keys=[k for page in clean_state.concept_names() for k, _, _ in page]
    )
    shared = [k for k, n in counts.items() if n >= settings.CONCEPT_VECTOR_MIN_PAPERS]
    assert stats["concepts"] == len(counts) > 20
    assert stats["concept_vectors"] == len(shared) > 0, "concepts in two or more papers"
    assert stats["mentions"] >= stats["papers"]
    assert stats["fields"] >= 3 and stats["authors"] > 20
    assert VectorKey.objects.filter(index=PAPERS).count() == 20
    assert set(job.timings) >= {"extract_s", "graph_s", "embed_s", "total_s"}


def test_counts_go_up_as_soon_as_a_chunk_is_in_the_graph(
    clean_state, tmp_path, settings, monkeypatch
):
    """The page shows what the graph holds: a chunk counts before its slow embedding step."""
    settings.INGEST_CHUNK_SIZE = 8
    seen_while_embedding = []
    embed = services._vector_stage

    def watched(staged, store):
        job = IngestJob.objects.latest("pk")
        seen_while_embedding.append((job.seen, job.new, job.records_done))
        return embed(staged, store)

    monkeypatch.setattr(services, "_vector_stage", watched)
    job = run_file(write_jsonl(tmp_path / "p.jsonl", sample_lines(20)))
    assert (job.seen, job.new, job.records_done) == (20, 20, 20)
    assert seen_while_embedding[0] == (8, 8, 0)  # counted, its vectors still to come
    assert seen_while_embedding[-1] == (20, 20, 16)


def test_ingesting_twice_gives_identical_counts(clean_state, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", sample_lines(15))
    run_file(path)
    before = graph_stats()
    second = run_file(path)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 15)
    assert graph_stats() == before


def test_changed_record_counts_as_updated_and_is_rewritten(clean_state, tmp_path):
    lines = sample_lines(5)
    run_file(write_jsonl(tmp_path / "a.jsonl", lines))
    changed = json.loads(lines[0])
    changed["abstract"] = "We study sparse autoencoders (SAEs) for mechanistic interpretability."
    job = run_file(write_jsonl(tmp_path / "b.jsonl", [changed, *lines[1:]]))
    assert (job.new, job.updated, job.unchanged) == (0, 1, 4)
    mentioned = {k for k, _, _ in clean_state.paper_mentions(key=changed["id"])}
    assert "sparseautoencoder" in mentioned
    assert graph_stats()["papers"] == 5


def test_bad_lines_are_reported_and_good_records_kept(clean_state, tmp_path):
    good = sample_lines(4)
    path = tmp_path / "bad.jsonl"
    path.write_bytes(
        "\n".join([good[0], "{not json", good[1], '{"id": "x", "title": "t", "abstract": "a"}',
                   good[2], '{"title": "no abstract"}', good[3]]).encode()
        + b'\n{"id": "2501.00001", "title": "\xff", "abstract": "a"}\n'
    )  # fmt: skip
    job = run_file(path)
    assert (job.status, job.seen, job.new, job.invalid) == ("succeeded", 8, 4, 4)
    assert [e.line for e in job.errors.all()] == [2, 4, 6, 8]
    assert graph_stats()["papers"] == 4


def test_a_paper_missing_its_vector_is_repaired_next_run(clean_state, tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "p.jsonl", sample_lines(6))

    def crash(*args, **kwargs):
        raise RuntimeError("killed between the graph write and the index save")

    monkeypatch.setattr(services, "_embed_into", crash)
    job = services.ingest_file_job_create(path=path)
    with pytest.raises(RuntimeError):
        services.ingest_job_run(job_id=job.pk)
    monkeypatch.undo()
    assert graph_stats()["papers"] == 6 and graph_stats()["paper_vectors"] == 0
    rerun = run_file(path)
    assert rerun.unchanged == 6
    assert graph_stats()["paper_vectors"] == 6


def test_paper_vectors_find_their_own_paper(clean_state, tmp_path):
    lines = sample_lines(10)
    run_file(write_jsonl(tmp_path / "p.jsonl", lines))
    record = json.loads(lines[3])
    query = embedding.encode([f"{record['title']}. {record['abstract']}"])
    hits = get_index(PAPERS).search(query, 3)[0]
    assert hits[0].vid == vector_id(record["id"])
    assert hits[0].score > 0.99
    assert np.isclose(np.linalg.norm(query[0]), 1.0, atol=1e-4)


def test_a_concept_gets_its_vector_when_a_second_paper_mentions_it(clean_state, tmp_path):
    first, second = (json.loads(line) for line in sample_lines(2))
    first["abstract"] += " We also use graph neural networks."
    run_file(write_jsonl(tmp_path / "a.jsonl", [first]))
    key = vector_id("graphneuralnetwork")
    assert get_index(CONCEPTS).missing([key]) == [key]
    second["abstract"] += " Graph neural networks help here."
    run_file(write_jsonl(tmp_path / "b.jsonl", [second]))
    assert get_index(CONCEPTS).missing([key]) == []


def test_rebuild_index_restores_every_vector(clean_state, tmp_path):
    run_file(write_jsonl(tmp_path / "p.jsonl", sample_lines(8)))
    before = graph_stats()
    get_index(PAPERS).path.unlink()
    get_index(CONCEPTS).path.unlink()
    counts = index_rebuild()
    assert counts["papers"] == 8
    assert graph_stats() == before


def test_rebuild_index_takes_a_dir_made_with_another_embedding(clean_state, tmp_path, vector_dir):
    from index import vectorindex

    run_file(write_jsonl(tmp_path / "p.jsonl", sample_lines(8)))
    record = vector_dir / embedding.IDENTITY_FILE
    record.write_text(json.dumps({**embedding.identity(), "quantize": "int8"}))
    vectorindex._indexes.clear()  # a new process: it reads the record afresh
    with pytest.raises(embedding.EmbeddingMismatch):
        get_index(PAPERS)
    assert index_rebuild()["papers"] == 8
    assert json.loads(record.read_text()) == embedding.identity()
    vectorindex._indexes.clear()
    assert get_index(PAPERS).count() == 8


def test_semantic_search_finds_papers_and_concepts(clean_state, tmp_path):
    lines = sample_lines(30)
    run_file(write_jsonl(tmp_path / "p.jsonl", lines))
    record = json.loads(lines[7])
    hits = semantic_search(query=record["title"], limit=5)
    assert hits.papers[0][0].key == record["id"]
    assert hits.papers[0][0].title == record["title"]
    scores = [score for _, score in hits.papers]
    assert scores == sorted(scores, reverse=True)
    assert hits.concepts and all(brief.papers >= 2 for brief, _ in hits.concepts)


def test_reextraction_brings_an_old_graph_to_the_current_concepts(
    clean_state, tmp_path, monkeypatch
):
    from ingest import extraction
    from ingest.extraction import Concept

    real = extraction.extract_concepts

    def old_extractor(text: str) -> list[Concept]:  # an older layer: a generic phrase as concept,
        untyped = [replace(c, kind="other") for c in real(text)]  # and no kinds
        return [*untyped, Concept("accuratemodel", "accurate model", "method", ((0, 1),))]

    monkeypatch.setattr(services, "extract_concepts", old_extractor)
    job = run_file(write_jsonl(tmp_path / "p.jsonl", sample_lines(12)))
    assert job.status == "succeeded"
    store = clean_state
    assert store.concept_detail(key="accuratemodel").papers == 12
    paper_vectors = get_index(PAPERS).count()
    embedded: list[str] = []
    encode = embedding.encode
    monkeypatch.setattr(embedding, "encode", lambda texts: embedded.extend(texts) or encode(texts))
    monkeypatch.setattr(services, "extract_concepts", real)

    from ideation.history import graph_version  # the whole-graph caches' key

    version = graph_version(store)
    counts = services.concepts_reextract()

    assert graph_version(store) != version  # even where every count stayed the same
    assert counts["papers"] == 12 and counts["concepts_after"] < counts["concepts_before"]
    assert store.concept_detail(key="accuratemodel") is None
    assert store.counts().papers == 12 and get_index(PAPERS).count() == paper_vectors
    assert not [text for text in embedded if len(text) > 200]  # names only, never a paper
    key = next(iter(store.papers_brief(keys=[json.loads(sample_lines(1)[0])["id"]])))
    found = real(embedding.paper_text(*store.papers_text(keys=[key])[key]))
    expected = {c.key for c in concepts_merged(found, concept_merge_map())}  # variants merged
    assert {k for k, _, _ in store.paper_mentions(key=key)} == expected
    # Every concept now has the kind most of its papers' readings give, a merged variant's
    # counting for its concept (ties to the kind first in alphabetical order).
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for page in store.paper_texts():
        for _, title, abstract in page:
            for c in concepts_merged(
                real(embedding.paper_text(title, abstract)), concept_merge_map()
            ):
                votes[c.key][c.kind] += 1
    majority = {k: min(v, key=lambda kind: (-v[kind], kind)) for k, v in votes.items()}
    typed = {k: kind for k, kind in majority.items() if kind != "other"}
    assert typed and counts["concepts_retyped"] >= len(typed)
    assert {k: store.concept_detail(key=k).kind for k in majority} == majority


def test_chunks_start_small_so_the_embedding_starts_early():
    first = services.FIRST_CHUNK
    sizes = [len(chunk) for chunk in services._batched(range(1000), 512)]
    assert sizes == [first, 2 * first, 4 * first, 512, 1000 - 960]
    assert [len(chunk) for chunk in services._batched(range(20), 8)] == [8, 8, 4]
