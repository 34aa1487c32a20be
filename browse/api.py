"""The read-only JSON API the pages use, described in docs/openapi.yaml (served at
/api/openapi.yaml). Errors are JSON too: {"errors": {parameter: [messages]}} with status 400, or
{"error": message} with 404."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from browse import selectors
from browse.forms import FieldPairForm, NeighbourhoodForm, PathForm, SearchForm, errors_json
from core.access import read_access
from ingest.selectors import graph_stats

OPENAPI = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def _not_found(exc: LookupError) -> JsonResponse:
    return JsonResponse({"error": str(exc)}, status=404)


@require_GET
@read_access
def stats(request: HttpRequest) -> JsonResponse:
    return JsonResponse(graph_stats())


@require_GET
@read_access
def search(request: HttpRequest) -> JsonResponse:
    form = SearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse(errors_json(form), status=400)
    results = selectors.search(query=form.cleaned_data["q"], limit=form.cleaned_data["limit"] or 10)
    return JsonResponse(results.as_json())


@require_GET
@read_access
def neighbourhood(request: HttpRequest, key: str) -> JsonResponse:
    form = NeighbourhoodForm(request.GET)
    if not form.is_valid():
        return JsonResponse(errors_json(form), status=400)
    try:
        view = selectors.concept_neighbourhood(key=key, **form.options())
    except selectors.ConceptNotFound as exc:
        return _not_found(exc)
    return JsonResponse(view.as_json())


@require_GET
@read_access
def path(request: HttpRequest, key: str) -> JsonResponse:
    form = PathForm(request.GET)
    if not form.is_valid():
        return JsonResponse(errors_json(form), status=400)
    try:
        target = form.cleaned_data["to"]
        view = selectors.concept_path(
            source=key,
            target=selectors.concept_resolve(text=target) or target,
            min_weight=form.cleaned_data["min_weight"] or 1,
        )
    except selectors.ConceptNotFound as exc:
        return _not_found(exc)
    if view is None:
        return JsonResponse(
            {"error": "no path within 4 steps over the strongest links"}, status=404
        )
    return JsonResponse(view.as_json())


@require_GET
@read_access
def concept(request: HttpRequest, key: str) -> JsonResponse:
    try:
        page = selectors.concept_page(key=key, papers=10, neighbours=10, related=10)
    except selectors.ConceptNotFound as exc:
        return _not_found(exc)
    c = page.concept
    return JsonResponse(
        {
            "key": c.key,
            "name": c.name,
            "kind": c.kind,
            "aliases": list(c.aliases),
            "papers": c.papers,
            "fields": [{"code": f.code, "papers": f.papers, "share": f.share} for f in page.fields],
            "months": [{"month": m, "papers": n} for m, n in page.months],
            "top_papers": [{"key": p.key, "title": p.title} for p in page.top_papers],
            "cooccurring": [
                {"key": n.concept.key, "name": n.concept.name, "papers": n.weight}
                for n in page.cooccurring
            ],
            "related_unlinked": [
                {"key": b.key, "name": b.name, "similarity": round(s, 4)}
                for b, s in page.related_unlinked
            ],
        }
    )


@require_GET
@read_access
def fields(request: HttpRequest) -> JsonResponse:
    fields_map = selectors.fields_map()
    return JsonResponse(
        {
            "fields": [
                {"code": f.code, "name": f.name, "papers": f.papers, "concepts": f.concepts}
                for f in fields_map.fields
            ],
            "shared": [{"a": a, "b": b, "concepts": n} for a, b, n in fields_map.shared],
        }
    )


@require_GET
@read_access
def field_bridges(request: HttpRequest) -> JsonResponse:
    form = FieldPairForm(request.GET)
    if not form.is_valid():
        return JsonResponse(errors_json(form), status=400)
    bridges = selectors.field_bridges(a=form.cleaned_data["a"], b=form.cleaned_data["b"])
    return JsonResponse(
        {
            "bridges": [
                {
                    "key": b.concept.key,
                    "name": b.concept.name,
                    "papers": b.concept.papers,
                    "share_a": round(b.share_a, 4),
                    "share_b": round(b.share_b, 4),
                }
                for b in bridges
            ]
        }
    )


@require_GET
def openapi(request: HttpRequest) -> FileResponse:
    return FileResponse(OPENAPI.open("rb"), content_type="application/yaml")
