"""The short article each finished experiment gets: question, setup, results, notable results
beyond the criteria, plots, what the results say about what the runs tested (the idea's
hypothesis, or a named proxy of it) through the spec's success criteria, and the sources. A
criterion the template's baseline already meets is reported as testing nothing and never counts
as support.

Pure functions of the spec and the runner's metrics.json, so the article can be rebuilt at any
time from the files in the run's directory."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from experiments.markdown_text import name_and_description, one_line, table_cell
from experiments.preregistration import COMPARISONS, criteria_weak

DEAD_NOTABLE = 0.25  # a condition leaving this share of latents dead is worth a sentence
TIE_MARGIN = 0.01  # values within 1% (or 0.01) of a metric's best count as best too


@dataclass(frozen=True)
class CriterionResult:
    metric: str
    comparison: str
    threshold: float
    aggregate: str
    value: float | None  # None when no run measured the metric
    holds: bool | None
    met_by_baseline: bool = False  # the baseline meets it too: it tests nothing

    def describe(self) -> str:
        target = f"{self.aggregate} {self.metric} {self.comparison} {self.threshold:g}"
        if self.value is None:
            return f"{target}: not measured"
        said = f"{target}: {_num(self.value)} ({'holds' if self.holds else 'fails'})"
        if self.met_by_baseline:
            said += "; the baseline already meets it, so it tests nothing"
        return said


def _num(value: float) -> str:
    return f"{value:.4g}"


def criteria_evaluate(
    document: dict[str, Any], runs: list[dict[str, Any]]
) -> list[CriterionResult]:
    directions = {m["name"]: m["direction"] for m in document["metrics"]}
    weak = {flag.index for flag in criteria_weak(document)}
    results = []
    for index, criterion in enumerate(document["success_criteria"]):
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
                metric,
                criterion["comparison"],
                criterion["threshold"],
                aggregate,
                value,
                holds,
                met_by_baseline=index in weak,
            )
        )
    return results


def best_criteria_together(
    document: dict[str, Any], runs: list[dict[str, Any]]
) -> dict[str, Any] | None | bool:
    """Where two or more criteria take the best run, whether one run meets them all: each
    "best" alone may be a different run (the sparsest is not the most accurate), and a
    hypothesis of "sparser and as accurate" needs one run that is both. The first such run,
    False when none, None when fewer than two criteria take the best run."""
    best = [c for c in document["success_criteria"] if c.get("aggregate", "best") == "best"]
    if len(best) < 2:
        return None
    for run in runs:
        measured = run.get("metrics", {})
        if all(
            c["metric"] in measured
            and COMPARISONS[c["comparison"]](measured[c["metric"]], c["threshold"])
            for c in best
        ):
            return run
    return False


def verdict_of(
    results: list[CriterionResult], *, complete: bool, together: dict | None | bool = None
) -> str:
    """supported / not supported / inconclusive (missing runs, unmeasured criteria, no
    criterion the baseline would fail, or "best" criteria met only by different runs)."""
    if any(r.holds is False for r in results):
        return "not supported"
    if not complete or any(r.holds is None for r in results):
        return "inconclusive"
    if all(r.met_by_baseline for r in results) or together is False:
        return "inconclusive"
    return "supported"


def _by_condition(report: dict[str, Any]) -> dict[tuple, list[dict]]:
    variables = list(report["plan"]["grid"])
    groups: dict[tuple, list[dict]] = {}
    for run in report["runs"]:
        groups.setdefault(tuple(run["condition"].get(v) for v in variables), []).append(run)
    return groups


def results_table(report: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Rows per condition; each metric column says what it holds: the mean ± sd over seeds, or
    one seed's value; time is the mean seconds per run."""
    metrics = [m["name"] for m in report["metrics"]]
    variables = list(report["plan"]["grid"])
    seeds = len(report["plan"]["seeds"])
    shown = "mean ± sd over seeds" if seeds > 1 else "one seed"
    header = [*variables, "seeds", *(f"{m} ({shown})" for m in metrics), "seconds per run (mean)"]
    rows = []
    for key, runs in _by_condition(report).items():
        cells = [str(value) for value in key] + [str(len(runs))]
        for metric in metrics:
            values = [r["metrics"][metric] for r in runs if metric in r["metrics"]]
            if not values:
                cells.append("")
            elif len(values) == 1:
                cells.append(_num(values[0]))
            else:
                cells.append(f"{_num(statistics.fmean(values))} ± {_num(statistics.stdev(values))}")
        cells.append(_num(statistics.fmean(r["seconds"] for r in runs)))
        rows.append(cells)
    return header, rows


def _condition_name(report: dict[str, Any], key: tuple) -> str:
    return ", ".join(f"{n}={v}" for n, v in zip(report["plan"]["grid"], key, strict=True)) or (
        "defaults"
    )


