"""Experiment specs: the versioned JSON Schema, validation with errors that name their place,
and reading specs back from the files Ideagraph exports.

A spec is a plain JSON document (a dict). Validation has two layers: the schema (shape, types,
ranges) and the checks a schema cannot express (names unique, criteria naming declared metrics,
and for a runnable spec the template's own parameter schema over every grid point)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from runner.registry import Plan, UnknownTemplate, plan_validate, template_get

SPEC_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).parent / "schemas" / f"experiment-spec-{SPEC_VERSION}.json"
MANUAL = "manual"


@dataclass(frozen=True)
class SpecError:
    path: str  # e.g. "compute.wall_time_minutes", "variables[1].values[0]"; "" for the whole spec
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecInvalid(ValueError):
    def __init__(self, errors: list[SpecError], source: str = ""):
        self.errors = errors
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(where + "; ".join(str(error) for error in errors))


@cache
def spec_schema() -> dict[str, Any]:
    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    return schema


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_error(error) -> SpecError:
    parts = list(error.absolute_path)
    if error.validator == "required":  # name the missing field itself
        missing = [name for name in error.validator_value if name not in error.instance]
        return SpecError(_path([*parts, missing[0]]), "is missing")
    if error.validator == "additionalProperties":
        return SpecError(
            _path(parts), f"{error.message} (not a field of the spec schema {SPEC_VERSION})"
        )
    return SpecError(_path(parts), error.message)


def spec_validate(document: Any) -> list[SpecError]:
    """Every problem with a spec, each naming where it is; [] when the spec is valid."""
    if not isinstance(document, dict):
        return [SpecError("", "a spec must be a JSON object")]
    validator = Draft202012Validator(spec_schema())
    errors = [
        _schema_error(error)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
    if errors:
        return errors
    errors += _unique(document["variables"], "variables", "variable")
    errors += _unique(document["metrics"], "metrics", "metric")
    metric_names = {metric["name"] for metric in document["metrics"]}
    for i, criterion in enumerate(document["success_criteria"]):
        if criterion["metric"] not in metric_names:
            errors.append(
                SpecError(
                    f"success_criteria[{i}].metric",
                    f"{criterion['metric']!r} is not one of the spec's metrics",
                )
            )
    if document["runner"]["template"] != MANUAL:
        errors += _template_errors(document)
    return errors


def _unique(items: list[dict], where: str, what: str) -> list[SpecError]:
    seen: set[str] = set()
    errors = []
    for i, item in enumerate(items):
        if item["name"] in seen:
            errors.append(SpecError(f"{where}[{i}].name", f"{what} {item['name']!r} repeats"))
        seen.add(item["name"])
    return errors


def spec_plan(document: dict[str, Any]) -> Plan:
    """What the runner executes for a spec: its template, fixed params, grid and seeds."""
    return Plan(
        template=document["runner"]["template"],
        params=dict(document["runner"]["params"]),
        grid={variable["name"]: list(variable["values"]) for variable in document["variables"]},
        seeds=list(document["seeds"]),
    )


def _template_errors(document: dict[str, Any]) -> list[SpecError]:
    runner = document["runner"]
    try:
        template = template_get(runner["template"])
    except UnknownTemplate as exc:
        return [SpecError("runner.template", f"{exc}, or '{MANUAL}'")]
    errors = []
    if runner.get("version", template.version) != template.version:
        errors.append(
            SpecError(
                "runner.version",
                f"written for version {runner['version']}; this runner has {template.version}",
            )
        )
    for i, metric in enumerate(document["metrics"]):
        if metric["name"] not in template.metric_names:
            errors.append(
                SpecError(
                    f"metrics[{i}].name",
                    f"{template.name} does not measure {metric['name']!r}; "
                    f"it reports {', '.join(template.metric_names)}",
                )
            )
    variables = {variable["name"]: i for i, variable in enumerate(document["variables"])}
    for error in plan_validate(spec_plan(document)):
        if error.param in variables:
            path = f"variables[{variables[error.param]}].values"
        elif error.param in runner["params"]:
            path = f"runner.params.{error.param}"
        elif error.param == "seeds":
            path = "seeds"
        elif error.param:
            path = "runner.params"
        else:
            path = "variables"
        errors.append(
            SpecError(path, f"{error.param}: {error.message}" if error.param else str(error))
        )
    return errors


def spec_check(document: Any, *, source: str = "") -> dict[str, Any]:
    errors = spec_validate(document)
    if errors:
        raise SpecInvalid(errors, source)
    return document


_FENCED_JSON = re.compile(r"```json\s*\n(.*?)\n```", re.DOTALL)


def spec_parse(text: str, *, fmt: str, source: str = "") -> dict[str, Any]:
    """A spec from an exported file's text (json, yaml, or md with its embedded JSON block),
    validated; SpecInvalid names the source and what is wrong where."""
    try:
        if fmt == "json":
            document = json.loads(text)
        elif fmt in ("yaml", "yml"):
            document = yaml.safe_load(text)
        elif fmt == "md":
            blocks = _FENCED_JSON.findall(text)
            if not blocks:
                raise SpecInvalid([SpecError("", "no ```json block with the spec found")], source)
            document = json.loads(blocks[-1])
        else:
            raise SpecInvalid([SpecError("", f"unknown format {fmt!r}: json, yaml or md")], source)
    except json.JSONDecodeError as exc:
        raise SpecInvalid(
            [SpecError("", f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}")],
            source,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise SpecInvalid([SpecError("", f"not valid YAML{where}")], source) from None
    return spec_check(document, source=source)


def spec_read(path: Path) -> dict[str, Any]:
    fmt = path.suffix.lstrip(".").lower()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecInvalid([SpecError("", f"cannot read it: {exc}")], str(path)) from None
    return spec_parse(text, fmt=fmt, source=str(path))
