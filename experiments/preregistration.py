"""Pre-registration: can a spec's success criteria fail?

A criterion that the template's baseline (its standard recipe, measured once and kept as the
template's reference) already meets tests nothing: any run holds it. Such criteria are flagged
where the spec is drafted, shown and edited, and dispatch refuses them unless the person confirms.
When the spec changes parameters the reference was not measured at, or names a metric the
reference lacks, the criterion is flagged as unchecked instead: nothing is known either way."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from experiments.specs import MANUAL
from runner.registry import UnknownTemplate, template_get, template_reference

COMPARISONS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
MET_BY_BASELINE = "met_by_baseline"
UNCHECKED = "unchecked"


@dataclass(frozen=True)
class CriterionFlag:
    index: int  # into success_criteria
    kind: str  # MET_BY_BASELINE or UNCHECKED
    message: str

    @property
    def path(self) -> str:
        return f"success_criteria[{self.index}]"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def criteria_flags(document: dict[str, Any]) -> list[CriterionFlag]:
    """The flags of a valid spec's success criteria against its template's baseline."""
    runner = document.get("runner") or {}
    if runner.get("template") in (None, MANUAL):
        return []
    try:
        template = template_get(runner["template"])
    except UnknownTemplate:
        return []
    criteria = document.get("success_criteria") or []
    reference = template_reference(template)
    baseline = {**template.defaults, **(runner.get("params") or {}), **template.baseline}
    if reference is None or any(reference["params"].get(k) != v for k, v in baseline.items()):
        why = (
            "the template's baseline was never measured"
            if reference is None
            else "the spec's fixed parameters differ from those the baseline was measured at"
        )
        return [
            CriterionFlag(i, UNCHECKED, f"not checked against the baseline: {why}")
            for i in range(len(criteria))
        ]
    flags = []
    for i, criterion in enumerate(criteria):
        value = reference["metrics"].get(criterion["metric"])
        if value is None:
            flags.append(
                CriterionFlag(i, UNCHECKED, f"the baseline has no {criterion['metric']} figure")
            )
        elif COMPARISONS[criterion["comparison"]](value, criterion["threshold"]):
            flags.append(
                CriterionFlag(
                    i,
                    MET_BY_BASELINE,
                    f"the baseline ({template.baseline_name}) already meets it: "
                    f"{criterion['metric']} {value:.4g} {criterion['comparison']} "
                    f"{criterion['threshold']:g}, so no run can fail it and it tests nothing",
                )
            )
    return flags


def criteria_weak(document: dict[str, Any]) -> list[CriterionFlag]:
    return [flag for flag in criteria_flags(document) if flag.kind == MET_BY_BASELINE]
