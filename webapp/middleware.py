"""Server-Timing on every response, so a browser's dev tools and the load test (bench/) see the
time spent in Django separately from the network and queueing."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response


class ServiceUnavailableMiddleware:
    """A page that says what to do when the graph server or broker is down, or the data dir's
    vectors come from another embedding, instead of a traceback: HTML for pages, JSON for the
    API, both with status 503. When the server is down, the process's graph store is dropped so
    that the next request connects afresh (and starts the embedded server again when that is
    the one configured)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.http import JsonResponse
        from django.shortcuts import render

        from core.embedded import ServiceError
        from core.errors import TRANSIENT_ERRORS
        from graph.factory import reset_store
        from index.embedding import EmbeddingMismatch

        if isinstance(exception, EmbeddingMismatch):
            message = f"This server cannot search this data dir: {exception}."
        elif isinstance(exception, (*TRANSIENT_ERRORS, ServiceError)):
            reset_store()
            message = (
                "The graph server is not answering. Start the services with "
                "`manage.py services start` (or check GRAPH_URL and BROKER_URL), then reload."
            )
        else:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"error": message}, status=503)
        return render(request, "503.html", {"message": message}, status=503)
