"""The short article each finished experiment gets: question, setup, results, plots, what the
results say about the hypothesis (through the spec's success criteria), and the sources.

Pure functions of the spec and the runner's metrics.json, so the article can be rebuilt at any
time from the files in the run's directory."""

from __future__ import annotations

import operator
import statistics
from dataclasses import dataclass
from typing import Any

from experiments.markdown_text import name_and_description, one_line, table_cell

COMPARISONS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


@dataclass(frozen=True)
class CriterionResult:
    metric: str
    comparison: str
    threshold: float
    aggregate: str
    value: float | None  # None when no run measured the metric
    holds: bool | None

    def describe(self) -> str:
        target = f"{self.aggregate} {self.metric} {self.comparison} {self.threshold:g}"
        if self.value is None:
            return f"{target}: not measured"
        return f"{target}: {_num(self.value)} ({'holds' if self.holds else 'fails'})"


def _num(value: float) -> str:
    return f"{value:.4g}"


def criteria_evaluate(
    document: dict[str, Any], runs: list[dict[str, Any]]
) -> list[CriterionResult]:
    directions = {m["name"]: m["direction"] for m in document["metrics"]}
    results = []
    for criterion in document["success_criteria"]:
        metric, aggregate = criterion["metric"], criterion.get("aggregate", "best")
        compare = COMPARISONS[criterion["comparison"]]
        values = [r["metrics"][metric] for r in runs if metric in r.get("metrics", {})]
        if not values:
            value, holds = None, None
        elif aggregate == "mean":
            value = statistics.fmean(values)
            holds = compare(value, criterion["threshold"])
        elif aggregate == "all":
            failing = [v for v in values if not compare(v, criterion["threshold"])]
            holds = not failing
            pick_worst = min if directions.get(metric) == "maximize" else max
            value = pick_worst(failing or values)
        else:
            value = (max if directions.get(metric) == "maximize" else min)(values)
            holds = compare(value, criterion["threshold"])
        results.append(
            CriterionResult(
                metric, criterion["comparison"], criterion["threshold"], aggregate, value, holds
            )
        )
    return results


def verdict_of(results: list[CriterionResult], *, complete: bool) -> str:
    """supported / not supported / inconclusive (missing runs or unmeasured criteria)."""
    if any(r.holds is False for r in results):
        return "not supported"
    if not complete or any(r.holds is None for r in results):
        return "inconclusive"
    return "supported"


def results_table(report: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Rows per condition, metrics as mean (and sd over seeds when there are several)."""
    metrics = [m["name"] for m in report["metrics"]]
    variables = list(report["plan"]["grid"])
    groups: dict[tuple, list[dict]] = {}
    for run in report["runs"]:
        key = tuple(run["condition"].get(v) for v in variables)
        groups.setdefault(key, []).append(run)
    header = [*variables, "seeds", *metrics, "seconds"]
    rows = []
    for key, runs in groups.items():
        cells = [str(value) for value in key] + [str(len(runs))]
        for metric in metrics:
            values = [r["metrics"][metric] for r in runs if metric in r["metrics"]]
            if not values:
                cells.append("")
            elif len(values) == 1:
                cells.append(_num(values[0]))
            else:
                cells.append(f"{_num(statistics.fmean(values))} ± {_num(statistics.stdev(values))}")
        cells.append(_num(sum(r["seconds"] for r in runs)))
        rows.append(cells)
    return header, rows


def _best_runs(report: dict[str, Any]) -> list[str]:
    lines = []
    for metric in report["metrics"]:
        runs = [r for r in report["runs"] if metric["name"] in r["metrics"]]
        if not runs:
            continue
        pick = max if metric["direction"] == "maximize" else min
        best = pick(runs, key=lambda r: r["metrics"][metric["name"]])
        condition = ", ".join(f"{k}={v}" for k, v in best["condition"].items()) or "defaults"
        lines.append(
            f"- Best {metric['name']} ({metric['direction']}): "
            f"{_num(best['metrics'][metric['name']])} with {condition}, seed {best['seed']}"
        )
    return lines


def writeup_markdown(
    *,
    document: dict[str, Any],
    report: dict[str, Any],
    status: str,
    run_id: int,
    seconds: float | None,
) -> tuple[str, str, list[CriterionResult]]:
    """(the article, the verdict, the criteria's results)."""
    d = document
    complete = bool(report.get("complete")) and status == "succeeded"
    results = criteria_evaluate(d, report["runs"])
    verdict = verdict_of(results, complete=complete)
    plan = report["plan"]
    params = {**report.get("defaults", {}), **plan["params"]}
    for name in plan["grid"]:
        params.pop(name, None)
    lines = [
        f"# {one_line(d['title'])}",
        "",
        f"*Experiment run {run_id}: {status}; hypothesis {verdict}.*",
        "",
        "## Idea and question",
        "",
        f"This experiment follows up the idea **{one_line(d['idea']['title'])}**"
        + (
            f" (concepts: {', '.join(one_line(c) for c in d['idea']['concepts'])})."
            if d["idea"]["concepts"]
            else "."
        ),
        "",
        f"**Question.** {one_line(d['question'])}",
        "",
        f"**Hypothesis.** {one_line(d['hypothesis'])}",
        "",
        "## Setup",
        "",
        f"- Template: `{report['template']}` v{report['template_version']}",
        "- Varied: "
        + (
            "; ".join(
                f"{name} in {', '.join(str(v) for v in values)}"
                for name, values in plan["grid"].items()
            )
            or "nothing (one condition)"
        ),
        f"- Seeds: {', '.join(str(s) for s in plan['seeds'])}",
        "- Fixed: " + ", ".join(f"{k}={v}" for k, v in params.items()),
        f"- Ran on {report['device']} with torch {report['torch']}"
        + (f", {seconds / 60:.1f} minutes" if seconds is not None else "")
        + f" (budget {d['compute']['wall_time_minutes']:g} minutes)",
    ]
    if d["datasets"]:
        lines.append("- Data: " + "; ".join(name_and_description(x) for x in d["datasets"]))
    header, rows = results_table(report)
    lines += ["", "## Results", ""]
    if rows:
        lines += [
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
            *("| " + " | ".join(table_cell(c) for c in row) + " |" for row in rows),
            "",
            *_best_runs(report),
        ]
    else:
        lines.append("No run finished.")
    if report.get("plots"):
        lines += ["", "## Plots", ""]
        for plot in report["plots"]:
            name = plot.rsplit("/", 1)[-1].removesuffix(".png").replace("_", " ")
            lines += [f"![{name}]({plot})", ""]
    lines += ["", "## What the results say", ""]
    lines += [f"- {r.describe()}" for r in results]
    lines.append("")
    if verdict == "supported":
        lines.append(
            "Every success criterion holds, so these runs support the hypothesis as the spec "
            "states it. They test it at the scale of this template only."
        )
    elif verdict == "not supported":
        lines.append(
            "At least one success criterion fails, so these runs do not support the hypothesis "
            "as the spec states it."
        )
    else:
        lines.append(
            f"The experiment did not finish every run ({status}) or a criterion was not "
            "measured, so the results are inconclusive."
        )
    lines += ["", "## Grounding papers", ""]
    for paper in d["idea"]["grounding_papers"]:
        link = f" <{paper['url']}>" if paper.get("url") else ""
        lines.append(f"- {one_line(paper['title'])} ({paper['key']}){link}")
    if not d["idea"]["grounding_papers"]:
        lines.append("- none recorded")
    lines.append("")
    return "\n".join(lines), verdict, results
