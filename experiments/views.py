from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.access import read_access, write_access
from core.htmx import polling_response
from experiments import campaigns, selectors
from experiments import services as experiments
from experiments.export import CONTENT_TYPES, spec_filename, spec_render, specs_zip
from experiments.forms import CampaignForm, ExportForm, SpecDraftForm, SpecForm, SpecImportForm
from experiments.models import Campaign, ExperimentRun, ExperimentSpec
from experiments.preregistration import criteria_flags
from experiments.specs import SpecInvalid, spec_parse
from ideation.models import Idea, IdeaBatch


@require_http_methods(["GET", "POST"])
@read_access
def experiments_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _spec_import(request)
    return _render_experiments(request, SpecImportForm())


def _render_experiments(request: HttpRequest, form: SpecImportForm, status: int = 200):
    runs, specs = selectors.experiments_recent()
    context = {"runs": runs, "specs": specs, "import_form": form}
    return render(request, "experiments/experiments.html", context, status=status)


@write_access("experiments.add_experimentspec")
def _spec_import(request: HttpRequest) -> HttpResponse:
    form = SpecImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_experiments(request, form, status=400)
    name, fmt, text = form.cleaned_data["file"]
    try:
        document = spec_parse(text, fmt=fmt, source=name)
        spec = experiments.spec_import(document=document, user=request.user, source=name)
    except SpecInvalid as exc:
        for error in exc.errors:
            form.add_error("file", f"{name}: {error}")
        return _render_experiments(request, form, status=400)
    return redirect("experiment-spec", spec_id=spec.pk)


@require_POST
@write_access("experiments.add_experimentspec")
def spec_draft(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=idea_id)
    form = SpecDraftForm(request.POST)
    if not form.is_valid():
        return HttpResponse(f"cannot draft a spec: {form.errors.as_text()}", status=400)
    spec = experiments.spec_draft(idea=idea, writer=form.cleaned_data["writer"], user=request.user)
    return redirect("experiment-spec", spec_id=spec.pk)


@require_http_methods(["GET", "POST"])
@read_access
def spec_page(request: HttpRequest, spec_id: int) -> HttpResponse:
    spec = get_object_or_404(ExperimentSpec.objects.select_related("idea"), pk=spec_id)
    if request.method == "POST":
        return _spec_save(request, spec)
    return _render_spec(request, spec, SpecForm.from_document(spec.document))


def _render_spec(request, spec: ExperimentSpec, form: SpecForm, status: int = 200, **extra):
    context = {
        "spec": spec,
        "form": form,
        "campaign_form": extra.pop("campaign_form", None) or CampaignForm(),
        "campaigns": spec.campaigns.all()[:10],
        "runs": spec.runs.all()[:20],
        "criteria_flags": criteria_flags(spec.document),
        **extra,
    }
    return render(request, "experiments/spec.html", context, status=status)


@write_access("experiments.change_experimentspec")
def _spec_save(request: HttpRequest, spec: ExperimentSpec) -> HttpResponse:
    form = SpecForm(request.POST, base=spec.document)
    if not form.is_valid():
        return _render_spec(request, spec, form, status=400)
    experiments.spec_update(spec=spec, document=form.document)
    return redirect("experiment-spec", spec_id=spec.pk)


