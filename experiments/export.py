"""Specs as files: JSON, YAML and Markdown (for people, with the JSON embedded so the file can be
dispatched too), one at a time or many as a zip."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import yaml
from django.utils.text import slugify

from experiments.markdown_text import name_and_description, one_line, table_cell
from experiments.specs import SPEC_VERSION, spec_plan, spec_schema

FORMATS = ("json", "yaml", "md")
CONTENT_TYPES = {
    "json": "application/json",
    "yaml": "application/yaml",
    "md": "text/markdown; charset=utf-8",
}


def spec_filename(document: dict[str, Any], *, spec_id: int | None, fmt: str) -> str:
    slug = slugify(document.get("title", ""))[:60].strip("-") or "spec"
    prefix = f"spec-{spec_id}-" if spec_id is not None else "spec-"
    return f"{prefix}{slug}.{fmt}"


def spec_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def spec_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def spec_markdown(document: dict[str, Any]) -> str:
    d = document
    runner = d["runner"]
    lines = [
        f"# {one_line(d['title'])}",
        "",
        f"*Experiment spec, schema {d['schema_version']}; runner template `{runner['template']}`.*",
        "",
        "## Question",
        "",
        d["question"],
        "",
        "## Hypothesis",
        "",
        d["hypothesis"],
        "",
        "## Conditions",
        "",
    ]
    if d["variables"]:
        lines += ["| variable | values | description |", "|---|---|---|"]
        for v in d["variables"]:
            values = ", ".join(_value(x) for x in v["values"])
            lines.append(
                f"| {v['name']} | {table_cell(values)} | {table_cell(v.get('description', ''))} |"
            )
        conditions = spec_plan(d).run_count // len(d["seeds"])
        lines += ["", f"{conditions} conditions x {len(d['seeds'])} seeds ({_seeds(d['seeds'])})."]
    else:
        lines.append(f"One condition x {len(d['seeds'])} seeds ({_seeds(d['seeds'])}).")
    if runner["params"]:
        lines += ["", "Fixed parameters: " + ", ".join(
            f"`{k}` = {_value(v)}" for k, v in runner["params"].items()
        )]  # fmt: skip
    lines += ["", "## Metrics", "", "| metric | direction | description |", "|---|---|---|"]
    lines += [
        f"| {m['name']} | {m['direction']} | {table_cell(m.get('description', ''))} |"
        for m in d["metrics"]
    ]
    lines += ["", "## Success criteria", ""]
    lines += [
        f"- {c.get('aggregate', 'best')} `{c['metric']}` {c['comparison']} {c['threshold']}"
        + (f": {one_line(c['description'])}" if c.get("description") else "")
        for c in d["success_criteria"]
    ]
    lines += ["", "## Baselines", ""]
    lines += ["- " + name_and_description(b) for b in d["baselines"]] or ["- none"]
    lines += ["", "## Datasets", ""]
    lines += [
        "- "
        + name_and_description(x)
        + (f" (source: {one_line(x['source'])})" if x.get("source") else "")
        for x in d["datasets"]
    ] or ["- none"]
    c = d["compute"]
    lines += [
        "",
        "## Compute budget",
        "",
        f"- GPU-hours: {c['gpu_hours']}",
        f"- GPU memory: {c['gpu_memory_gb']} GB",
        f"- Wall-time limit: {c['wall_time_minutes']} minutes",
        "",
        "## Source idea",
        "",
        f"{one_line(d['idea']['title'])}"
        + (f" (idea {d['idea']['id']})" if d["idea"].get("id") is not None else ""),
        "",
    ]
    if d["idea"]["concepts"]:
        lines += ["Concepts: " + ", ".join(one_line(x) for x in d["idea"]["concepts"]), ""]
    lines += ["Grounding papers:", ""]
    for paper in d["idea"]["grounding_papers"]:
        title = one_line(paper["title"])
        link = f" <{paper['url']}>" if paper.get("url") else ""
        lines.append(f"- {title} ({paper['key']}){link}")
    if not d["idea"]["grounding_papers"]:
        lines.append("- none")
    if d.get("notes"):
        lines += ["", "## Notes", "", d["notes"]]
    lines += [
        "",
        "## Machine-readable spec",
        "",
        "```json",
        json.dumps(document, indent=2, ensure_ascii=False),
        "```",
        "",
    ]
    return "\n".join(lines)


def _seeds(seeds: list[int]) -> str:
    return ", ".join(str(s) for s in seeds)


RENDERERS = {"json": spec_json, "yaml": spec_yaml, "md": spec_markdown}


def spec_render(document: dict[str, Any], *, fmt: str) -> str:
    return RENDERERS[fmt](document)


def specs_zip(specs: list[tuple[int | None, dict[str, Any]]], *, fmt: str) -> bytes:
    """A zip of one file per spec in the format asked, plus the schema they follow."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec_id, document in specs:
            name = spec_filename(document, spec_id=spec_id, fmt=fmt)
            archive.writestr(name, spec_render(document, fmt=fmt))
        archive.writestr(
            f"experiment-spec-{SPEC_VERSION}.schema.json", json.dumps(spec_schema(), indent=2)
        )
    return buffer.getvalue()
