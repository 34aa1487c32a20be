from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from ingest.selectors import graph_stats, ingest_jobs_recent
from webapp.access import read_access


@read_access
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "webapp/dashboard.html",
        {"stats": graph_stats(), "jobs": ingest_jobs_recent(limit=10)},
    )


@read_access
def stats_api(request: HttpRequest) -> JsonResponse:
    return JsonResponse(graph_stats())