@read_access
def spec_export(request: HttpRequest, spec_id: int, fmt: str) -> HttpResponse:
    spec = get_object_or_404(ExperimentSpec, pk=spec_id)
    if not ExportForm({"format": fmt}).is_valid():
        raise Http404("export formats: json, yaml, md")
    response = HttpResponse(spec_render(spec.document, fmt=fmt), content_type=CONTENT_TYPES[fmt])
    filename = spec_filename(spec.document, spec_id=spec.pk, fmt=fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@read_access
def batch_specs_zip(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(IdeaBatch, pk=batch_id)
    form = ExportForm(request.GET or {"format": "json"})
    if not form.is_valid() or not batch.is_finished:
        return HttpResponse("format must be json, yaml or md, of a finished batch", status=400)
    if (
        not request.user.has_perm("experiments.add_experimentspec")
        and batch.ideas.filter(specs__isnull=True).exists()
    ):
        return HttpResponse("some ideas have no spec yet; log in to draft them", status=403)
    specs = experiments.specs_for_batch(batch=batch, user=request.user)
    fmt = form.cleaned_data["format"]
    payload = specs_zip([(s.pk, s.document) for s in specs], fmt=fmt)
    response = HttpResponse(payload, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}-specs-{fmt}.zip"'
    return response


@require_POST
@write_access("experiments.add_experimentrun")
def spec_dispatch(request: HttpRequest, spec_id: int) -> HttpResponse:
    spec = get_object_or_404(ExperimentSpec, pk=spec_id)
    try:
        run = experiments.experiment_dispatch(
            spec=spec,
            user=request.user,
            accept_weak_criteria=request.POST.get("accept_weak_criteria") == "on",
        )
    except experiments.CriteriaTooWeak as exc:
        form = SpecForm.from_document(spec.document)
        return _render_spec(request, spec, form, status=409, weak_criteria=exc.flags)
    except SpecInvalid as exc:
        form = SpecForm.from_document(spec.document)
        form.add_spec_errors(exc.errors)
        return _render_spec(request, spec, form, status=400, dispatch_errors=exc.errors)
    return redirect("experiment-run", run_id=run.pk)


@read_access
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ExperimentRun.objects.select_related("spec"), pk=run_id)
    context = {"page": selectors.run_page(run=run)}
    if request.htmx and request.htmx.target == "run-status":
        response = render(request, "experiments/run.html#status", context)
        return polling_response(response, finished=run.is_finished, reload=True)
    return render(request, "experiments/run.html", context)


@require_POST
@write_access("experiments.change_experimentrun")
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ExperimentRun, pk=run_id)
    try:
        experiments.experiment_run_cancel(run=run)
    except experiments.ExperimentError as exc:
        return HttpResponse(str(exc), status=409)
    return redirect("experiment-run", run_id=run.pk)


@read_access
def run_writeup(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ExperimentRun.objects.select_related("spec"), pk=run_id)
    html = selectors.writeup_html(run=run)
    if html is None:
        raise Http404("this run has no write-up yet")
    return render(request, "experiments/writeup.html", {"run": run, "article": html})


@read_access
def run_file(request: HttpRequest, run_id: int, name: str) -> FileResponse:
    run = get_object_or_404(ExperimentRun, pk=run_id)
    path = selectors.run_file(run=run, name=name)
    if path is None:
        raise Http404("no such result file")
    download = request.GET.get("download") == "1"
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        content_type=selectors.CONTENT_TYPES[path.suffix],
        as_attachment=download,
        filename=f"run-{run.pk}-{path.name}",
    )


@read_access
def run_results_zip(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(ExperimentRun, pk=run_id)
    response = HttpResponse(selectors.run_results_zip(run=run), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="run-{run.pk}-results.zip"'
    return response


@require_POST
@write_access("experiments.add_experimentrun")
def spec_campaign(request: HttpRequest, spec_id: int) -> HttpResponse:
    spec = get_object_or_404(ExperimentSpec, pk=spec_id)
    form = CampaignForm(request.POST)
    if form.is_valid():
        try:
            campaign = campaigns.campaign_create(
                spec=spec,
                trials=form.cleaned_data["trials"],
                objectives=form.cleaned_data["objectives"],
                proposer=form.cleaned_data["proposer"],
                parallel=form.cleaned_data["parallel"],
                user=request.user,
            )
        except (experiments.ExperimentError, SpecInvalid) as exc:
            form.add_error(None, str(exc))
        else:
            campaigns.campaign_start(campaign=campaign)
            return redirect("experiment-campaign", campaign_id=campaign.pk)
    spec_form = SpecForm.from_document(spec.document)
    return _render_spec(request, spec, spec_form, status=400, campaign_form=form)


@read_access
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.select_related("spec"), pk=campaign_id)
    page = selectors.campaign_page(campaign=campaign)
    if request.htmx and request.htmx.target == "campaign":
        response = render(request, "experiments/campaign.html#campaign", {"page": page})
        return polling_response(response, finished=campaign.is_finished)
    return render(request, "experiments/campaign.html", {"page": page})
