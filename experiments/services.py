"""Write side of experiments: drafting and editing specs, dispatching them to the gpu queue,
running them in the gpu worker (a child process it can stop), cancelling, and the write-up.

A run's directory (settings.EXPERIMENTS_DIR/run-<id>) holds spec.json, plan.json, log.txt,
metrics.json, plots/ and writeup.md."""

from __future__ import annotations

import json
import os
import shutil
import socket
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from experiments.drafting import IdeaSource, configured_spec_writer
from experiments.models import ExperimentRun, ExperimentSpec
from experiments.preregistration import CriterionFlag, criteria_weak
from experiments.selectors import run_log_tail, run_report
from experiments.specs import MANUAL, SpecError, SpecInvalid, spec_check, spec_plan, spec_validate
from experiments.writeup import writeup_markdown
from graph.factory import get_store
from ideation.models import Idea, IdeaBatch
from ingest.records import parse_arxiv_id
from runner.supervise import Ending, Outcome, plan_supervise

# A run whose worker beat this recently is still being run (the broker can deliver a long run's
# message again once its visibility timeout passes); only a silent or dead worker's run restarts.
HEARTBEAT_STALE_SECONDS = 60


class ExperimentError(Exception):
    pass


def _paper_url(key: str) -> str | None:
    arxiv_id, _ = parse_arxiv_id(key)
    return f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None


def idea_source(idea: Idea) -> IdeaSource:
    briefs = get_store().papers_brief(keys=list(idea.grounding))
    grounding = [
        {
            "key": key,
            "title": briefs[key].title if key in briefs else key,
            "published": briefs[key].published if key in briefs else None,
            "url": _paper_url(key),
        }
        for key in idea.grounding
    ]
    return IdeaSource(
        title=idea.title,
        problem=idea.problem,
        hypothesis=idea.hypothesis,
        method=idea.method,
        expected=idea.expected,
        concepts=[
            {"name": c["name"], "kind": c.get("kind", ""), "field": c.get("field", "")}
            for c in idea.concepts
        ],
        grounding=grounding,
        id=idea.pk,
        batch=idea.batch_id,
    )


