"""Read side of experiments: lists, a run's files and log, and the write-up as safe HTML."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from experiments.models import Campaign, ExperimentRun, ExperimentSpec
from experiments.writeup import results_table

# Files of a run a browser may fetch: plain names at the top, PNGs under plots/.
_SERVABLE = re.compile(r"^(?:(spec|plan|metrics)\.json|log\.txt|writeup\.md|plots/[\w.-]+\.png)$")
CONTENT_TYPES = {
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".png": "image/png",
}

# Raw HTML in the Markdown is shown as text, never rendered: titles and abstracts are data.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def experiments_recent(*, limit: int = 30) -> tuple[list[ExperimentRun], list[ExperimentSpec]]:
    runs = list(ExperimentRun.objects.select_related("spec")[:limit])
    specs = list(ExperimentSpec.objects.select_related("idea")[:limit])
    return runs, specs


def run_file(*, run: ExperimentRun, name: str) -> Path | None:
    """The path of one of the run's result files, or None if the name is not one of them."""
    if not _SERVABLE.match(name):
        return None
    path = run.directory / name
    return path if path.is_file() else None


def run_log_tail(*, run: ExperimentRun, lines: int = 40) -> str:
    try:
        text = run.log_path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def run_report(*, run: ExperimentRun) -> dict[str, Any] | None:
    try:
        return json.loads(run.metrics_path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


@dataclass(frozen=True)
class RunPage:
    run: ExperimentRun
    log: str
    header: list[str]
    rows: list[list[str]]
    plots: list[str]


def run_page(*, run: ExperimentRun) -> RunPage:
    report = run_report(run=run)
    header, rows = results_table(report) if report and report["runs"] else ([], [])
    plots = report.get("plots", []) if report else []
    return RunPage(run=run, log=run_log_tail(run=run), header=header, rows=rows, plots=plots)


def writeup_markdown_text(*, run: ExperimentRun) -> str | None:
    try:
        return run.writeup_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def writeup_html(*, run: ExperimentRun) -> str | None:
    text = writeup_markdown_text(run=run)
    return None if text is None else _MARKDOWN.render(text)


def run_results_zip(*, run: ExperimentRun) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(run.directory.rglob("*")):
            name = path.relative_to(run.directory).as_posix()
            if path.is_file() and _SERVABLE.match(name):
                archive.write(path, f"run-{run.pk}/{name}")
    return buffer.getvalue()


@dataclass(frozen=True)
class CampaignRow:
    number: int
    run: ExperimentRun
    params: dict[str, Any]
    values: tuple[float, ...] | None
    best_so_far: float | None
    on_front: bool


@dataclass(frozen=True)
class ChartPoint:
    x: float  # SVG coordinates
    y: float
    label: str  # the point's tooltip
    on_front: bool


@dataclass(frozen=True)
class CampaignChart:
    """A plot drawn as SVG by the page: each finished trial, and a line (the best so far for one
    objective, the Pareto front for two: first against second)."""

    x_label: str
    y_label: str
    x_range: tuple[str, str]
    y_range: tuple[str, str]
    points: list[ChartPoint]
    line: str  # SVG polyline points
    line_label: str


CHART_W, CHART_H, CHART_PAD = 520, 260, 36


@dataclass(frozen=True)
class CampaignPage:
    campaign: Campaign
    objectives: list[str]
    rows: list[CampaignRow]
    confirmations: list[ExperimentRun]
    chart: CampaignChart | None


def campaign_page(*, campaign: Campaign) -> CampaignPage:
    from experiments.campaigns import campaign_trials
    from experiments.proposers import Objective, best_so_far, pareto_front

    objectives = [Objective(o["metric"], o["direction"]) for o in campaign.objectives]
    listed = campaign_trials(campaign)
    trials = [trial for _, trial in listed]
    front = set(pareto_front(trials, objectives))
    rows = [
        CampaignRow(number + 1, run, trial.params, trial.values, best, number in front)
        for number, ((run, trial), best) in enumerate(
            zip(listed, best_so_far(trials, objectives), strict=True)
        )
    ]
    return CampaignPage(
        campaign=campaign,
        objectives=[f"{o.metric} ({o.direction})" for o in objectives],
        rows=rows,
        confirmations=list(campaign.runs.filter(trial__lt=0).order_by("-trial")),
        chart=campaign_chart(rows=rows, objectives=objectives),
    )


def _scale(values: list[float], low_px: float, high_px: float):
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return lambda v: round(low_px + (v - low) / span * (high_px - low_px), 1), (low, high)


def campaign_chart(*, rows: list[CampaignRow], objectives) -> CampaignChart | None:
    """The best-so-far curve (one objective) or the trials against the first two objectives
    with their Pareto front; None before two trials have finished."""
    done = [row for row in rows if row.values]
    if len(done) < 2:
        return None
    left, right = CHART_PAD, CHART_W - 8
    top, bottom = 8, CHART_H - CHART_PAD
    first = objectives[0].metric
    if len(objectives) == 1:
        x_of, x_range = _scale([row.number for row in rows], left, right)
        y_of, y_range = _scale([row.values[0] for row in done], bottom, top)
        points = [ChartPoint(x_of(r.number), y_of(r.values[0]),
                             f"trial {r.number}: {first} {r.values[0]:.4g}", False)
                  for r in done]  # fmt: skip
        steps, last = [], None
        for row in rows:  # a step line: flat until a trial beats the best
            if row.best_so_far is None:
                continue
            y = y_of(row.best_so_far)
            if last is not None and y != last:
                steps.append(f"{x_of(row.number)},{last}")
            steps.append(f"{x_of(row.number)},{y}")
            last = y
        return CampaignChart("trial", f"{first}, mean over seeds", _fmt(x_range), _fmt(y_range),
                             points, " ".join(steps), "best so far")  # fmt: skip
    second = objectives[1].metric
    x_of, x_range = _scale([row.values[0] for row in done], left, right)
    y_of, y_range = _scale([row.values[1] for row in done], bottom, top)
    points = [
        ChartPoint(x_of(r.values[0]), y_of(r.values[1]),
                   f"trial {r.number}: {first} {r.values[0]:.4g}, {second} {r.values[1]:.4g}",
                   r.on_front)
        for r in done
    ]  # fmt: skip
    front = sorted((p for p in points if p.on_front), key=lambda p: p.x)
    return CampaignChart(first, second, _fmt(x_range), _fmt(y_range), points,
                         " ".join(f"{p.x},{p.y}" for p in front), "Pareto front")  # fmt: skip


def _fmt(bounds: tuple[float, float]) -> tuple[str, str]:
    return f"{bounds[0]:.4g}", f"{bounds[1]:.4g}"
