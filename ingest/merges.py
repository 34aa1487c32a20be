"""Merging concepts that are one concept written two ways.

Extraction already gives one key to plurals, hyphenation, case and known acronyms. What is left
("jailbreaking attacks" / "jailbreak attacks", "reward modeling" / "reward models", "defence" /
"defense", "deep RL algorithms" / "deep RL") is found here: names are grouped by their words
(`ingest.variants`), and a name merges into the group's largest concept only where the embedding
agrees that the two names mean the same (cosine of the names >= CONCEPT_MERGE_MIN_COSINE). The
words keep the embedding from merging near-misses it rates highly ("GPT-3" / "GPT-4", "safe" /
"unsafe queries"); the embedding keeps the words from merging what a stem confuses.

A merge is kept (`ConceptMerge`) with its reason and cosine: the concept page shows it, and
papers ingested later that write the variant count for the merged concept.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction

from core.graph_marks import graph_rewritten_mark
from graph.factory import get_store
from graph.store import ConceptRow, GraphStore, Mention
from index import embedding
from index.selectors import key_vectors
from index.services import vectors_remove
from index.vectorindex import CONCEPTS
from ingest.extraction import Concept
from ingest.models import ConceptMerge
from ingest.variants import variant_reason, variant_signature

logger = logging.getLogger(__name__)
# A name that adds a word ("ranking model" / "ranking", "Arabic language model") needs the
# embedding's agreement by this much more than one that rewrites the same words.
ADDED_WORD_MARGIN = 0.05
NAMES_PAGE = 50_000  # names read per query (smaller pages cost a query each: 4 s against 1.3 s)


@dataclass(frozen=True)
class PlannedMerge:
    variant_key: str
    variant_name: str
    into_key: str
    into_name: str
    reason: str
    cosine: float


def concept_merges_find(
    *, store: GraphStore, min_cosine: float, min_papers: int
) -> list[PlannedMerge]:
    """The merges the names of concepts in `min_papers` or more papers call for, the largest
    concept of each group kept."""
    groups: dict[tuple[str, ...], list[tuple[str, str, int]]] = defaultdict(list)
    for page in store.concept_names(min_papers=min_papers, batch_size=NAMES_PAGE):
        for key, name, papers in page:
            if signature := variant_signature(name):
                groups[signature].append((key, name, papers))
    # The concept kept is the one with most papers; on a tie, the shorter name.
    candidates = [
        sorted(g, key=lambda c: (-c[2], len(c[1].split()), c[0]))
        for g in groups.values()
        if len(g) > 1
    ]
    # The words first (cheap), the embedding only where they allow a merge.
    pairs = [
        (group[0], (key, name), reason)
        for group in candidates
        for key, name, _ in group[1:]
        if (reason := variant_reason(name, group[0][1]))
    ]
    if not pairs:
        return []
    vectors = _name_vectors(list({c[0]: c for pair in pairs for c in pair[:2]}.values()))
    planned = []
    for (into_key, into_name, *_), (key, name), reason in pairs:
        cosine = float(vectors[key] @ vectors[into_key])
        needed = min_cosine + (ADDED_WORD_MARGIN if reason.startswith("adds") else 0)
        if cosine >= needed:
            planned.append(PlannedMerge(key, name, into_key, into_name, reason, cosine))
    return planned


def _name_vectors(concepts: Sequence[tuple[str, ...]]) -> dict[str, np.ndarray]:
    """Each (key, name) concept's name vector: the index's where it has one, else the name
    encoded now."""
    vectors = key_vectors(index=CONCEPTS, keys=[c[0] for c in concepts])
    lacking = [(c[0], c[1]) for c in concepts if c[0] not in vectors]
    if lacking:
        encoded = embedding.encode([name for _, name in lacking])
        vectors.update((key, encoded[i]) for i, (key, _) in enumerate(lacking))
    return vectors


def concepts_merge_variants(
    *,
    min_cosine: float | None = None,
    min_papers: int | None = None,
    dry_run: bool = False,
    refresh_tops: bool = True,
) -> list[PlannedMerge]:
    """Find the concepts that are others written another way and merge them in the graph:
    their papers' mentions move to the kept concept, whose aliases gain the variant's name.
    By default only concepts with a vector (CONCEPT_VECTOR_MIN_PAPERS papers) take part: reading
    every one-paper name took 39 s at the end of every job on the 54k graph; a variant joins
    once a second paper writes it. `refresh_tops=False` leaves the partner lists to a caller
    that refreshes them next."""
    store = get_store()
    planned = concept_merges_find(
        store=store,
        min_cosine=settings.CONCEPT_MERGE_MIN_COSINE if min_cosine is None else min_cosine,
        min_papers=settings.CONCEPT_VECTOR_MIN_PAPERS if min_papers is None else min_papers,
    )
    if planned and not dry_run:
        _merges_record(planned)
        _graph_merge(store, planned)
        # The merged name's vector would be its concept's nearest neighbour, pointing nowhere.
        vectors_remove(index=CONCEPTS, keys=[m.variant_key for m in planned])
        if refresh_tops:
            store.concept_tops_refresh(min_papers=settings.CONCEPT_TOP_MIN_PAPERS)
        graph_rewritten_mark()  # names and mentions changed, perhaps not the counts
        logger.info("merged %d concept variants", len(planned))
    return planned


@transaction.atomic
def _merges_record(planned: Sequence[PlannedMerge]) -> None:
    into = {m.variant_key: m.into_key for m in planned}
    # A concept merged away earlier into what is now itself a variant follows it.
    for merge in ConceptMerge.objects.filter(into_key__in=list(into)):
        merge.into_key = into[merge.into_key]
        merge.save(update_fields=["into_key"])
    for m in planned:
        ConceptMerge.objects.update_or_create(
            variant_key=m.variant_key,
            defaults={
                "variant_name": m.variant_name,
                "into_key": m.into_key,
                "reason": m.reason,
                "cosine": round(m.cosine, 4),
            },
        )


def _graph_merge(store: GraphStore, planned: Sequence[PlannedMerge]) -> None:
    into = {m.variant_key: m.into_key for m in planned}
    mentions = store.mentions_of_papers_mentioning(concepts=list(into))
    rewritten = {paper: merged_mentions(found, into) for paper, found in mentions.items()}
    kept = store.concepts_brief(keys=sorted(set(into.values())))
    aliases: dict[str, list[str]] = defaultdict(list)
    for m in planned:
        aliases[m.into_key].append(m.variant_name)
    rows = [
        ConceptRow(key, kept[key].name, kept[key].kind, tuple(sorted(names)))
        for key, names in aliases.items()
        if key in kept
    ]
    store.paper_mentions_replace(mentions=rewritten, concepts=rows)


def merged_mentions(mentions: Sequence[Mention], into: dict[str, str]) -> list[Mention]:
    """A paper's mentions with merged concepts counted for the concept they merged into; the
    form written more often names the pair, and its reading types it."""
    by_key: dict[str, Mention] = {}
    for m in mentions:
        key = into.get(m.concept_key, m.concept_key)
        seen = by_key.get(key)
        if seen is None:
            by_key[key] = Mention(key, m.count, m.in_title, m.form, m.kind)
        else:
            first = seen if seen.count >= m.count else m
            by_key[key] = Mention(
                key, seen.count + m.count, seen.in_title or m.in_title, first.form, first.kind
            )
    return list(by_key.values())


def concepts_merged(found: list[Concept], into: dict[str, str]) -> list[Concept]:
    """Concepts extracted from one text, each variant merged earlier counted for its concept."""
    if not into or not any(c.key in into for c in found):
        return found
    by_key: dict[str, Concept] = {}
    for c in found:
        key = into.get(c.key, c.key)
        seen = by_key.get(key)
        if seen is None:
            by_key[key] = Concept(key, c.name, c.kind, c.spans, c.aliases)
        else:
            name = seen.name if seen.count >= c.count else c.name
            aliases = tuple(sorted(set(seen.aliases) | set(c.aliases)))
            by_key[key] = Concept(key, name, seen.kind, seen.spans + c.spans, aliases)
    return list(by_key.values())