def spec_draft(*, idea: Idea, writer: str = "offline", user=None) -> ExperimentSpec:
    """A new spec for an idea, drafted by the writer asked for (the LLM falls back to rules)."""
    draft = configured_spec_writer(writer).write(idea_source(idea))
    document = spec_check(draft.document)
    return ExperimentSpec.objects.create(
        idea=idea,
        document=document,
        title=document["title"],
        template=document["runner"]["template"],
        origin=draft.writer,
        message="\n".join(draft.messages),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def specs_for_batch(*, batch: IdeaBatch, user=None) -> list[ExperimentSpec]:
    """The latest spec of each idea in a batch (duplicates and rejected ideas left out), drafting
    one with the offline rules for an idea that has none."""
    specs = []
    ideas = batch.ideas.filter(duplicate_of__isnull=True).exclude(feedback="rejected")
    for idea in ideas.order_by("rank"):
        spec = idea.specs.order_by("-updated_at").first()
        if spec is None:
            spec = spec_draft(idea=idea, writer="offline", user=user)
        specs.append(spec)
    return specs


def spec_import(*, document: Any, user=None, source: str = "") -> ExperimentSpec:
    """A spec from a file, validated; linked to its idea when that idea is in this database."""
    document = spec_check(document, source=source)
    idea_id = document["idea"].get("id")
    idea = Idea.objects.filter(pk=idea_id).first() if idea_id is not None else None
    if idea is not None and idea.title != document["idea"]["title"]:
        idea = None  # an id from another Ideagraph
    return ExperimentSpec.objects.create(
        idea=idea,
        document=document,
        title=document["title"],
        template=document["runner"]["template"],
        origin=ExperimentSpec.Origin.IMPORTED,
        message=f"imported from {source}" if source else "",
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def spec_update(*, spec: ExperimentSpec, document: dict[str, Any]) -> ExperimentSpec:
    spec_check(document)
    spec.document = document
    spec.title = document["title"]
    spec.template = document["runner"]["template"]
    spec.revision += 1
    spec.save()
    return spec


class CriteriaTooWeak(ExperimentError):
    """Success criteria the template's baseline already meets: dispatch needs a confirmation."""

    def __init__(self, flags: list[CriterionFlag]):
        self.flags = flags
        super().__init__("; ".join(str(flag) for flag in flags))


def experiment_dispatch(
    *, spec: ExperimentSpec, user=None, accept_weak_criteria: bool = False
) -> ExperimentRun:
    """Validate the spec against the schema and its template, then queue it on the gpu queue
    once the transaction commits. Nothing invalid reaches the queue, and no spec whose success
    criteria its baseline already meets unless `accept_weak_criteria`."""
    document = spec.document
    errors = spec_validate(document)
    if not errors and document["runner"]["template"] == MANUAL:
        errors = [
            SpecError(
                "runner.template",
                "a manual spec has no runner template; export it and run it yourself",
            )
        ]
    if errors:
        raise SpecInvalid(errors, f"spec {spec.pk}")
    weak = criteria_weak(document)
    if weak and not accept_weak_criteria:
        raise CriteriaTooWeak(weak)
    return experiment_run_enqueue(spec=spec, document=document, user=user)


def experiment_run_enqueue(
    *, spec: ExperimentSpec, document: dict[str, Any], user=None, **fields: Any
) -> ExperimentRun:
    """A run of `document` (already checked) queued on the gpu queue once the transaction
    commits; `fields` are further columns (a campaign's trial)."""
    from experiments.tasks import experiment_run_execute

    with transaction.atomic():
        run = ExperimentRun.objects.create(
            spec=spec,
            document=document,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            task_id=str(uuid.uuid4()),
            time_limit_seconds=float(document["compute"]["wall_time_minutes"]) * 60,
            **fields,
        )
        transaction.on_commit(
            lambda: experiment_run_execute.apply_async((run.pk,), task_id=run.task_id)
        )
    return run


def experiment_run_cancel(*, run: ExperimentRun) -> ExperimentRun:
    """Cancel a queued run at once; ask the worker to stop a running one (within a second)."""
    if run.is_finished:
        raise ExperimentError(f"run {run.pk} has already {run.status}")
    now = timezone.now()
    cancelled = ExperimentRun.objects.filter(pk=run.pk, status=ExperimentRun.Status.QUEUED).update(
        status=ExperimentRun.Status.CANCELLED,
        cancel_requested=True,
        finished_at=now,
        message="cancelled before it started",
    )
    if not cancelled:
        ExperimentRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    run.refresh_from_db()
    return run


def experiment_run_execute(*, run_id: int) -> ExperimentRun:
    """Run a queued experiment in a child process, enforcing its time limit and watching for a
    cancel. Idempotent: a finished or cancelled run is left alone; a run a lost worker left
    'running' starts again from scratch, up to EXPERIMENT_MAX_ATTEMPTS times."""
    run = ExperimentRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    if run.attempts >= settings.EXPERIMENT_MAX_ATTEMPTS:
        return run.finish(
            ExperimentRun.Status.FAILED,
            f"gave up after {run.attempts} attempts: the worker was lost each time",
        )
    if run.status == ExperimentRun.Status.RUNNING and _still_running_elsewhere(run):
        return run
    me = f"{socket.gethostname()}:{os.getpid()}"
    started = ExperimentRun.objects.filter(
        pk=run.pk, status__in=[ExperimentRun.Status.QUEUED, ExperimentRun.Status.RUNNING]
    ).update(
        status=ExperimentRun.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        worker=me,
    )
    run.refresh_from_db()
    if not started:
        return run
    directory = run.directory
    if directory.exists():  # a lost worker's partial results
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / "spec.json").write_text(json.dumps(run.document, indent=2, ensure_ascii=False))
    plan_path = directory / "plan.json"
    plan_path.write_text(json.dumps(spec_plan(run.document).to_json(), indent=2))
    outcome = plan_supervise(
        plan_path=plan_path,
        out_dir=directory,
        log_path=run.log_path,
        time_limit_seconds=run.time_limit_seconds,
        cancel_requested=lambda: ExperimentRun.objects.filter(
            pk=run.pk, cancel_requested=True
        ).exists(),
        heartbeat=lambda: ExperimentRun.objects.filter(pk=run.pk).update(
            heartbeat_at=timezone.now()
        ),
        cwd=settings.BASE_DIR,
    )
    status, message = _status_of(outcome, run)
    report = run_report(run=run)
    run.status, run.finished_at = status, timezone.now()
    fields = {"device": report.get("device", "")} if report else {}
    if report is not None and report["runs"]:
        # The write-up exists before the run shows as finished, so a finished run has one.
        fields.update(writeup_write(run=run, report=report))
    run = run.finish(status, message, finished_at=run.finished_at, **fields)
    if run.campaign_id is not None:  # the campaign's next step; its trials send no mail
        from experiments.tasks import campaign_advance

        campaign_id = run.campaign_id
        transaction.on_commit(lambda: campaign_advance.delay(campaign_id))
    elif status == ExperimentRun.Status.SUCCEEDED and run.writeup_at:
        writeup_notify(run=run)
    return run


def _status_of(outcome: Outcome, run: ExperimentRun) -> tuple[str, str]:
    if outcome.ending == Ending.CANCELLED:
        return ExperimentRun.Status.CANCELLED, "cancelled while running"
    if outcome.ending == Ending.TIMED_OUT:
        minutes = run.time_limit_seconds / 60
        return (
            ExperimentRun.Status.FAILED,
            f"stopped at the spec's wall-time limit of {minutes:g} minutes",
        )
    if outcome.returncode == 0:
        return ExperimentRun.Status.SUCCEEDED, ""
    tail = run_log_tail(run=run, lines=15)
    return ExperimentRun.Status.FAILED, f"the runner exited with code {outcome.returncode}:\n{tail}"


def _still_running_elsewhere(run: ExperimentRun) -> bool:
    """True when another live worker process is running this run."""
    if run.heartbeat_at is None:
        return False
    if (timezone.now() - run.heartbeat_at).total_seconds() > HEARTBEAT_STALE_SECONDS:
        return False
    host, _, pid = run.worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # beating recently on another machine
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """A killed worker's process whose parent died too stays a zombie until init reaps it (some
    container inits never do): it answers signal 0 but runs nothing."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False  # no /proc: trust the signal
    return stat.rpartition(")")[2].split()[0] == "Z"


def writeup_write(*, run: ExperimentRun, report: dict[str, Any]) -> dict[str, Any]:
    """Write the run's article to writeup.md; returns the run fields that record it."""
    markdown, verdict, results = writeup_markdown(
        document=run.document,
        report=report,
        status=run.status,
        run_id=run.pk,
        seconds=run.seconds,
    )
    run.writeup_path.write_text(markdown, encoding="utf-8")
    return {
        "verdict": verdict,
        "writeup_at": timezone.now(),
        "summary": {"criteria": [vars(r) for r in results], "runs": len(report["runs"])},
    }


def writeup_notify(*, run: ExperimentRun) -> bool:
    """E-mail the person who dispatched the run a link to its write-up; False if no address."""
    user = run.requested_by
    if user is None or not user.email:
        return False
    link = settings.SITE_URL + reverse("experiment-writeup", args=[run.pk])
    send_mail(
        subject=f"[Ideagraph] Results ready: {run.document['title'][:120]}",
        message=(
            f"Experiment run {run.pk} has {run.status}; hypothesis {run.verdict}.\n\n"
            f"Read the write-up: {link}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True
