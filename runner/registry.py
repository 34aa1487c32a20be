"""The catalogue of experiment templates and the validation of their parameters."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

Log = Callable[[str], None]

# Bounds one dispatched experiment can ask for: conditions x seeds.
MAX_RUNS = 64


@dataclass(frozen=True)
class Metric:
    name: str
    direction: str  # "maximize" or "minimize"
    description: str


@dataclass(frozen=True)
class Template:
    """A registered experiment.

    `run_one` trains/evaluates one condition with one seed and returns {"metrics": {name: float},
    ...anything else JSON-serialisable the plots need}; `plot` draws the finished runs into
    out_dir and returns the files' paths relative to it; `check` returns cross-parameter errors
    the JSON Schema cannot express, as (parameter, message).

    `concepts` are the research concepts the template can test (an idea is linked to it only
    through its own concepts, never through words of its text); `tests` says in one sentence what
    a run measures; `baseline` is the parameters of the standard recipe a spec's success criteria
    must beat, named `baseline_name`; its measured results are the template's reference."""

    name: str
    version: int
    title: str
    description: str
    params_schema: dict[str, Any]
    metrics: tuple[Metric, ...]
    run_one: Callable[..., dict[str, Any]]
    plot: Callable[[list[dict[str, Any]], Path], list[str]]
    check: Callable[[dict[str, Any]], list[tuple[str, str]]] = lambda params: []
    concepts: tuple[str, ...] = field(default=())
    tests: str = ""
    baseline: dict[str, Any] = field(default_factory=dict)
    baseline_name: str = ""

    @property
    def defaults(self) -> dict[str, Any]:
        return {
            name: spec["default"]
            for name, spec in self.params_schema["properties"].items()
            if "default" in spec
        }

    @property
    def metric_names(self) -> list[str]:
        return [metric.name for metric in self.metrics]


@dataclass(frozen=True)
class ParamError:
    param: str  # "" for the parameters as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.param}: {self.message}" if self.param else self.message


class UnknownTemplate(KeyError):
    def __str__(self) -> str:
        return f"unknown template {self.args[0]!r}; registered: {', '.join(sorted(TEMPLATES))}"


TEMPLATES: dict[str, Template] = {}


def template_register(template: Template) -> Template:
    Draft202012Validator.check_schema(template.params_schema)
    TEMPLATES[template.name] = template
    return template


REFERENCES = Path(__file__).parent / "references"


def template_reference(template: Template) -> dict[str, Any] | None:
    """The measured results of the template's baseline at its default parameters:
    {"params": {...}, "seeds": [...], "metrics": {name: mean over seeds}}, written by
    bench/bench_references.py; None when never measured."""
    path = REFERENCES / f"{template.name}-v{template.version}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())


def template_get(name: str) -> Template:
    _load_builtin()
    try:
        return TEMPLATES[name]
    except KeyError:
        raise UnknownTemplate(name) from None


def templates_all() -> list[Template]:
    _load_builtin()
    return [TEMPLATES[name] for name in sorted(TEMPLATES)]


def _load_builtin() -> None:
    from runner.templates import (  # noqa: F401 - register
        knowledge_editing,
        sae_activations,
        sae_superposition,
    )


def params_validate(template: Template, params: dict[str, Any]) -> list[ParamError]:
    """Errors in one full set of parameters (defaults are filled in first)."""
    if not isinstance(params, dict):
        return [ParamError("", "parameters must be an object")]
    known = template.params_schema["properties"]
    errors = [
        ParamError(name, f"not a parameter of {template.name}")
        for name in params
        if name not in known
    ]
    full = {name: value for name, value in {**template.defaults, **params}.items() if name in known}
    validator = Draft202012Validator(template.params_schema)
    errors += [
        ParamError(".".join(str(p) for p in error.absolute_path), error.message)
        for error in sorted(validator.iter_errors(full), key=lambda e: list(e.absolute_path))
    ]
    if not errors:
        errors = [ParamError(param, message) for param, message in template.check(full)]
    return errors


@dataclass(frozen=True)
class Plan:
    """What to run: fixed parameters, a grid of varied ones, and seeds."""

    template: str
    params: dict[str, Any]
    grid: dict[str, list[Any]]
    seeds: list[int]

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "params": self.params,
            "grid": self.grid,
            "seeds": self.seeds,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            template=data["template"],
            params=dict(data.get("params") or {}),
            grid={name: list(values) for name, values in (data.get("grid") or {}).items()},
            seeds=list(data.get("seeds") or [0]),
        )

    def conditions(self) -> Iterator[dict[str, Any]]:
        """Each point of the grid: the varied parameters only, in the grid's order."""
        names = list(self.grid)
        for values in itertools.product(*(self.grid[name] for name in names)):
            yield dict(zip(names, values, strict=True))

    @property
    def run_count(self) -> int:
        count = len(self.seeds)
        for values in self.grid.values():
            count *= len(values)
        return count


def plan_validate(plan: Plan) -> list[ParamError]:
    """Everything wrong with a plan, checked before it is queued or run."""
    try:
        template = template_get(plan.template)
    except UnknownTemplate as exc:
        return [ParamError("template", str(exc))]
    errors = []
    properties = template.params_schema["properties"]
    for name, values in plan.grid.items():
        if name not in properties:
            errors.append(ParamError(name, "not a parameter of this template"))
        elif not values:
            errors.append(ParamError(name, "needs at least one value"))
        elif name in plan.params:
            errors.append(ParamError(name, "is both fixed and varied; give it in one place"))
    if not plan.seeds:
        errors.append(ParamError("seeds", "needs at least one seed"))
    if plan.run_count > MAX_RUNS:
        errors.append(
            ParamError("", f"{plan.run_count} runs (conditions x seeds); at most {MAX_RUNS}")
        )
    if errors:
        return errors
    seen: set[str] = set()
    for condition in plan.conditions():
        for error in params_validate(template, {**plan.params, **condition}):
            text = str(error)
            if text not in seen:  # one grid value would repeat its error per condition
                seen.add(text)
                errors.append(error)
    return errors
