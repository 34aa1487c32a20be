"""Which concept pairs will be mentioned together soon: a model learned from the graph's history.

As in Science4Cast: take the graph as it stood at a past cutoff, label the eligible pairs that
were first mentioned together within the next `horizon` months, and fit a standard learner on
features of the cutoff graph. The model is validated on the following window (train on the window
before, test on the latest) and the served model is refitted on the latest window, so it scores
pairs of the graph as it is now.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from ideation.history import MIN_PAPERS, NO_DATE, History, Snapshot, day_iso

FEATURES = (
    *(
        f"{name}_{end}"
        for name in ("papers", "degree", "growth", "recent", "new_partners", "age", "idle")
        for end in ("min", "max")
    ),
    "preferential_attachment",
    "new_partners_product",
    "common_neighbours",
    "adamic_adar",
    "resource_allocation",
    "jaccard",
    "salton",
    "embedding_cosine",
    "context_cosine",
    "field_distance",
)
# Part of the key a stored model is found by: a model fitted on other features is not reused.
FEATURES_TAG = hashlib.blake2b(",".join(FEATURES).encode(), digest_size=4).hexdigest()
HORIZON_MONTHS = 3
POSITIVES = 30_000
NEGATIVE_RATIO = 2


class ForecastUnavailable(Exception):
    """The graph's history is too short or too sparse to learn from."""


def _percentiles(snapshot: Snapshot, values: np.ndarray) -> np.ndarray:
    """Each concept's value as its rank among the snapshot's eligible concepts, in [0, 1]:
    comparable between snapshots of different sizes, which raw counts are not."""
    eligible = np.sort(values[snapshot.eligible()])
    if not len(eligible):
        return np.zeros_like(values, dtype=np.float32)
    return (np.searchsorted(eligible, values, side="right") / len(eligible)).astype(np.float32)


def _concept_table(snapshot: Snapshot) -> dict[str, np.ndarray]:
    cached = getattr(snapshot, "_forecast_table", None)
    if cached is None:
        span = max(
            snapshot.day
            - int(snapshot.first_day[snapshot.first_day != NO_DATE].min(initial=snapshot.day)),
            1,
        )
        cached = {
            "papers": _percentiles(snapshot, snapshot.papers),
            "degree": _percentiles(snapshot, snapshot.degree),
            "recent": _percentiles(snapshot, snapshot.recent),
            "new_partners": _percentiles(snapshot, snapshot.new_partners),
            "growth": snapshot.recent / np.maximum(snapshot.papers, 1),
            "age": (snapshot.day - snapshot.first_day) / span,
            "idle": (snapshot.day - snapshot.last_day) / span,
        }
        snapshot._forecast_table = cached
    return cached


