import numpy as np
import pytest

from ideation import forecast as fc
from ideation.history import day_number
from tests.ideation.factories import growing_history, history_from, month_days, steady_history


def test_features_are_symmetric_and_finite():
    history = growing_history()
    snapshot = history.snapshot()
    a, b = np.arange(0, 20), np.arange(20, 40)
    forward, backward = fc.pair_features(snapshot, a, b), fc.pair_features(snapshot, b, a)
    assert forward.shape == (20, len(fc.FEATURES))
    assert np.allclose(forward, backward)
    assert np.isfinite(forward).all()


def test_common_neighbours_and_adamic_adar_match_a_hand_count():
    days = month_days(1)
    history = history_from(
        [(days[0], "cs.LG", ["x", "n1"]), (days[0], "cs.LG", ["y", "n1"]),
         (days[0], "cs.LG", ["x", "n2"]), (days[0], "cs.LG", ["y", "n2"]),
         (days[0], "cs.LG", ["n2", "z"])]
    )  # fmt: skip
    snapshot = history.snapshot()
    index = history.concept_index
    cn, aa = snapshot.common_neighbours(np.array([index["x"]]), np.array([index["y"]]))
    assert cn[0] == 2
    # n1 has degree 2 (x, y); n2 has degree 3 (x, y, z)
    assert aa[0] == pytest.approx(1 / np.log(2) + 1 / np.log(3), rel=1e-5)


def test_labelled_pairs_are_new_after_the_cutoff_and_eligible_before_it():
    history = growing_history()
    cutoff, end = day_number("2025-06-30"), day_number("2025-09-30")
    pairs = fc.labelled_pairs(history, cutoff=cutoff, end=end, positives=10_000, seed=0)
    before, after = history.snapshot(cutoff), history.snapshot(end)
    positive = pairs.label == 1
    assert positive.sum() > 10 and (~positive).sum() > 10
    assert (before.co_mentions(pairs.a, pairs.b) == 0).all()
    assert (after.co_mentions(pairs.a[positive], pairs.b[positive]) > 0).all()
    assert (after.co_mentions(pairs.a[~positive], pairs.b[~positive]) == 0).all()
    assert (before.papers[pairs.a] >= 3).all() and (before.papers[pairs.b] >= 3).all()


def test_the_model_learns_a_learnable_history_and_beats_chance():
    trained = fc.forecast_train(growing_history(), horizon_months=3)
    assert trained.validation_cutoff == "2025-09-30" and trained.train_cutoff == "2025-06-30"
    assert trained.validation_auc > 0.8
    baselines = {"preferential_attachment", "common_neighbours", "adamic_adar"}
    assert set(trained.baseline_auc) == baselines
    snapshot = growing_history().snapshot()
    scores = fc.forecast_scores(trained.model, snapshot, np.array([0, 1]), np.array([5, 70]))
    assert ((scores >= 0) & (scores <= 1)).all()


@pytest.mark.slow  # fits several models
def test_probabilities_spread_and_track_the_observed_rate():
    """On a history whose process does not change, the next window's outcome, weighted back to
    the real share of new pairs, matches the probabilities: low bins stay low, high bins are
    high, and the probabilities spread over orders of magnitude rather than all reading 0.9."""
    trained = fc.forecast_train(steady_history())
    table = trained.calibration
    predicted = np.array([row[0] for row in table["bins"]])
    observed = np.array([row[1] for row in table["bins"]])
    shares = np.array([row[2] for row in table["bins"]])
    assert 0 < table["base_rate"] < 0.05
    # In the large: the expected rate is the observed one within a factor of 3 (new pairs get
    # rarer as a field fills in, so a model fitted one window back runs a little high).
    assert table["base_rate"] / 3 < (predicted * shares).sum() < 3 * table["base_rate"]
    assert predicted[-1] > 50 * predicted[0] and predicted[-1] < 0.9
    assert observed[-3:].mean() > 20 * max(observed[:3].mean(), 1e-4)


@pytest.mark.slow  # fits several models
def test_the_horizon_adapts_to_a_short_history():
    assert [fc.horizon_for(months) for months in (2, 3, 5, 6, 7, 12)] == [0, 1, 2, 2, 3, 3]
    three = fc.forecast_train(steady_history(months=3, papers_per_month=600))
    assert three.horizon_months == 1
    assert (three.train_cutoff, three.validation_cutoff) == ("2025-01-31", "2025-02-28")
    assert three.validation_auc > 0.7


def test_a_short_history_is_refused_with_a_reason():
    days = month_days(2)
    history = history_from([(day, "cs.LG", ["a", "b", "c"]) for day in days for _ in range(5)])
    with pytest.raises(fc.ForecastUnavailable, match="2 month"):
        fc.forecast_train(history)


def test_the_proxy_prefers_connected_pairs_and_stays_in_range():
    history = growing_history(months=2)
    snapshot = history.snapshot()
    eligible = snapshot.eligible()
    a, b = np.repeat(eligible, len(eligible)), np.tile(eligible, len(eligible))
    keep = a != b
    a, b = a[keep], b[keep]
    proxy = fc.proxy_scores(snapshot, a, b)
    assert ((proxy >= 0) & (proxy <= 1)).all()
    cn, _ = snapshot.common_neighbours(a, b)
    assert proxy[cn > 0].mean() > proxy[cn == 0].mean()


def test_an_empty_history_is_refused():
    with pytest.raises(fc.ForecastUnavailable, match="no dated papers"):
        fc.forecast_train(history_from([]))


def test_month_back_lands_on_month_ends():
    assert fc.month_back(day_number("2026-03-31"), 3) == day_number("2025-12-31")
    assert fc.month_back(day_number("2026-03-15"), 3) == day_number("2025-12-31")
    assert fc.month_back(day_number("2025-12-31"), 3) == day_number("2025-09-30")
