"""Run a validated plan: every condition x seed of one template, with metrics.json kept up to
date after each run (so a cancelled or timed-out experiment keeps what it finished) and the
template's plots drawn at the end."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runner.device import device_describe, device_detect
from runner.registry import Log, Plan, plan_validate, template_get

METRICS_FILE = "metrics.json"


class PlanInvalid(ValueError):
    pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(data, indent=2))
    os.replace(temp, path)


def experiment_execute(*, plan: Plan, out_dir: Path, log: Log = print) -> dict[str, Any]:
    """Run every condition of the plan in this process; returns what metrics.json holds."""
    errors = plan_validate(plan)
    if errors:
        raise PlanInvalid("; ".join(str(error) for error in errors))
    import torch

    template = template_get(plan.template)
    out_dir.mkdir(parents=True, exist_ok=True)
    device = device_detect()
    report: dict[str, Any] = {
        "template": template.name,
        "template_version": template.version,
        "plan": plan.to_json(),
        "defaults": template.defaults,
        "metrics": [vars(metric) for metric in template.metrics],
        "device": device_describe(device),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "started_at": _now(),
        "finished_at": None,
        "complete": False,
        "runs": [],
        "plots": [],
    }
    _write_json(out_dir / METRICS_FILE, report)
    total = plan.run_count
    log(f"{template.name} v{template.version}: {total} runs on {report['device']}")
    index = 0
    for condition in plan.conditions():
        for seed in plan.seeds:
            index += 1
            label = ", ".join(f"{k}={v}" for k, v in condition.items()) or "defaults"
            log(f"run {index}/{total}: {label}, seed {seed}")
            params = {**template.defaults, **plan.params, **condition}
            started = time.monotonic()
            result = template.run_one(params=params, seed=seed, device=device, log=log)
            seconds = round(time.monotonic() - started, 2)
            shown = ", ".join(f"{k} {v:.4g}" for k, v in result["metrics"].items())
            log(f"run {index}/{total} done in {seconds} s: {shown}")
            report["runs"].append(
                {"index": index, "condition": condition, "seed": seed, "seconds": seconds, **result}
            )
            _write_json(out_dir / METRICS_FILE, report)
    log("drawing plots")
    report["plots"] = template.plot(report["runs"], out_dir)
    report["finished_at"] = _now()
    report["complete"] = True
    _write_json(out_dir / METRICS_FILE, report)
    log(f"finished: {out_dir / METRICS_FILE}")
    return report


def main(argv: list[str] | None = None) -> int:
    """`python -m runner PLAN.json OUT_DIR`: how the gpu worker runs an experiment in a child
    process it can stop."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m runner PLAN.json OUT_DIR", file=sys.stderr)
        return 2
    plan = Plan.from_json(json.loads(Path(args[0]).read_text()))

    def log(line: str) -> None:
        print(f"{datetime.now():%H:%M:%S} {line}", flush=True)

    try:
        experiment_execute(plan=plan, out_dir=Path(args[1]), log=log)
    except PlanInvalid as exc:
        print(f"invalid plan: {exc}", file=sys.stderr)
        return 2
    return 0
