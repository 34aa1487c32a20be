"""Campaign benchmark (issue 14): does a 20-trial campaign on `sae_activations` (digits) improve
its objective over the template's default by more than the seed noise, on fresh seeds?

The same proposer the product uses (Optuna TPE, rebuilt from the trials each step) and the same
executor the gpu worker runs, in-process. Trials run on seed 0; the best trial's configuration
and the default then run on seeds 1000-1002.

    python bench/bench_campaign.py [--trials 20] [--objective label_purity:max]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPACE = {
    "sparsity_method": {"kind": "categorical", "choices": ["l1", "topk", "jumprelu"]},
    "dict_multiplier": {"kind": "int", "low": 1, "high": 16},
    "topk_k": {"kind": "int", "low": 1, "high": 32},
    "l1_coefficient": {"kind": "float", "low": 0.001, "high": 1.0, "log": True},
    "learning_rate": {"kind": "float", "low": 0.0001, "high": 0.01, "log": True},
}
FRESH = [1000, 1001, 1002]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--objective", default="label_purity:max")
    args = parser.parse_args()

    from experiments.proposers import Objective, Trial, best_trial, optuna_propose
    from runner.execute import experiment_execute
    from runner.registry import Plan, template_get

    objective = Objective.parse(args.objective)
    template = template_get("sae_activations")
    out = Path(tempfile.mkdtemp(prefix="bench-campaign-"))

    def run(params: dict, seeds: list[int], name: str) -> list[dict]:
        report = experiment_execute(
            plan=Plan(template.name, params, {}, seeds), out_dir=out / name, log=lambda line: None
        )
        return [r["metrics"] for r in report["runs"]]

    started = time.perf_counter()
    trials: list[Trial] = []
    for number in range(args.trials):
        params = optuna_propose(space=SPACE, objectives=[objective], trials=trials, seed=0)
        metrics = run(params, [0], f"trial-{number}")[0]
        trials.append(Trial(params, (metrics[objective.metric],)))
        rounded = {k: round(v, 4) for k, v in metrics.items()}
        print(json.dumps({"trial": number + 1, "params": params, "metrics": rounded}), flush=True)
    search_s = time.perf_counter() - started
    best = trials[best_trial(trials, [objective])]
    default = {name: template.defaults[name] for name in SPACE}
    confirmed = {
        "best": run(best.params, FRESH, "best"),
        "default": run(default, FRESH, "default"),
    }
    sign = 1 if objective.direction == "maximize" else -1

    def summary(runs: list[dict]) -> dict:
        return {
            name: {"mean": round(statistics.fmean(r[name] for r in runs), 4),
                   "sd": round(statistics.stdev(r[name] for r in runs), 4)}
            for name in template.metric_names
        }  # fmt: skip

    best_s, default_s = summary(confirmed["best"]), summary(confirmed["default"])
    gain = sign * (best_s[objective.metric]["mean"] - default_s[objective.metric]["mean"])
    noise = best_s[objective.metric]["sd"] + default_s[objective.metric]["sd"]
    print(json.dumps({
        "objective": args.objective, "trials": args.trials, "search_s": round(search_s, 1),
        "best_params": best.params, "default_params": default, "fresh_seeds": FRESH,
        "best_on_fresh_seeds": best_s, "default_on_fresh_seeds": default_s,
        "gain": round(gain, 4), "noise_sd_sum": round(noise, 4), "beyond_noise": gain > noise,
        "best_so_far": [round(max(sign * t.values[0] for t in trials[: i + 1]) * sign, 4)
                        for i in range(len(trials))],
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
