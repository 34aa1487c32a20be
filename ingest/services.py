"""Write side of ingest: jobs, and the pipeline that turns records into graph nodes, edges and
vectors.

A job reads its source in chunks. For each chunk: classify records against the graph (new,
updated, unchanged), extract concepts, write the graph, embed what lacks a vector, then record
the chunk's counts and resume point in one transaction. A job that dies mid-chunk is re-run from
its last recorded chunk; every write is idempotent, so the re-run duplicates nothing."""

from __future__ import annotations

import itertools
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F

from core.embedded import graph_is_embedded, server_compact
from core.graph_marks import graph_rewritten_mark
from graph.factory import get_store
from graph.store import ConceptRow, FieldRow, GraphStore, Mention, PaperRow
from index import embedding
from index.services import vectors_upsert
from index.vectorindex import CONCEPTS, PAPERS, get_index, vector_id
from ingest.extraction import Concept, extract_concepts
from ingest.merges import concepts_merge_variants, concepts_merged
from ingest.models import IngestError, IngestJob
from ingest.records import PaperRecord, RecordError
from ingest.selectors import concept_merge_map
from ingest.sources import SourceItem
from ingest.sources.arxiv_api import ArxivQuery, fetch
from ingest.sources.files import SourceError, count_items, detect_format, read_file
from ingest.taxonomy import field_name

logger = logging.getLogger(__name__)
MAX_ERRORS_STORED = 1000


# -- jobs ----------------------------------------------------------------------------------------


def ingest_file_job_create(*, path: Path, user=None) -> IngestJob:
    """A job for a file. Raises SourceError now for a missing, unreadable, oversized or
    unknown-format file, so nothing is queued that cannot run."""
    path = path.resolve()
    fmt = detect_format(path)
    read_file(
        path,
        max_bytes=settings.INGEST_MAX_FILE_BYTES,
        max_line_bytes=settings.INGEST_MAX_LINE_BYTES,
        fmt=fmt,
    )
    return IngestJob.objects.create(
        source_kind=IngestJob.SourceKind.FILE,
        source=str(path),
        params={"format": fmt},
        created_by=user,
    )


def ingest_upload_job_create(*, upload: UploadedFile, user=None) -> IngestJob:
    """Store an uploaded file under the data dir and make a job for it."""
    if upload.size and upload.size > settings.INGEST_MAX_FILE_BYTES:
        raise SourceError(
            f"{upload.name}: {upload.size:,} bytes is over the limit of "
            f"{settings.INGEST_MAX_FILE_BYTES:,}"
        )
    safe_name = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(upload.name).name)
    detect_format(Path(safe_name))
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    target = settings.UPLOAD_DIR / f"{uuid.uuid4().hex[:12]}_{safe_name}"
    with open(target, "wb") as out:
        for part in upload.chunks():
            out.write(part)
    job = ingest_file_job_create(path=target, user=user)
    job.params = {**job.params, "upload_name": Path(upload.name).name[:300]}
    job.save(update_fields=["params"])
    return job


def ingest_arxiv_job_create(*, query: ArxivQuery, user=None) -> IngestJob:
    return IngestJob.objects.create(
        source_kind=IngestJob.SourceKind.ARXIV,
        source=query.describe()[:1000],
        params={
            "query": query.query,
            "ids": list(query.ids),
            "category": query.category,
            "date_from": query.date_from.isoformat() if query.date_from else None,
            "date_to": query.date_to.isoformat() if query.date_to else None,
            "max_results": query.max_results,
        },
        total=len(query.ids) or query.max_results,
        created_by=user,
    )


def ingest_job_enqueue(*, job: IngestJob) -> None:
    """Queue the job once the transaction that made it commits."""
    from ingest.tasks import ingest_job_run as task

    transaction.on_commit(lambda: task.delay(job.pk))


def arxiv_client():
    import arxiv

    return arxiv.Client(
        page_size=settings.ARXIV_PAGE_SIZE,
        delay_seconds=settings.ARXIV_DELAY_SECONDS,
        num_retries=3,
    )


