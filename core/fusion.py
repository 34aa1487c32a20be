"""Reciprocal rank fusion (Cormack, Clarke and Buettcher 2009): merge ranked lists by summing
1 / (k + rank) over the lists each item appears in."""

from collections.abc import Hashable, Iterable, Sequence

RRF_K = 60


def rank_fusion(rankings: Iterable[Sequence[Hashable]], *, k: int = RRF_K) -> dict[Hashable, float]:
    """Fused score of every item of `rankings` (each a list, best first)."""
    scores: dict[Hashable, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return scores
