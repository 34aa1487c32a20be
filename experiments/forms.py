"""The spec editor: one field per part of the spec, in short line formats a person can type, with
the schema's and the template's errors put back next to the field they concern."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml
from django import forms

from experiments.export import FORMATS
from experiments.specs import MANUAL, SpecError, spec_validate
from ideation.forms import writer_choice_checked
from runner.registry import templates_all

_LINE = re.compile(r"^\s*(?P<head>[^#]*?)\s*(?:#\s*(?P<note>.*))?$")
_CRITERION = re.compile(
    r"^(?P<metric>[a-z][a-z0-9_]*)\s*(?P<op>>=|<=|>|<)\s*(?P<threshold>\S+)"
    r"(?:\s+(?P<aggregate>best|mean|all))?$"
)


def _scalar(text: str) -> Any:
    """'512' -> 512, '0.3' -> 0.3, 'true' -> True, anything else stays a string."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, str | int | float | bool) else text


def _lines(text: str) -> list[tuple[int, str, str]]:
    """(line number, text before '#', text after '#') of each non-blank line."""
    out = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        match = _LINE.match(raw)
        head, note = match.group("head").strip(), (match.group("note") or "").strip()
        if head:
            out.append((number, head, note))
    return out


def _note(item: dict[str, Any], key: str = "description") -> str:
    return f"  # {item[key]}" if item.get(key) else ""


# Where a spec error's path lands in the form.
_FIELD_OF_PATH = {
    "title": "title",
    "question": "question",
    "hypothesis": "hypothesis",
    "runner.template": "template",
    "runner.params": "params",
    "variables": "variables",
    "metrics": "metrics",
    "baselines": "baselines",
    "datasets": "datasets",
    "seeds": "seeds",
    "success_criteria": "success_criteria",
    "compute.gpu_hours": "gpu_hours",
    "compute.gpu_memory_gb": "gpu_memory_gb",
    "compute.wall_time_minutes": "wall_time_minutes",
    "notes": "notes",
}


def field_for_path(path: str) -> str | None:
    for prefix, name in sorted(_FIELD_OF_PATH.items(), key=lambda item: -len(item[0])):
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            return name
    return None