def _job_items(job: IngestJob) -> Iterator[SourceItem]:
    if job.source_kind == IngestJob.SourceKind.FILE:
        return read_file(
            Path(job.source),
            max_bytes=settings.INGEST_MAX_FILE_BYTES,
            max_line_bytes=settings.INGEST_MAX_LINE_BYTES,
            fmt=job.params.get("format"),
        )
    params = job.params
    query = ArxivQuery(
        query=params.get("query") or "",
        ids=tuple(params.get("ids") or ()),
        category=params.get("category") or "",
        date_from=date.fromisoformat(params["date_from"]) if params.get("date_from") else None,
        date_to=date.fromisoformat(params["date_to"]) if params.get("date_to") else None,
        max_results=params.get("max_results") or 100,
    )
    return fetch(query, client=arxiv_client())


def _count_items(job: IngestJob) -> int | None:
    if job.source_kind != IngestJob.SourceKind.FILE:
        return job.total
    return count_items(
        Path(job.source), max_bytes=settings.INGEST_MAX_FILE_BYTES, fmt=job.params.get("format")
    )


def ingest_job_run(*, job_id: int) -> IngestJob:
    """Run (or resume) a job to the end. Transient graph/broker errors propagate to the caller
    (the Celery task retries them); a source that cannot be read fails the job."""
    job = IngestJob.objects.get(pk=job_id)
    if job.is_finished:
        return job
    started = time.perf_counter()
    if job.status == IngestJob.Status.PENDING:
        job.mark_running()
    try:
        if job.total is None:
            job.total = _count_items(job)
            job.save(update_fields=["total"])
        store = get_store()
        items = itertools.islice(_job_items(job), job.records_done, None)
        chunks = _batched(items, settings.INGEST_CHUNK_SIZE)
        # The graph stage of the next chunk (extraction, graph writes) runs in a second thread
        # while this one embeds the current chunk; torch releases the GIL while it computes.
        # Counts go up as soon as a chunk is in the graph (the page shows what is there); the
        # resume point moves once its vectors are saved too. A resumed job does not count again
        # the chunk whose counts were recorded before it stopped.
        counted_ahead = job.seen - job.records_done
        merged = concept_merge_map()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-graph") as pool:
            chunk = next(chunks, None)
            staged = pool.submit(_graph_stage, chunk, job.pk, store, merged) if chunk else None
            while staged is not None:
                current = staged.result()
                if counted_ahead >= current.size:
                    counted_ahead -= current.size
                else:
                    _count_chunk(job, current.size, current.result)
                chunk = next(chunks, None)
                staged = pool.submit(_graph_stage, chunk, job.pk, store, merged) if chunk else None
                _vector_stage(current, store)
                _record_chunk(job, current.size, current.result)
    except SourceError as exc:
        return job.finish(IngestJob.Status.FAILED, str(exc))
    merge_started = time.perf_counter()
    concepts_merge_variants(refresh_tops=False)  # refreshed next
    tops_started = time.perf_counter()
    store.concept_tops_refresh(min_papers=settings.CONCEPT_TOP_MIN_PAPERS)
    job.refresh_from_db()
    timings = dict(job.timings)
    timings["merge_variants_s"] = round(tops_started - merge_started, 3)
    timings["neighbour_cache_s"] = round(time.perf_counter() - tops_started, 3)
    timings["total_s"] = round(timings.get("total_s", 0) + time.perf_counter() - started, 3)
    if graph_is_embedded():
        server_compact()  # in the background: the next start loads one snapshot
    return job.finish(IngestJob.Status.SUCCEEDED, timings=timings)


FIRST_CHUNK = 64


def _batched(items: Iterable[SourceItem], size: int) -> Iterator[list[SourceItem]]:
    """Chunks of FIRST_CHUNK items, doubling up to `size`. The first chunk's graph stage runs
    before any embedding can start; a chunk's graph stage takes under half the time its
    embedding does, so the next chunk, twice as big, is in the graph by the time the embedding
    wants it."""
    iterator = iter(items)
    wanted = min(FIRST_CHUNK, size)
    while chunk := list(itertools.islice(iterator, wanted)):
        yield chunk
        wanted = min(2 * wanted, size)


