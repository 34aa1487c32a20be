import re

from django import forms
from django.conf import settings

from core.llm import llm_configured
from graph.store import CONCEPT_KINDS
from ideation.models import Idea, IdeaBatch
from ideation.selectors import IdeaFilter, seeds_refusal

_CATEGORY = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")


def writer_choice_checked(writer: str) -> str:
    """A form's writer choice, refused when it asks for an LLM that is not configured."""
    if writer == "llm" and not llm_configured():
        raise forms.ValidationError("no LLM is configured (OPENAI_BASE_URL and LLM_MODEL)")
    return writer


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class IdeaBatchForm(forms.Form):
    n = forms.IntegerField(
        label="ideas", min_value=1, max_value=settings.IDEATION_MAX_IDEAS, initial=20
    )
    seeds = forms.CharField(
        required=False,
        max_length=1000,
        label="seed concepts",
        help_text="comma-separated concept names; empty: the most active concepts",
    )
    fields = forms.CharField(
        required=False,
        max_length=300,
        help_text="comma-separated arXiv categories, e.g. cs.LG, cs.CR",
    )
    kinds = forms.MultipleChoiceField(
        required=False, choices=[(k, k) for k in CONCEPT_KINDS], widget=forms.CheckboxSelectMultiple
    )
    active_since = forms.DateField(required=False, help_text="both concepts have a paper since")
    writer = forms.ChoiceField(choices=IdeaBatch.Writer.choices, initial="offline")
    field_weights = forms.CharField(
        required=False,
        max_length=500,
        help_text="e.g. cs.CR=1, cs.CV=0.3 (fields not named weigh 1)",
    )
    repeats = forms.BooleanField(
        required=False,
        label="repeat pairs I have",
        help_text="by default a batch leaves out concept pairs of ideas you already have",
    )

    def clean_fields(self) -> list[str]:
        codes = _split(self.cleaned_data["fields"])
        bad = [code for code in codes if not _CATEGORY.match(code)]
        if bad:
            raise forms.ValidationError(f"not an arXiv category: {', '.join(bad)}")
        return codes

    def clean_seeds(self) -> list[str]:
        seeds = _split(self.cleaned_data["seeds"])
        refusal = seeds_refusal(names=seeds)
        if refusal:
            raise forms.ValidationError(refusal)
        return seeds

    def clean_field_weights(self) -> dict[str, float]:
        weights = {}
        for part in _split(self.cleaned_data["field_weights"]):
            code, _, value = part.partition("=")
            try:
                weight = float(value)
            except ValueError:
                raise forms.ValidationError(
                    f"{part!r}: write field=weight, e.g. cs.CR=0.5"
                ) from None
            if not _CATEGORY.match(code.strip()) or not 0 <= weight <= 1:
                raise forms.ValidationError(f"{part!r}: a category and a weight from 0 to 1")
            weights[code.strip()] = weight
        return weights

    def clean_writer(self) -> str:
        return writer_choice_checked(self.cleaned_data["writer"])

    def batch_params(self) -> dict:
        data = self.cleaned_data
        return {
            "n": data["n"],
            "seeds": data["seeds"],
            "fields": data["fields"],
            "kinds": data["kinds"],
            "active_since": data["active_since"].isoformat() if data["active_since"] else None,
            "field_weights": data["field_weights"],
            "repeats": data["repeats"],
        }


class IdeaFilterForm(forms.Form):
    verdict = forms.ChoiceField(required=False, choices=[("", "any"), *Idea.Verdict.choices])
    field = forms.CharField(required=False, max_length=40)
    feedback = forms.ChoiceField(
        required=False,
        choices=[
            ("", "any"),
            ("starred", "starred"),
            ("rejected", "rejected"),
            ("open", "neither"),
        ],
    )
    min_score = forms.FloatField(required=False, min_value=0, max_value=1)
    show_duplicates = forms.BooleanField(required=False)

    def idea_filter(self) -> IdeaFilter:
        data = self.cleaned_data
        return IdeaFilter(
            verdict=data.get("verdict") or "",
            field=data.get("field") or "",
            feedback=data.get("feedback") or "",
            min_score=data.get("min_score") or 0.0,
            show_duplicates=bool(data.get("show_duplicates")),
        )


class FeedbackForm(forms.Form):
    feedback = forms.ChoiceField(choices=[("starred", "star"), ("rejected", "reject")])
