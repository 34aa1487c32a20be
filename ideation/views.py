from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.access import read_access, write_access
from core.htmx import polling_response
from ideation import selectors, services
from ideation.forms import FeedbackForm, IdeaBatchForm, IdeaFilterForm
from ideation.models import Idea, IdeaBatch


@require_http_methods(["GET", "POST"])
@read_access
def ideas_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _batch_submit(request)
    seed = request.GET.get("seed", "")[:200]
    form = IdeaBatchForm(initial={"seeds": seed} if seed else None)
    return _render_ideas_page(request, form)


@write_access("ideation.add_ideabatch")
def _batch_submit(request: HttpRequest) -> HttpResponse:
    form = IdeaBatchForm(request.POST)
    if not form.is_valid():
        return _render_ideas_page(request, form, status=400)
    try:
        batch = services.idea_batch_create(
            params=form.batch_params(), writer=form.cleaned_data["writer"], user=request.user
        )
    except services.IdeationError as exc:
        form.add_error(None, str(exc))
        return _render_ideas_page(request, form, status=400)
    services.idea_batch_enqueue(batch=batch)
    return redirect("ideation-batch", batch_id=batch.pk)


def _render_ideas_page(request: HttpRequest, form: IdeaBatchForm, status: int = 200):
    context = {
        "form": form,
        "batches": selectors.idea_batches_recent(),
        "model": selectors.forecast_model_latest(),
    }
    return render(request, "ideation/ideas.html", context, status=status)


@read_access
def batch_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = get_object_or_404(IdeaBatch, pk=batch_id)
    filters = IdeaFilterForm(request.GET or None)
    if filters.is_bound and not filters.is_valid():
        return render(
            request, "ideation/batch.html", {"batch": batch, "filters": filters}, status=400
        )
    where = filters.idea_filter() if filters.is_bound else selectors.IdeaFilter()
    context = {
        "batch": batch,
        "filters": filters,
        "ideas": selectors.ideas_ranked(batch=batch, where=where) if batch.is_finished else [],
    }
    if request.htmx and request.htmx.target == "progress":
        response = render(request, "ideation/batch.html#progress", context)
        return polling_response(response, finished=batch.is_finished, reload=True)
    if request.htmx and request.htmx.target == "ideas":
        return render(request, "ideation/batch.html#ideas", context)
    return render(request, "ideation/batch.html", context)


@read_access
def idea_page(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = get_object_or_404(Idea.objects.select_related("batch", "duplicate_of"), pk=idea_id)
    return render(request, "ideation/idea.html", {"page": selectors.idea_page(idea=idea)})


@require_POST
@write_access("ideation.change_idea")
def idea_feedback(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=idea_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return HttpResponse("feedback must be starred or rejected", status=400)
    idea = services.idea_feedback_set(
        idea=idea, feedback=form.cleaned_data["feedback"], user=request.user
    )
    if request.htmx:
        return render(request, "ideation/idea.html#feedback", {"idea": idea})
    return redirect("ideation-idea", idea_id=idea.pk)


@require_POST
@write_access("ideation.change_idea")
def idea_novelty_live(request: HttpRequest, idea_id: int) -> HttpResponse:
    idea = get_object_or_404(Idea, pk=idea_id)
    services.idea_novelty_live(idea=idea)
    return redirect("ideation-idea", idea_id=idea.pk)