def _count_chunk(job: IngestJob, size: int, result: ChunkResult) -> None:
    """The counts and errors of a chunk whose papers are in the graph, in one transaction."""
    with transaction.atomic():
        IngestJob.objects.filter(pk=job.pk).update(
            seen=F("seen") + size,
            new=F("new") + result.new,
            updated=F("updated") + result.updated,
            unchanged=F("unchanged") + result.unchanged,
            invalid=F("invalid") + len(result.errors),
        )
        stored = IngestError.objects.filter(job=job).count()
        IngestError.objects.bulk_create(
            [
                IngestError(job=job, line=e.line, message=e.message[:500])
                for e in result.errors[: max(0, MAX_ERRORS_STORED - stored)]
            ],
            ignore_conflicts=True,
        )


def _record_chunk(job: IngestJob, size: int, result: ChunkResult) -> None:
    """The resume point and stage timings of a chunk whose vectors are saved too."""
    with transaction.atomic():
        previous = IngestJob.objects.values_list("timings", flat=True).get(pk=job.pk)
        timings = defaultdict(float, previous)
        for stage, seconds in result.timings.items():
            timings[stage] = round(timings[stage] + seconds, 3)
        IngestJob.objects.filter(pk=job.pk).update(
            records_done=F("records_done") + size, timings=dict(timings)
        )


# -- the pipeline ------------------------------------------------------------------------------


@dataclass
class ChunkResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RecordError] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class StagedChunk:
    """A chunk whose graph writes are done and whose vectors are still to come."""

    size: int
    records: dict[str, PaperRecord]
    written: set[str]
    concepts: dict[str, ConceptRow]
    result: ChunkResult


def _mentions(title: str, concepts: list[Concept]) -> tuple[Mention, ...]:
    """A paper's mentions; the text concepts are found in starts with the title."""
    title_end = len(title)
    return tuple(
        Mention(c.key, c.count, any(start < title_end for start, _ in c.spans), c.name, c.kind)
        for c in concepts
    )


def _paper_row(record: PaperRecord, concepts: list[Concept]) -> PaperRow:
    return PaperRow(
        key=record.key,
        title=record.title,
        abstract=record.abstract,
        content_hash=record.content_hash,
        arxiv_id=record.arxiv_id,
        version=record.version,
        published=record.published,
        updated=record.updated,
        authors=record.authors,
        categories=record.categories,
        primary_category=record.primary_category,
        doi=record.doi,
        comment=record.comment,
        url=record.url,
        mentions=_mentions(record.title, concepts),
        references=record.references,
    )


