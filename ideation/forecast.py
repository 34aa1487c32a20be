"""Which concept pairs will be mentioned together soon: a model learned from the graph's history.

As in Science4Cast: take the graph as it stood at a past cutoff, label the eligible pairs that
were first mentioned together within the next `horizon` months, and fit a standard learner on
features of the cutoff graph. The model is validated on the following window (train on the window
before, test on the latest) and the served model is refitted on the latest window, so it scores
pairs of the graph as it is now.

The horizon adapts to the history there is: 3 months when the graph spans 7 months or more, down
to 1 month for a graph of 3 months. Scores are probabilities: boosted trees rank, and Platt
maps fitted on held-out folds (weighted back to the real share of new pairs among all eligible
pairs) turn scores into the chance that the pair is first mentioned together within the horizon.
With less than 3 months of history there is nothing to learn from; `proxy_scores` then ranks
pairs by a fixed link-prediction formula, which is a proxy and never called a probability.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
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
FEATURES_TAG = hashlib.blake2b(
    ",".join((*FEATURES, "calibrated-1")).encode(), digest_size=4
).hexdigest()
HORIZON_MONTHS = 3
POSITIVES = 30_000
NEGATIVE_RATIO = 2
CALIBRATION_FOLDS = 3
CALIBRATION_BINS = 10


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
    new_pairs: int  # all eligible pairs first mentioned together in the window (before sampling)
    unlinked_pairs: int  # all eligible pairs still never mentioned together at the window's end

    def prior_weights(self) -> np.ndarray:
        """Per-pair weights that give the sample the real share of new pairs: positives and
        negatives are sampled at very different rates."""
        positives = max(int(self.label.sum()), 1)
        negatives = max(len(self.label) - positives, 1)
        return np.where(
            self.label == 1, self.new_pairs / positives, self.unlinked_pairs / negatives
        ).astype(np.float64)

    @property
    def base_rate(self) -> float:
        return self.new_pairs / max(self.new_pairs + self.unlinked_pairs, 1)


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
    new_pairs = len(pos_a)
    linked = linked_after.tocoo()
    linked_eligible = int((mask[linked.row] & mask[linked.col]).sum())
    unlinked_pairs = len(eligible) * (len(eligible) - 1) // 2 - linked_eligible
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
        new_pairs=new_pairs,
        unlinked_pairs=unlinked_pairs,
    )


def _linked_pairs(cooc: sparse.csr_matrix) -> sparse.csr_matrix:
    """1 for each co-mentioned pair, upper triangle only (one entry per unordered pair)."""
    return sparse.triu((cooc > 0).astype(np.float32), k=1).tocsr()


def month_back(day: int, months: int) -> int:
    """The last day of the month `months` before the month of `day` (day stays inside history)."""
    month = np.datetime64(day_iso(day), "M") - months + 1
    return int((month.astype("datetime64[D]") - 1).astype(np.int64))


def months_of_history(history: History, end: int) -> int:
    """Calendar months from the first dated paper's month to `end`'s month, both counted."""
    dated = history.paper_day[(history.paper_day != NO_DATE) & (history.paper_day <= end)]
    if not dated.size:
        return 0
    first = np.datetime64(day_iso(int(dated.min())), "M")
    return int((np.datetime64(day_iso(end), "M") - first).astype(np.int64)) + 1


def horizon_for(months: int) -> int:
    """The longest horizon (at most HORIZON_MONTHS) that leaves two whole windows after the
    first month, which may be partial: 3 months of history give 1, 7 or more give 3."""
    return min(HORIZON_MONTHS, (months - 1) // 2)


def new_learner() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(max_iter=300, learning_rate=0.08, random_state=0)


class CalibratedForecast:
    """Boosted trees that rank pairs, each mapped to probabilities by Platt scaling (a weighted
    logistic fit on its score's logit; two parameters, so a small graph cannot overfit it) on the
    fold it did not see; a pair's probability is the mean over the folds' members."""

    def __init__(self, pairs: LabelledPairs, features: np.ndarray, *, seed: int = 0):
        weights = pairs.prior_weights()
        folds = np.random.default_rng(seed).permutation(len(pairs.label)) % CALIBRATION_FOLDS
        self.members = []
        for fold in range(CALIBRATION_FOLDS):
            held = folds == fold
            learner = new_learner().fit(features[~held], pairs.label[~held])
            mapping = LogisticRegression(C=1e4).fit(
                _logit(learner.predict_proba(features[held])[:, 1]),
                pairs.label[held],
                sample_weight=weights[held],
            )
            self.members.append((learner, mapping))

    def probability(self, features: np.ndarray) -> np.ndarray:
        return np.mean(
            [
                mapping.predict_proba(_logit(learner.predict_proba(features)[:, 1]))[:, 1]
                for learner, mapping in self.members
            ],
            axis=0,
        )


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p)).reshape(-1, 1)


def calibration_table(
    probability: np.ndarray, label: np.ndarray, weights: np.ndarray
) -> dict[str, object]:
    """How predicted probabilities track the observed rate of new pairs, in equal-count bins of
    the sampled pairs, weighted back to the real share of new pairs: per bin the mean predicted
    probability, the observed rate and the bin's share of all eligible pairs; the expected
    calibration error, and the Brier score against the base rate's."""
    order = np.argsort(probability, kind="stable")
    bins = []
    error = 0.0
    total = float(weights.sum())
    for part in np.array_split(order, CALIBRATION_BINS):
        if not len(part):
            continue
        w = weights[part]
        predicted = float(np.average(probability[part], weights=w))
        observed = float(np.average(label[part], weights=w))
        share = float(w.sum() / total)
        error += share * abs(predicted - observed)
        bins.append([round(predicted, 5), round(observed, 5), round(share, 5)])
    base = float(np.average(label, weights=weights))
    return {
        "bins": bins,
        "ece": round(error, 5),
        "brier": round(float(np.average((probability - label) ** 2, weights=weights)), 6),
        "brier_base_rate": round(float(np.average((base - label) ** 2, weights=weights)), 6),
        "base_rate": round(base, 6),
    }


@dataclass
class TrainedForecast:
    model: CalibratedForecast
    validation_auc: float
    baseline_auc: dict[str, float]
    train_cutoff: str
    validation_cutoff: str
    end: str
    validation_pairs: int
    horizon_months: int
    calibration: dict


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
    horizon_months: int | None = None,
    end: int | None = None,
    seed: int = 0,
) -> TrainedForecast:
    """Validate on the latest horizon before `end` (fit on the one before), then refit on the
    latest. `end` defaults to the newest paper's date; the horizon to the longest the history
    allows (`horizon_for`)."""
    end = history.last_day if end is None else end
    if end == NO_DATE:
        raise ForecastUnavailable("the graph has no dated papers")
    months = months_of_history(history, end)
    horizon_months = horizon_months or horizon_for(months)
    if horizon_months < 1:
        raise ForecastUnavailable(
            f"the graph's papers span {months} month(s); the forecast needs at least 3 "
            "(two windows to learn and validate on, after the first month)"
        )
    validation_cutoff = month_back(end, horizon_months)
    train_cutoff = month_back(validation_cutoff, horizon_months)
    if (history.paper_day[history.paper_day != NO_DATE] <= train_cutoff).sum() == 0:
        raise ForecastUnavailable(
            f"the graph's papers span {months} month(s), less than two {horizon_months}-month "
            "windows after the first month: the forecast needs two windows of history"
        )
    train = labelled_pairs(
        history, cutoff=train_cutoff, end=validation_cutoff, positives=POSITIVES, seed=seed
    )
    valid = labelled_pairs(
        history, cutoff=validation_cutoff, end=end, positives=POSITIVES, seed=seed + 1
    )
    train_snapshot = history.snapshot(train_cutoff)
    valid_snapshot = history.snapshot(validation_cutoff)
    learned = CalibratedForecast(train, pair_features(train_snapshot, train.a, train.b), seed=seed)
    valid_features = pair_features(valid_snapshot, valid.a, valid.b)
    predicted = learned.probability(valid_features)
    baselines = {
        name: float(roc_auc_score(valid.label, score))
        for name, score in baseline_scores(valid_snapshot, valid.a, valid.b).items()
    }
    return TrainedForecast(
        model=CalibratedForecast(valid, valid_features, seed=seed),
        validation_auc=float(roc_auc_score(valid.label, predicted)),
        baseline_auc=baselines,
        train_cutoff=day_iso(train_cutoff),
        validation_cutoff=day_iso(validation_cutoff),
        end=day_iso(end),
        validation_pairs=len(valid.label),
        horizon_months=horizon_months,
        calibration=calibration_table(predicted, valid.label, valid.prior_weights()),
    )


def forecast_scores(
    model: CalibratedForecast, snapshot: Snapshot, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """The probability that each pair is first mentioned together within the model's horizon."""
    if not len(a):
        return np.array([], dtype=np.float32)
    return model.probability(pair_features(snapshot, a, b)).astype(np.float32)


def proxy_scores(snapshot: Snapshot, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The fallback when no model can be learned: in [0, 1], half how connected both concepts
    are (the product of their degree percentiles, i.e. preferential attachment) and half how
    many partners they share (Salton's index). A ranking proxy, not a probability."""
    if not len(a):
        return np.array([], dtype=np.float32)
    degree = _concept_table(snapshot)["degree"]
    cn, _, _ = snapshot.neighbour_scores(a, b)
    salton = cn / np.sqrt(np.maximum(snapshot.degree[a] * snapshot.degree[b], 1))
    return (0.5 * degree[a] * degree[b] + 0.5 * np.minimum(salton, 1.0)).astype(np.float32)
