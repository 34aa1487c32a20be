"""Campaign proposers: given the trials so far, the parameters of the next one.

Optuna's samplers, used statelessly: every proposal rebuilds the study from the recorded trials
(so a campaign resumes after any worker's death with nothing lost), TPE for one objective and
NSGA-II for several. The search space comes from a spec's variables: numeric values span a range
between their smallest and largest, anything else is a choice among the values given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAXIMIZE, MINIMIZE = "maximize", "minimize"


@dataclass(frozen=True)
class Objective:
    metric: str
    direction: str  # MAXIMIZE or MINIMIZE

    @classmethod
    def parse(cls, text: str) -> Objective:
        """ "fve:max" or "dead_fraction:min"."""
        metric, _, way = text.partition(":")
        direction = {"max": MAXIMIZE, "min": MINIMIZE}.get(way.strip().lower())
        if not metric.strip() or direction is None:
            raise ValueError(f"{text!r}: write METRIC:max or METRIC:min")
        return cls(metric.strip(), direction)


@dataclass(frozen=True)
class Trial:
    params: dict[str, Any]
    values: tuple[float, ...] | None  # one per objective; None when the trial failed


def space_from_variables(variables: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A search space from a spec's variables: integers and floats become ranges (a log scale
    when they span more than a factor of 20 and are positive), other values choices."""
    space = {}
    for variable in variables:
        values = variable["values"]
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        if numeric and len(set(values)) > 1:
            low, high = min(values), max(values)
            kind = "int" if all(isinstance(v, int) for v in values) else "float"
            space[variable["name"]] = {
                "kind": kind,
                "low": low,
                "high": high,
                "log": low > 0 and high / low > 20,
            }
        else:
            space[variable["name"]] = {
                "kind": "categorical",
                "choices": list(dict.fromkeys(values)),
            }
    return space


def _distributions(space: dict[str, dict[str, Any]]):
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    made = {}
    for name, spec in space.items():
        if spec["kind"] == "int":
            made[name] = IntDistribution(spec["low"], spec["high"], log=spec.get("log", False))
        elif spec["kind"] == "float":
            made[name] = FloatDistribution(spec["low"], spec["high"], log=spec.get("log", False))
        else:
            made[name] = CategoricalDistribution(spec["choices"])
    return made


def optuna_propose(
    *,
    space: dict[str, dict[str, Any]],
    objectives: list[Objective],
    trials: list[Trial],
    seed: int,
) -> dict[str, Any]:
    """The next trial's parameters: TPE for one objective, NSGA-II for several."""
    import optuna
    from optuna.trial import TrialState, create_trial

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions = _distributions(space)
    # The seed moves with the history, so the same history always gives the same proposal.
    sampler_seed = seed * 1009 + len(trials)
    if len(objectives) == 1:
        sampler = optuna.samplers.TPESampler(seed=sampler_seed, n_startup_trials=5)
    else:
        sampler = optuna.samplers.NSGAIISampler(seed=sampler_seed, population_size=8)
    study = optuna.create_study(directions=[o.direction for o in objectives], sampler=sampler)
    for trial in trials:
        params = {k: v for k, v in trial.params.items() if k in distributions}
        if trial.values is None:
            study.add_trial(
                create_trial(params=params, distributions=distributions, state=TrialState.FAIL)
            )
        else:
            study.add_trial(
                create_trial(params=params, distributions=distributions, values=list(trial.values))
            )
    return dict(study.ask(distributions).params)


def pareto_front(trials: list[Trial], objectives: list[Objective]) -> list[int]:
    """Indexes of the finished trials no other finished trial beats on every objective."""
    signs = [1 if o.direction == MAXIMIZE else -1 for o in objectives]
    done = [(i, [s * v for s, v in zip(signs, t.values, strict=True)])
            for i, t in enumerate(trials) if t.values is not None]  # fmt: skip
    front = []
    for i, values in done:
        beaten = any(
            all(o >= v for o, v in zip(other, values, strict=True)) and other != values
            for j, other in done
            if j != i
        )
        if not beaten:
            front.append(i)
    return front


def best_trial(trials: list[Trial], objectives: list[Objective]) -> int | None:
    """The best finished trial on the first objective (ties: the earlier)."""
    sign = 1 if objectives[0].direction == MAXIMIZE else -1
    done = [i for i, t in enumerate(trials) if t.values is not None]
    return max(done, key=lambda i: (sign * trials[i].values[0], -i)) if done else None


def best_so_far(trials: list[Trial], objectives: list[Objective]) -> list[float | None]:
    """After each trial, the best value of the first objective among the finished trials."""
    sign = 1 if objectives[0].direction == MAXIMIZE else -1
    curve: list[float | None] = []
    best = None
    for trial in trials:
        if trial.values is not None and (best is None or sign * trial.values[0] > sign * best):
            best = trial.values[0]
        curve.append(best)
    return curve
