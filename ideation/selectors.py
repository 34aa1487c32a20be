"""Read side of ideation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from graph.factory import get_store
from graph.store import PaperBrief
from ideation.models import ForecastModel, Idea, IdeaBatch
from index import embedding
from index.selectors import nearest_keys
from index.vectorindex import CONCEPTS
from ingest.selectors import concept_keys_resolve

SEED_SUGGESTIONS = 3


def concepts_unknown(*, names: list[str]) -> list[str]:
    """The names among `names` that are no concept of the graph (by key, name or a known
    acronym, any case or number)."""
    keys = {name: concept_keys_resolve(text=name) for name in names}
    known = get_store().concepts_brief(keys=sorted({k for ks in keys.values() for k in ks}))
    return [name for name, ks in keys.items() if not any(k in known for k in ks)]


def seeds_refusal(*, names: list[str]) -> str | None:
    """Why these seeds cannot start a batch, or None: the names that are no concept of the graph,
    each with the concepts closest to it in meaning ("dead latent": "dead features (12
    papers)"), so a researcher finds the name the graph uses."""
    unknown = concepts_unknown(names=names) if names else []  # no seeds: no graph round trip
    if not unknown:
        return None
    store = get_store()
    described = []
    for name, vector in zip(unknown, embedding.encode(unknown), strict=True):
        near = [
            key for key, _ in nearest_keys(index=CONCEPTS, vector=vector, limit=SEED_SUGGESTIONS)
        ]
        briefs = store.concepts_brief(keys=near)
        close = [f"{briefs[k].name} ({briefs[k].papers} papers)" for k in near if k in briefs]
        described.append(f"{name} (closest in meaning: {', '.join(close)})" if close else name)
    return (
        f"not a concept of the graph: {'; '.join(described)}. Seed with a name the graph uses; a "
        "batch starts only from known concepts"
    )


def idea_pairs_held(*, user=None, before_batch: int | None = None) -> set[frozenset[str]]:
    """The concept pairs (keys) of the ideas a user already has: those of their batches, or of
    every batch when `user` is None (the command line). Rejected ideas count: they were seen."""
    ideas = Idea.objects.filter(duplicate_of__isnull=True)
    if user is not None:
        ideas = ideas.filter(batch__created_by=user)
    if before_batch is not None:
        ideas = ideas.filter(batch_id__lt=before_batch)
    return {
        frozenset(side["key"] for side in concepts)
        for concepts in ideas.values_list("concepts", flat=True)
        if len(concepts) == 2
    }


def idea_batches_recent(*, limit: int = 20) -> list[IdeaBatch]:
    return list(IdeaBatch.objects.all()[:limit])


@dataclass(frozen=True)
class IdeaFilter:
    verdict: str = ""
    field: str = ""
    feedback: str = ""  # "starred", "rejected", "open" (neither) or "" (any)
    min_score: float = 0.0
    show_duplicates: bool = False


def ideas_ranked(*, batch: IdeaBatch, where: IdeaFilter = IdeaFilter()) -> QuerySet[Idea]:
    ideas = batch.ideas.all().order_by("rank")
    if not where.show_duplicates:
        ideas = ideas.filter(duplicate_of__isnull=True)
    if where.verdict:
        ideas = ideas.filter(verdict=where.verdict)
    if where.feedback == "open":
        ideas = ideas.filter(feedback="")
    elif where.feedback:
        ideas = ideas.filter(feedback=where.feedback)
    if where.min_score:
        ideas = ideas.filter(score__gte=where.min_score)
    if where.field:
        ideas = [idea for idea in ideas if where.field in idea.fields]
    return ideas


@dataclass(frozen=True)
class IdeaPage:
    idea: Idea
    grounding: list[PaperBrief]
    similar: list[tuple[PaperBrief | None, str, float]]  # (paper, key, similarity)
    co_mentioning: list[PaperBrief]
    decisive: PaperBrief | None
    repeats: list[Idea]


def idea_page(*, idea: Idea) -> IdeaPage:
    evidence = idea.evidence
    similar = evidence.get("similar", [])
    keys = set(idea.grounding) | {s["paper_id"] for s in similar}
    keys |= set(evidence.get("co_mentioning", []))
    if evidence.get("decisive_paper"):
        keys.add(evidence["decisive_paper"])
    briefs = get_store().papers_brief(keys=sorted(keys))
    return IdeaPage(
        idea=idea,
        grounding=[briefs[k] for k in idea.grounding if k in briefs],
        similar=[(briefs.get(s["paper_id"]), s["paper_id"], s["similarity"]) for s in similar],
        co_mentioning=[briefs[k] for k in evidence.get("co_mentioning", []) if k in briefs],
        decisive=briefs.get(evidence.get("decisive_paper") or ""),
        repeats=list(idea.repeats.all()),
    )


def forecast_model_latest() -> ForecastModel | None:
    return ForecastModel.objects.first()


def idea_export(idea: Idea) -> dict:
    """The line `manage.py ideate` writes for one idea."""
    return {
        "id": idea.pk,
        "batch": idea.batch_id,
        "rank": idea.rank,
        "title": idea.title,
        "problem": idea.problem,
        "hypothesis": idea.hypothesis,
        "method": idea.method,
        "expected": idea.expected,
        "risks": idea.risks,
        "concepts": [c["name"] for c in idea.concepts],
        "concept_keys": [c["key"] for c in idea.concepts],
        "fields": idea.fields,
        "grounding": idea.grounding,
        "forecast": idea.forecast,
        "novelty": {
            "score": idea.novelty,
            "verdict": idea.verdict,
            "evidence": idea.evidence.get("similar", []),
            "co_mentioning": idea.evidence.get("co_mentioning", []),
            "decisive_paper": idea.evidence.get("decisive_paper"),
        },
        "score": idea.score,
        "breakdown": idea.breakdown,
        "writer": idea.writer,
        "feedback": idea.feedback,
    }