def notable_results(report: dict[str, Any]) -> list[str]:
    """What a reader should know beyond the criteria: conditions that leave many latents dead,
    metrics whose best conditions differ (a trade-off), and gaps within seed noise."""
    groups = _by_condition(report)
    means: dict[str, dict[tuple, float]] = {}
    spread: dict[str, dict[tuple, float]] = {}
    for metric in report["metrics"]:
        name = metric["name"]
        for key, runs in groups.items():
            values = [r["metrics"][name] for r in runs if name in r["metrics"]]
            if values:
                means.setdefault(name, {})[key] = statistics.fmean(values)
                if len(values) > 1:
                    spread.setdefault(name, {})[key] = statistics.stdev(values)
    lines = []
    for key, dead in (means.get("dead_fraction") or {}).items():
        if dead >= DEAD_NOTABLE:
            lines.append(
                f"- {_condition_name(report, key)} leaves {dead:.0%} of its latents dead "
                "(never active on the evaluation data)."
            )
    best, tied = {}, []
    for metric in report["metrics"]:
        values = means.get(metric["name"])
        if values and len(values) > 1:
            pick = max if metric["direction"] == "maximize" else min
            best[metric["name"]] = top = pick(values, key=values.get)
            margin = max(TIE_MARGIN * abs(values[top]), TIE_MARGIN)
            tied.append(
                {key for key, value in values.items() if abs(value - values[top]) <= margin}
            )
    if tied and not set.intersection(*tied):
        lines.append(
            "- Trade-off: no condition is best on every metric; best "
            + "; ".join(
                f"{name}: {_condition_name(report, key)} ({_num(means[name][key])})"
                for name, key in best.items()
            )
            + "."
        )
    for metric in report["metrics"]:
        name, values = metric["name"], means.get(metric["name"])
        if not values or len(values) < 2 or not spread.get(name):
            continue
        ordered = sorted(values, key=values.get, reverse=metric["direction"] == "maximize")
        gap = abs(values[ordered[0]] - values[ordered[1]])
        noise = max(spread[name].get(ordered[0], 0.0), spread[name].get(ordered[1], 0.0))
        if gap <= noise:
            lines.append(
                f"- On {name} the two best conditions ({_condition_name(report, ordered[0])}; "
                f"{_condition_name(report, ordered[1])}) differ by {_num(gap)}, within the seed "
                f"noise (sd up to {_num(noise)}): the order between them is not established."
            )
    return lines


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
    together = best_criteria_together(d, report["runs"])
    verdict = verdict_of(results, complete=complete, together=together)
    plan = report["plan"]
    params = {**report.get("defaults", {}), **plan["params"]}
    for name in plan["grid"]:
        params.pop(name, None)
    tests = d.get("tests") or {}
    proxy = tests.get("kind") == "proxy"
    tested = "proxy of the hypothesis" if proxy else "hypothesis"
    lines = [
        f"# {one_line(d['title'])}",
        "",
        f"*Experiment run {run_id}: {status}; {tested} {verdict}.*",
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
        *(
            [f"**What the runs test.** {one_line(tests['statement'])}", ""]
            if tests.get("statement")
            else []
        ),
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
        notable = notable_results(report)
        if notable:
            lines += ["", "### Notable beyond the criteria", "", *notable]
    else:
        lines.append("No run finished.")
    if report.get("plots"):
        lines += ["", "## Plots", ""]
        for plot in report["plots"]:
            name = plot.rsplit("/", 1)[-1].removesuffix(".png").replace("_", " ")
            lines += [f"![{name}]({plot})", ""]
    lines += ["", "## What the results say", ""]
    lines += [f"- {r.describe()}" for r in results]
    if isinstance(together, dict):
        condition = ", ".join(f"{k}={v}" for k, v in together.get("condition", {}).items())
        lines.append(
            f"- every criterion on the best run, in one run: holds ({condition or 'defaults'}, "
            f"seed {together.get('seed')})"
        )
    elif together is False:
        lines.append(
            "- every criterion on the best run, in one run: fails (each holds in a different run)"
        )
    lines.append("")
    claim = (
        "the proxy the spec names, not the idea's own hypothesis"
        if proxy
        else "the hypothesis as the spec states it"
    )
    if verdict == "supported":
        lines.append(
            f"Every success criterion holds, so these runs support {claim}. They test it at the "
            "scale of this template only."
        )
    elif verdict == "not supported":
        lines.append(f"At least one success criterion fails, so these runs do not support {claim}.")
    elif together is False and all(r.holds for r in results):
        lines.append(
            "Each criterion holds in some run, but no one run meets them all, so the runs do not "
            f"show {claim} as a whole: inconclusive."
        )
    elif complete and results and all(r.met_by_baseline for r in results):
        lines.append(
            "Every criterion holds, but the template's baseline meets each of them too, so the "
            "runs could not have failed: they neither support nor refute anything."
        )
    else:
        lines.append(
            f"The experiment did not finish every run ({status}) or a criterion was not "
            "measured, so the results are inconclusive."
        )
    if proxy:
        lines.append("")
        lines.append(
            "These runs test a proxy, so they say nothing about the idea's other concepts."
        )
    lines += ["", "## Grounding papers", ""]
    for paper in d["idea"]["grounding_papers"]:
        link = f" <{paper['url']}>" if paper.get("url") else ""
        lines.append(f"- {one_line(paper['title'])} ({paper['key']}){link}")
    if not d["idea"]["grounding_papers"]:
        lines.append("- none recorded")
    lines.append("")
    return "\n".join(lines), verdict, results