def pair_features(snapshot: Snapshot, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One row of FEATURES per pair (a[i], b[i]) of concept indexes; symmetric in a and b.
    Per-concept counts enter as percentiles within the snapshot, so a model fitted on an older,
    smaller graph applies to the current one."""
    table = _concept_table(snapshot)
    columns = []
    for name in ("papers", "degree", "growth", "recent", "new_partners", "age", "idle"):
        values_a, values_b = table[name][a], table[name][b]
        columns += [np.minimum(values_a, values_b), np.maximum(values_a, values_b)]
    degree_a, degree_b = snapshot.degree[a], snapshot.degree[b]
    cn, aa, ra = snapshot.neighbour_scores(a, b)
    vectors = snapshot.history.vectors
    eligible = snapshot.degree[snapshot.eligible()]
    mean_degree = max(float(eligible.mean()) if len(eligible) else 1.0, 1.0)
    columns += [
        table["degree"][a] * table["degree"][b],
        table["new_partners"][a] * table["new_partners"][b],
        cn / mean_degree,
        aa / mean_degree,
        ra,
        cn / np.maximum(degree_a + degree_b - cn, 1),
        cn / np.sqrt(np.maximum(degree_a * degree_b, 1)),
        np.einsum("ij,ij->i", vectors[a], vectors[b]),
        np.einsum("ij,ij->i", snapshot.context[a], snapshot.context[b]),
        1 - np.einsum("ij,ij->i", snapshot.field_unit[a], snapshot.field_unit[b]),
    ]
    return np.column_stack(columns).astype(np.float32)


@dataclass
class LabelledPairs:
    a: np.ndarray
    b: np.ndarray
    label: np.ndarray  # 1: first mentioned together within the horizon


def labelled_pairs(
    history: History, *, cutoff: int, end: int, positives: int, seed: int
) -> LabelledPairs:
    """Pairs of concepts with >= MIN_PAPERS papers by `cutoff`, never mentioned together by then:
    those first mentioned together in (cutoff, end] (up to `positives` of them, sampled), and
    NEGATIVE_RATIO times as many random pairs never mentioned together by `end`."""
    rng = np.random.default_rng(seed)
    before, after = history.snapshot(cutoff), history.snapshot(end)
    eligible = before.eligible()
    if len(eligible) < 3:
        raise ForecastUnavailable(
            f"only {len(eligible)} concepts had {MIN_PAPERS}+ papers by {day_iso(cutoff)}"
        )
    mask = np.zeros(len(history.concept_keys), dtype=bool)
    mask[eligible] = True
    linked_after = _linked_pairs(after.cooc)
    new = (linked_after - _linked_pairs(before.cooc).multiply(linked_after)).tocoo()
    keep = (new.data > 0) & mask[new.row] & mask[new.col]
    pos_a, pos_b = new.row[keep], new.col[keep]
    if len(pos_a) < 10:
        raise ForecastUnavailable(
            f"only {len(pos_a)} eligible pairs were first mentioned together between "
            f"{day_iso(cutoff)} and {day_iso(end)}"
        )
    if len(pos_a) > positives:
        chosen = rng.choice(len(pos_a), positives, replace=False)
        pos_a, pos_b = pos_a[chosen], pos_b[chosen]
    wanted = NEGATIVE_RATIO * len(pos_a)
    neg_a, neg_b = np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    for _ in range(20):
        a = rng.choice(eligible, 2 * wanted)
        b = rng.choice(eligible, 2 * wanted)
        ok = (a != b) & (after.co_mentions(a, b) == 0)
        neg_a, neg_b = np.concatenate([neg_a, a[ok]]), np.concatenate([neg_b, b[ok]])
        if len(neg_a) >= wanted:
            break
    neg_a, neg_b = neg_a[:wanted], neg_b[:wanted]
    return LabelledPairs(
        a=np.concatenate([pos_a, neg_a]).astype(np.int64),
        b=np.concatenate([pos_b, neg_b]).astype(np.int64),
        label=np.concatenate([np.ones(len(pos_a)), np.zeros(len(neg_a))]).astype(np.int8),
    )


def _linked_pairs(cooc: sparse.csr_matrix) -> sparse.csr_matrix:
    """1 for each co-mentioned pair, upper triangle only (one entry per unordered pair)."""
    return sparse.triu((cooc > 0).astype(np.float32), k=1).tocsr()


def month_back(day: int, months: int) -> int:
    """The last day of the month `months` before the month of `day` (day stays inside history)."""
    month = np.datetime64(day_iso(day), "M") - months + 1
    return int((month.astype("datetime64[D]") - 1).astype(np.int64))


def new_learner() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(max_iter=300, learning_rate=0.08, random_state=0)


@dataclass
class TrainedForecast:
    model: HistGradientBoostingClassifier
    validation_auc: float
    baseline_auc: dict[str, float]
    train_cutoff: str
    validation_cutoff: str
    end: str
    validation_pairs: int


def baseline_scores(snapshot: Snapshot, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    cn, aa = snapshot.common_neighbours(a, b)
    return {
        "preferential_attachment": snapshot.degree[a] * snapshot.degree[b],
        "common_neighbours": cn,
        "adamic_adar": aa,
    }


def forecast_train(
    history: History,
    *,
    horizon_months: int = HORIZON_MONTHS,
    end: int | None = None,
    seed: int = 0,
) -> TrainedForecast:
    """Validate on the latest horizon before `end` (fit on the one before), then refit on the
    latest. `end` defaults to the newest paper's date."""
    end = history.last_day if end is None else end
    if end == NO_DATE:
        raise ForecastUnavailable("the graph has no dated papers")
    validation_cutoff = month_back(end, horizon_months)
    train_cutoff = month_back(validation_cutoff, horizon_months)
    if (history.paper_day[history.paper_day != NO_DATE] <= train_cutoff).sum() == 0:
        raise ForecastUnavailable(
            f"the graph's papers span less than {2 * horizon_months} months; "
            "the forecast needs two windows of history"
        )
    train = labelled_pairs(
        history, cutoff=train_cutoff, end=validation_cutoff, positives=POSITIVES, seed=seed
    )
    valid = labelled_pairs(
        history, cutoff=validation_cutoff, end=end, positives=POSITIVES, seed=seed + 1
    )
    train_snapshot = history.snapshot(train_cutoff)
    valid_snapshot = history.snapshot(validation_cutoff)
    learner = new_learner().fit(pair_features(train_snapshot, train.a, train.b), train.label)
    predicted = learner.predict_proba(pair_features(valid_snapshot, valid.a, valid.b))[:, 1]
    baselines = {
        name: float(roc_auc_score(valid.label, score))
        for name, score in baseline_scores(valid_snapshot, valid.a, valid.b).items()
    }
    served = new_learner().fit(pair_features(valid_snapshot, valid.a, valid.b), valid.label)
    return TrainedForecast(
        model=served,
        validation_auc=float(roc_auc_score(valid.label, predicted)),
        baseline_auc=baselines,
        train_cutoff=day_iso(train_cutoff),
        validation_cutoff=day_iso(validation_cutoff),
        end=day_iso(end),
        validation_pairs=len(valid.label),
    )


def forecast_scores(model, snapshot: Snapshot, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if not len(a):
        return np.array([], dtype=np.float32)
    return model.predict_proba(pair_features(snapshot, a, b))[:, 1].astype(np.float32)
