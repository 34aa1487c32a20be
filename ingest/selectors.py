"""Read side of ingest."""

from __future__ import annotations

from dataclasses import asdict

from graph.factory import get_store
from index.selectors import index_counts
from ingest.extraction import concept_keys_for
from ingest.models import ConceptMerge, IngestJob


def graph_stats() -> dict[str, int]:
    """The graph's counts and the vector indexes' sizes."""
    return asdict(get_store().counts()) | index_counts()


def ingest_jobs_recent(*, limit: int = 10) -> list[IngestJob]:
    return list(IngestJob.objects.all()[:limit])


def ingest_job_errors(*, job: IngestJob, limit: int = 200) -> list:
    return list(job.errors.all()[:limit])


def concept_merge_map() -> dict[str, str]:
    """Key of each concept merged into another -> the key it counts for."""
    return dict(ConceptMerge.objects.values_list("variant_key", "into_key"))


def concept_merges_into(*, key: str) -> list[ConceptMerge]:
    """The variants merged into a concept, with why."""
    return list(ConceptMerge.objects.filter(into_key=key))


def concept_merged_into(*, key: str) -> str | None:
    """The concept a merged-away key now counts for, if it was merged."""
    return ConceptMerge.objects.filter(variant_key=key).values_list("into_key", flat=True).first()


def concept_keys_resolve(*, text: str) -> list[str]:
    """The keys a concept typed by name may have (`concept_keys_for`), and for a name merged
    into another concept ("jailbreaking attacks"), that concept's key."""
    keys = concept_keys_for(text)
    into = ConceptMerge.objects.filter(variant_key__in=keys).values_list("into_key", flat=True)
    return list(dict.fromkeys([*keys, *into]))
