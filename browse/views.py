"""Browsing pages. Each view parses its input, calls one selector and renders one template; htmx
requests get a named partial of the same template."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from browse import selectors
from browse.forms import FieldPairForm, NeighbourhoodForm, SearchForm
from core.access import read_access
from graph.store import CONCEPT_KINDS
from ingest.selectors import concept_merged_into, graph_stats, ingest_jobs_recent

# How the dashboard names the graph's counts (the API keeps the keys).
STAT_LABELS = {"cooccurrences": "Co-occurrences"}


@require_GET
@read_access
def dashboard(request: HttpRequest) -> HttpResponse:
    stats = graph_stats()
    context = {
        "stats": stats,
        "cards": [
            (STAT_LABELS.get(name, name.replace("_", " ").capitalize()), n)
            for name, n in stats.items()
        ],
        "jobs": ingest_jobs_recent(limit=10),
        "connected": selectors.concepts_most_connected(limit=10),
        "growing": selectors.concepts_fastest_growing(limit=10),
    }
    return render(request, "browse/dashboard.html", context)


@require_GET
@read_access
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = selectors.search(query=form.cleaned_data["q"], limit=15)
    template = "browse/search.html#results" if request.htmx else "browse/search.html"
    return render(request, template, {"form": form, "results": results})


@require_GET
@read_access
def concept_page(request: HttpRequest, key: str) -> HttpResponse:
    panel = request.htmx and request.GET.get("panel")
    try:
        if panel:
            page = selectors.concept_page(key=key, papers=5, neighbours=8, related=0, months=False)
        else:
            page = selectors.concept_page(key=key)
    except selectors.ConceptNotFound as exc:
        if into := concept_merged_into(key=key):  # an old link to a name merged since
            return redirect("concept", key=into)
        raise Http404(str(exc)) from exc
    template = "browse/concept.html#panel" if panel else "browse/concept.html"
    return render(request, template, {"page": page})


@require_GET
@read_access
def paper_page(request: HttpRequest, paper_id: str) -> HttpResponse:
    try:
        page = selectors.paper_page(paper_id=paper_id)
    except selectors.PaperNotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "browse/paper.html", {"page": page})


@require_GET
@read_access
def graph_page(request: HttpRequest) -> HttpResponse:
    """The explorer. The drawing fetches the neighbourhood API from the browser; the table view
    (for keyboards and screen readers) is rendered here from the same selector."""
    text = request.GET.get("concept", "").strip()
    key = selectors.concept_resolve(text=text) if text else None
    form = NeighbourhoodForm(request.GET)
    context = {
        "form": form,
        "text": text,
        "key": key,
        "kinds": CONCEPT_KINDS,
        "view": None,
        "error": None,
    }
    if text and not key:
        context["error"] = f"No concept named {text!r}. Try the search."
    elif key and form.is_valid() and request.GET.get("table"):
        try:
            context["view"] = selectors.concept_neighbourhood(key=key, **form.options())
        except selectors.ConceptNotFound as exc:
            context["error"] = str(exc)
    template = "browse/graph.html#table" if request.htmx else "browse/graph.html"
    status = 400 if key and not form.is_valid() else 200
    return render(request, template, context, status=status)


@require_GET
@read_access
def fields_page(request: HttpRequest) -> HttpResponse:
    pair = FieldPairForm(request.GET) if request.GET.get("a") else None
    bridges = None
    if pair is not None and pair.is_valid():
        bridges = selectors.field_bridges(a=pair.cleaned_data["a"], b=pair.cleaned_data["b"])
    context = {"pair": pair, "bridges": bridges}
    if not request.htmx:  # the bridges partial needs no map
        fields_map = selectors.fields_map()
        context["map"] = fields_map
        context["fields_data"] = {
            "fields": [{"code": f.code, "papers": f.papers} for f in fields_map.fields],
            "shared": fields_map.shared,
            "url": request.path,
        }
    template = "browse/fields.html#bridges" if request.htmx else "browse/fields.html"
    return render(request, template, context, status=400 if pair and not pair.is_valid() else 200)
