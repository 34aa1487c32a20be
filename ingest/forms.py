from django import forms

from ingest.sources.arxiv_api import ArxivQuery


class IngestForm(forms.Form):
    upload = forms.FileField(
        required=False, help_text="JSONL (optionally .gz), CSV (e.g. a Zotero export) or BibTeX"
    )
    query = forms.CharField(required=False, max_length=500, label="arXiv query")
    arxiv_ids = forms.CharField(required=False, max_length=5000, label="arXiv ids")
    max_results = forms.IntegerField(required=False, min_value=1, max_value=2000, initial=50)

    def clean(self) -> dict:
        data = super().clean()
        given = [data.get("upload"), data.get("query"), data.get("arxiv_ids")]
        if sum(1 for value in given if value) != 1:
            raise forms.ValidationError("Give exactly one of: a file, an arXiv query, arXiv ids.")
        return data

    def arxiv_query(self) -> ArxivQuery:
        data = self.cleaned_data
        ids = tuple(i.strip() for i in (data.get("arxiv_ids") or "").split(",") if i.strip())
        return ArxivQuery(
            query=data.get("query") or "",
            ids=ids,
            max_results=len(ids) or data.get("max_results") or 50,
        )
