"""Query parameters of the browsing pages and APIs, validated: bad values are reported by name."""

from __future__ import annotations

import re

from django import forms

from browse.selectors import MAX_DEPTH, MAX_NODES
from graph.store import CONCEPT_KINDS, NeighbourFilter

_FIELD_CODE = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")


class CommaListInput(forms.TextInput):
    """Reads `name=a,b` and `name=a&name=b` (checkboxes) alike."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return ",".join(v for v in values if v)


class CommaSeparatedField(forms.CharField):
    """A comma-separated list; each item checked by `item_ok`."""

    widget = CommaListInput

    def __init__(self, *, item_ok, item_name: str, **kwargs):
        super().__init__(required=False, max_length=2000, **kwargs)
        self.item_ok = item_ok
        self.item_name = item_name

    def clean(self, value):
        text = super().clean(value) or ""
        items = tuple(dict.fromkeys(i.strip() for i in text.split(",") if i.strip()))
        bad = [i for i in items if not self.item_ok(i)]
        if bad:
            raise forms.ValidationError(f"not a {self.item_name}: {', '.join(bad[:5])}")
        return items or None


class OneValueEach(forms.Form):
    """A query-string form whose parameters each take one value: "limit=5&limit=x" is refused,
    naming the parameter, instead of silently using the last one."""

    def clean(self) -> dict:
        data = super().clean()
        getlist = getattr(self.data, "getlist", None)
        for name in self.fields if getlist else ():
            if len(getlist(name)) > 1:
                self.add_error(name, "given more than once; give one value")
        return data


class NeighbourhoodForm(OneValueEach):
    depth = forms.IntegerField(required=False, min_value=1, max_value=MAX_DEPTH, initial=1)
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_NODES, initial=60)
    min_weight = forms.IntegerField(required=False, min_value=1, max_value=100_000, initial=1)
    fields = CommaSeparatedField(
        item_ok=_FIELD_CODE.match, item_name="category code (like cs.LG)", label="Fields"
    )
    kinds = CommaSeparatedField(
        item_ok=lambda k: k in CONCEPT_KINDS,
        item_name=f"kind ({', '.join(CONCEPT_KINDS)})",
        label="Kinds",
    )
    since = forms.DateField(required=False, label="Links first seen from")
    until = forms.DateField(required=False, label="to")
    similar = forms.BooleanField(required=False, label="Similar concepts")
    papers = forms.BooleanField(required=False, label="Bridging papers")
    hubs = forms.BooleanField(required=False, label="Hubs")

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("since", f"{since} is after until ({until})")
        return data

    def options(self) -> dict:
        """Keyword arguments for `concept_neighbourhood`."""
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        return {
            "depth": data.get("depth") or 1,
            "limit": data.get("limit") or 60,
            "where": NeighbourFilter(
                min_weight=data.get("min_weight") or 1,
                kinds=data.get("kinds"),
                fields=data.get("fields"),
                since=since.isoformat() if since else None,
                # `first` is a date; a link first seen on `until` is in range.
                until=until.isoformat() if until else None,
            ),
            "similar": bool(data.get("similar")),
            "papers": bool(data.get("papers")),
            "hubs": bool(data.get("hubs")),
        }


class PathForm(OneValueEach):
    to = forms.CharField(max_length=300)
    min_weight = forms.IntegerField(required=False, min_value=1, max_value=100_000)


class SearchForm(OneValueEach):
    q = forms.CharField(required=False, max_length=200, label="Search")
    limit = forms.IntegerField(required=False, min_value=1, max_value=50)


class FieldPairForm(OneValueEach):
    a = forms.RegexField(regex=_FIELD_CODE, max_length=40)
    b = forms.RegexField(regex=_FIELD_CODE, max_length=40)


def errors_json(form: forms.Form) -> dict:
    return {"errors": {name: [str(e) for e in errs] for name, errs in form.errors.items()}}