class SpecForm(forms.Form):
    title = forms.CharField(max_length=300)
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    hypothesis = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    template = forms.ChoiceField(help_text="a registered runner template, or manual")
    params = forms.CharField(
        required=False,
        label="fixed parameters",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="one per line: name: value",
    )
    variables = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="one per line: name: value, value  # description (the grid is their product)",
    )
    metrics = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="one per line: name maximize|minimize  # description",
    )
    success_criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="one per line: metric >= 0.9 best|mean|all  # description",
    )
    baselines = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="one per line: name  # description",
    )
    datasets = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="one per line: name  # description",
    )
    seeds = forms.CharField(max_length=200, help_text="comma-separated integers")
    gpu_hours = forms.FloatField(label="GPU-hours")
    gpu_memory_gb = forms.FloatField(label="GPU memory (GB)")
    wall_time_minutes = forms.FloatField(label="wall-time limit (minutes)")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, base: dict[str, Any], **kwargs):
        super().__init__(*args, **kwargs)
        self.base = base
        self.fields["template"].choices = [(MANUAL, MANUAL)] + [
            (t.name, f"{t.name}: {t.title}") for t in templates_all()
        ]
        self.document: dict[str, Any] | None = None

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> SpecForm:
        d = document
        initial = {
            "title": d["title"],
            "question": d["question"],
            "hypothesis": d["hypothesis"],
            "template": d["runner"]["template"],
            "params": "\n".join(f"{k}: {v}" for k, v in d["runner"]["params"].items()),
            "variables": "\n".join(
                f"{v['name']}: {', '.join(str(x) for x in v['values'])}{_note(v)}"
                for v in d["variables"]
            ),
            "metrics": "\n".join(f"{m['name']} {m['direction']}{_note(m)}" for m in d["metrics"]),
            "success_criteria": "\n".join(
                f"{c['metric']} {c['comparison']} {c['threshold']} {c.get('aggregate', 'best')}"
                + _note(c)
                for c in d["success_criteria"]
            ),
            "baselines": "\n".join(f"{b['name']}{_note(b)}" for b in d["baselines"]),
            "datasets": "\n".join(f"{x['name']}{_note(x)}" for x in d["datasets"]),
            "seeds": ", ".join(str(s) for s in d["seeds"]),
            "gpu_hours": d["compute"]["gpu_hours"],
            "gpu_memory_gb": d["compute"]["gpu_memory_gb"],
            "wall_time_minutes": d["compute"]["wall_time_minutes"],
            "notes": d.get("notes", ""),
        }
        return cls(initial=initial, base=document)

    def clean_params(self) -> dict[str, Any]:
        params = {}
        for number, head, _ in _lines(self.cleaned_data["params"]):
            name, sep, value = head.partition(":")
            if not sep or not name.strip() or not value.strip():
                raise forms.ValidationError(f"line {number}: write name: value")
            params[name.strip()] = _scalar(value.strip())
        return params

    def clean_variables(self) -> list[dict[str, Any]]:
        variables = []
        for number, head, note in _lines(self.cleaned_data["variables"]):
            name, sep, values = head.partition(":")
            parts = [p.strip() for p in values.split(",") if p.strip()]
            if not sep or not name.strip() or not parts:
                raise forms.ValidationError(f"line {number}: write name: value, value")
            variable = {"name": name.strip(), "values": [_scalar(p) for p in parts]}
            if note:
                variable["description"] = note
            variables.append(variable)
        return variables

    def clean_metrics(self) -> list[dict[str, Any]]:
        metrics = []
        for number, head, note in _lines(self.cleaned_data["metrics"]):
            parts = head.split()
            if len(parts) != 2 or parts[1] not in ("maximize", "minimize"):
                raise forms.ValidationError(f"line {number}: write name maximize (or minimize)")
            metric = {"name": parts[0], "direction": parts[1]}
            if note:
                metric["description"] = note
            metrics.append(metric)
        return metrics

    def clean_success_criteria(self) -> list[dict[str, Any]]:
        criteria = []
        for number, head, note in _lines(self.cleaned_data["success_criteria"]):
            match = _CRITERION.match(head)
            threshold = _scalar(match.group("threshold")) if match else None
            if not match or isinstance(threshold, bool) or not isinstance(threshold, int | float):
                raise forms.ValidationError(
                    f"line {number}: write metric >= number, optionally best, mean or all"
                )
            criterion = {
                "metric": match.group("metric"),
                "comparison": match.group("op"),
                "threshold": threshold,
                "aggregate": match.group("aggregate") or "best",
            }
            if note:
                criterion["description"] = note
            criteria.append(criterion)
        return criteria

    def _named(self, field: str) -> list[dict[str, Any]]:
        items = []
        for _, head, note in _lines(self.cleaned_data[field]):
            item = {"name": head}
            if note:
                item["description"] = note
            items.append(item)
        return items

    def clean_baselines(self) -> list[dict[str, Any]]:
        return self._named("baselines")

    def clean_datasets(self) -> list[dict[str, Any]]:
        items = self._named("datasets")
        sources = {x["name"]: x.get("source") for x in self.base.get("datasets", [])}
        for item in items:  # the line format has no room for a source; keep the one we had
            if sources.get(item["name"]):
                item["source"] = sources[item["name"]]
        return items

    def clean_seeds(self) -> list[int]:
        try:
            return [int(s) for s in self.cleaned_data["seeds"].split(",") if s.strip()]
        except ValueError:
            raise forms.ValidationError("integers separated by commas, e.g. 0, 1, 2") from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        document = copy.deepcopy(self.base)
        document.update(
            title=data["title"],
            question=data["question"],
            hypothesis=data["hypothesis"],
            variables=data["variables"],
            metrics=data["metrics"],
            success_criteria=data["success_criteria"],
            baselines=data["baselines"],
            datasets=data["datasets"],
            seeds=data["seeds"],
            compute={
                "gpu_hours": data["gpu_hours"],
                "gpu_memory_gb": data["gpu_memory_gb"],
                "wall_time_minutes": data["wall_time_minutes"],
            },
        )
        runner = {"template": data["template"], "params": data["params"]}
        if data["template"] == self.base["runner"]["template"] and "version" in self.base["runner"]:
            runner["version"] = self.base["runner"]["version"]
        document["runner"] = runner
        if data["notes"]:
            document["notes"] = data["notes"]
        else:
            document.pop("notes", None)
        self.add_spec_errors(spec_validate(document))
        self.document = document
        return data

    def add_spec_errors(self, errors: list[SpecError]) -> None:
        for error in errors:
            self.add_error(field_for_path(error.path), str(error))


class SpecDraftForm(forms.Form):
    writer = forms.ChoiceField(choices=[("offline", "offline rules"), ("llm", "LLM")])

    def clean_writer(self) -> str:
        return writer_choice_checked(self.cleaned_data["writer"])


class SpecImportForm(forms.Form):
    file = forms.FileField(help_text="an exported spec: .json, .yaml or .md")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        fmt = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if fmt not in (*FORMATS, "yml"):
            raise forms.ValidationError(f"{upload.name}: a .json, .yaml or .md file is needed")
        if upload.size > 1_000_000:
            raise forms.ValidationError(f"{upload.name}: larger than 1 MB")
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(f"{upload.name}: not UTF-8 text") from None
        return upload.name, fmt, text


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS])


class CampaignForm(forms.Form):
    trials = forms.IntegerField(min_value=1, max_value=200, initial=20)
    objectives = forms.CharField(
        max_length=300,
        initial="fve:max",
        help_text="METRIC:max or METRIC:min, comma-separated (several: NSGA-II)",
    )
    proposer = forms.ChoiceField(
        choices=[("optuna", "Optuna (offline)"), ("llm", "LLM, checked; Optuna on failure")],
        initial="optuna",
        required=False,
    )
    parallel = forms.IntegerField(
        min_value=1, max_value=8, initial=1, required=False, help_text="trials in flight at once"
    )

    def clean_proposer(self) -> str:
        return self.cleaned_data["proposer"] or "optuna"

    def clean_parallel(self) -> int:
        return self.cleaned_data["parallel"] or 1

    def clean_objectives(self) -> list:
        from experiments.proposers import Objective

        try:
            return [Objective.parse(t) for t in self.cleaned_data["objectives"].split(",") if t]
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
