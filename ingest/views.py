from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.access import read_access, write_access
from core.htmx import polling_response
from ingest import selectors, services
from ingest.forms import IngestForm
from ingest.models import IngestJob
from ingest.sources.files import SourceError


@require_http_methods(["GET", "POST"])
@read_access
def ingest_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _ingest_submit(request)
    return _render_ingest_page(request, IngestForm())


@write_access("ingest.add_ingestjob")
def _ingest_submit(request: HttpRequest) -> HttpResponse:
    form = IngestForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_ingest_page(request, form, status=400)
    try:
        if form.cleaned_data["upload"]:
            job = services.ingest_upload_job_create(
                upload=form.cleaned_data["upload"], user=request.user
            )
        else:
            job = services.ingest_arxiv_job_create(query=form.arxiv_query(), user=request.user)
    except SourceError as exc:
        form.add_error("upload", str(exc))
        return _render_ingest_page(request, form, status=400)
    services.ingest_job_enqueue(job=job)
    return redirect("ingest-job", job_id=job.pk)


def _render_ingest_page(request: HttpRequest, form: IngestForm, status: int = 200) -> HttpResponse:
    jobs = selectors.ingest_jobs_recent(limit=10)
    return render(request, "ingest/ingest.html", {"form": form, "jobs": jobs}, status=status)


@read_access
def ingest_job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(IngestJob, pk=job_id)
    context = {"job": job, "errors": selectors.ingest_job_errors(job=job)}
    if request.htmx:
        response = render(request, "ingest/job.html#progress", context)
        return polling_response(response, finished=job.is_finished)
    return render(request, "ingest/job.html", context)