def _graph_stage(
    items: list[SourceItem], job_id: int | None, store: GraphStore, merged: dict[str, str]
) -> StagedChunk:
    result = ChunkResult(errors=[i for i in items if isinstance(i, RecordError)])
    records: dict[str, PaperRecord] = {}
    for item in items:
        if isinstance(item, PaperRecord):
            records[item.key] = item  # a key seen twice in one chunk: the later record wins
    clock = time.perf_counter()
    stored = store.papers_stored(keys=list(records))
    to_write: list[PaperRecord] = []
    for key, record in records.items():
        previous = stored.get(key)
        if previous is None or previous.first_job == job_id or previous.content_hash is None:
            result.new += 1
            to_write.append(record)
        elif previous.content_hash != record.content_hash:
            result.updated += 1
            to_write.append(record)
        else:
            result.unchanged += 1
    result.timings["classify_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    extracted = {r.key: concepts_merged(extract_concepts(r.text), merged) for r in to_write}
    result.timings["extract_s"] = time.perf_counter() - clock

    clock = time.perf_counter()
    concepts: dict[str, ConceptRow] = {}
    for found in extracted.values():
        for c in found:
            if c.key not in concepts or len(c.aliases) > len(concepts[c.key].aliases):
                concepts[c.key] = ConceptRow(c.key, c.name, c.kind, c.aliases)
    fields = {code: FieldRow(code, field_name(code)) for r in to_write for code in r.categories}
    if to_write:
        store.papers_upsert(
            papers=[_paper_row(r, extracted[r.key]) for r in to_write],
            concepts=list(concepts.values()),
            fields=list(fields.values()),
            job_id=job_id,
            replace_edges_of=[r.key for r in to_write if r.key in stored],
        )
    result.timings["graph_s"] = time.perf_counter() - clock
    return StagedChunk(len(items), records, {r.key for r in to_write}, concepts, result)


def _vector_stage(staged: StagedChunk, store: GraphStore) -> None:
    """Embed every written paper (its text may have changed), and any paper or concept the index
    lacks, which repairs a run that died between the graph write and the index save. Concepts
    get a vector once CONCEPT_VECTOR_MIN_PAPERS papers mention them."""
    records, concepts, result = staged.records, staged.concepts, staged.result
    paper_index, concept_index = get_index(PAPERS), get_index(CONCEPTS)
    missing = set(paper_index.missing([vector_id(k) for k in records]))
    paper_keys = [k for k in records if k in staged.written or vector_id(k) in missing]
    concepts_missing = set(concept_index.missing([vector_id(k) for k in concepts]))
    lacking = [k for k in concepts if vector_id(k) in concepts_missing]
    papers_per_concept = store.concept_paper_counts(keys=lacking)
    concept_keys = [
        k for k in lacking if papers_per_concept.get(k, 0) >= settings.CONCEPT_VECTOR_MIN_PAPERS
    ]
    _embed_into(PAPERS, paper_keys, [records[k].text for k in paper_keys], result)
    _embed_into(CONCEPTS, concept_keys, [concepts[k].name for k in concept_keys], result)


def _embed_into(index_name: str, keys: list[str], texts: list[str], result: ChunkResult) -> None:
    if not keys:
        return
    clock = time.perf_counter()
    vectors = embedding.encode(texts)
    result.timings["embed_s"] = result.timings.get("embed_s", 0) + time.perf_counter() - clock
    clock = time.perf_counter()
    vectors_upsert(index=index_name, keys=keys, vectors=vectors)
    result.timings["index_s"] = result.timings.get("index_s", 0) + time.perf_counter() - clock


def concepts_reextract(*, batch_size: int = 512) -> dict[str, int]:
    """Bring a graph to the current concept layer: extract every stored paper's concepts again
    and replace its mentions, keeping the papers, their fields, authors, citations and vectors.
    New concepts with enough papers get a vector (their names are embedded; no paper is)."""
    store = get_store()
    before = store.counts().concepts
    kinds_before = store.concept_kinds()
    merged = concept_merge_map()
    papers = 0
    for page in store.paper_texts(batch_size=batch_size):
        mentions: dict[str, tuple[Mention, ...]] = {}
        concepts: dict[str, ConceptRow] = {}
        for key, title, abstract in page:
            record_text = embedding.paper_text(title, abstract)
            found = concepts_merged(extract_concepts(record_text), merged)
            mentions[key] = _mentions(title, found)
            for c in found:
                concepts.setdefault(c.key, ConceptRow(c.key, c.name, c.kind, c.aliases))
        store.paper_mentions_replace(mentions=mentions, concepts=list(concepts.values()))
        papers += len(page)
    lacking = [
        (key, name)
        for names in store.concept_names(min_papers=settings.CONCEPT_VECTOR_MIN_PAPERS)
        for key, name, _ in names
    ]
    missing = set(get_index(CONCEPTS).missing([vector_id(k) for k, _ in lacking]))
    new = [(k, n) for k, n in lacking if vector_id(k) in missing]
    if new:
        vectors_upsert(
            index=CONCEPTS, keys=[k for k, _ in new], vectors=embedding.encode([n for _, n in new])
        )
    concepts_merge_variants(refresh_tops=False)  # refreshed next
    # Each concept now has the kind most of its mentions give (`concept_stats_refresh`).
    kinds_after = store.concept_kinds()
    retyped = sum(kinds_before.get(key, kind) != kind for key, kind in kinds_after.items())
    store.concept_tops_refresh(min_papers=settings.CONCEPT_TOP_MIN_PAPERS, stale_only=False)
    graph_rewritten_mark()  # names and mentions changed, perhaps not the counts
    return {
        "papers": papers,
        "concepts_before": before,
        "concepts_after": store.counts().concepts,
        "concept_vectors_added": len(new),
        "concepts_retyped": retyped,
    }
