"""Campaigns: let the system iterate on a template's parameters.

A campaign searches the variables of a runnable spec. Each step looks at the campaign's runs and
does the one thing missing: while fewer than `trials` trials exist, the proposer (Optuna, from
every trial so far) chooses the next trial's parameters and a run is queued on the gpu queue;
then the best trial's configuration and the template's default re-run on fresh seeds; then the
summary says what improved and by how much, against the seed-to-seed spread, and its author gets
it by e-mail. Up to `parallel` trials are in flight at once (the gpu worker's concurrency decides
how many actually run together); a finished run queues the next step. A worker lost mid-trial
costs that trial's restart and nothing else: `campaign_resume` (`manage.py campaign --resume
ID`) queues the lost run again, and `campaign_advance` can be called at any time."""

from __future__ import annotations

import copy
import statistics
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from experiments.models import Campaign, ExperimentRun, ExperimentSpec
from experiments.proposers import (
    MAXIMIZE,
    Objective,
    Proposal,
    Trial,
    best_so_far,
    best_trial,
    llm_propose,
    optuna_propose,
    pareto_front,
    space_from_variables,
)
from experiments.selectors import run_report
from experiments.services import ExperimentError, experiment_run_enqueue
from experiments.specs import MANUAL, SpecInvalid, spec_validate
from runner.registry import params_validate, template_get

MAX_TRIALS = 200
MAX_PARALLEL = 8
PROPOSERS = ("optuna", "llm")
BEST, DEFAULT = -1, -2  # trial numbers of the confirmation runs
CONFIRM_SEEDS = [1000, 1001, 1002]


def campaign_create(
    *,
    spec: ExperimentSpec,
    trials: int,
    objectives: list[Objective],
    seeds: list[int] | None = None,
    seed: int = 0,
    proposer: str = "optuna",
    parallel: int = 1,
    user=None,
) -> Campaign:
    """A campaign over the spec's variables. Raises SpecInvalid or ExperimentError naming the
    problem."""
    from core.llm import llm_configured

    if proposer not in PROPOSERS:
        raise ExperimentError(f"proposer must be one of {', '.join(PROPOSERS)}, not {proposer!r}")
    if proposer == "llm" and not llm_configured():
        raise ExperimentError(
            "the llm proposer needs an OpenAI-compatible endpoint: set OPENAI_BASE_URL and "
            "LLM_MODEL, or use the optuna proposer"
        )
    if not 1 <= parallel <= MAX_PARALLEL:
        raise ExperimentError(f"parallel must be from 1 to {MAX_PARALLEL}")
    document = spec.document
    errors = spec_validate(document)
    if errors:
        raise SpecInvalid(errors, f"spec {spec.pk}")
    name = document["runner"]["template"]
    if name == MANUAL:
        raise ExperimentError("a manual spec has no template to search; draft a runnable one")
    if not document["variables"]:
        raise ExperimentError("the spec varies nothing: its variables are the search space")
    if not 1 <= trials <= MAX_TRIALS:
        raise ExperimentError(f"trials must be from 1 to {MAX_TRIALS}")
    if not objectives:
        raise ExperimentError("give at least one objective, e.g. fve:max")
    known = template_get(name).metric_names
    unknown = [o.metric for o in objectives if o.metric not in known]
    if unknown:
        raise ExperimentError(
            f"{name} does not measure {', '.join(unknown)}; it measures {', '.join(known)}"
        )
    campaign = Campaign.objects.create(
        spec=spec,
        space=space_from_variables(document["variables"]),
        objectives=[{"metric": o.metric, "direction": o.direction} for o in objectives],
        trials=trials,
        seeds=seeds or document["seeds"][:2],
        confirm_seeds=CONFIRM_SEEDS,
        seed=seed,
        proposer=proposer,
        parallel=parallel,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    return campaign


def campaign_start(*, campaign: Campaign) -> None:
    from experiments.tasks import campaign_advance

    transaction.on_commit(lambda: campaign_advance.delay(campaign.pk))


def campaign_resume(*, campaign: Campaign) -> None:
    """Pick a campaign up again after its worker was lost: its unfinished run is queued again
    (the run starts over unless a live worker still beats on it), else its next step."""
    from experiments.tasks import campaign_advance, experiment_run_execute

    unfinished = [run for run in campaign.runs.all() if not run.is_finished]
    for run in unfinished:
        transaction.on_commit(lambda pk=run.pk: experiment_run_execute.delay(pk))
    if not unfinished:
        transaction.on_commit(lambda: campaign_advance.delay(campaign.pk))


def _objectives(campaign: Campaign) -> list[Objective]:
    return [Objective(o["metric"], o["direction"]) for o in campaign.objectives]


def run_values(run: ExperimentRun, objectives: list[Objective]) -> tuple[float, ...] | None:
    """Each objective's mean over the run's seeds; None unless the run succeeded with them."""
    if run.status != ExperimentRun.Status.SUCCEEDED:
        return None
    report = run_report(run=run) or {}
    runs = report.get("runs") or []
    values = []
    for objective in objectives:
        measured = [
            r["metrics"][objective.metric] for r in runs if objective.metric in r["metrics"]
        ]
        if not measured:
            return None
        values.append(statistics.fmean(measured))
    return tuple(values)


def campaign_trials(campaign: Campaign) -> list[tuple[ExperimentRun, Trial]]:
    objectives = _objectives(campaign)
    runs = campaign.runs.filter(trial__gte=0).order_by("trial")
    return [(run, Trial(run.trial_params, run_values(run, objectives))) for run in runs]


def _queue_trial(
    campaign: Campaign, number: int, params: dict[str, Any], seeds: list[int], reason: str = ""
):
    document = copy.deepcopy(campaign.spec.document)
    document["runner"]["params"] = {**document["runner"]["params"], **params}
    document["variables"] = []
    document["seeds"] = seeds
    label = {BEST: "best configuration, fresh seeds", DEFAULT: "template default, fresh seeds"}
    document["title"] = (
        f"{document['title'][:200]} · campaign {campaign.pk}, "
        f"{label.get(number, f'trial {number + 1}')}"
    )[:300]
    return experiment_run_enqueue(
        spec=campaign.spec,
        document=document,
        user=campaign.created_by,
        campaign=campaign,
        trial=number,
        trial_params=params,
        trial_reason=reason,
    )


def _propose(campaign: Campaign, finished: list[Trial], running: list[dict[str, Any]]) -> Proposal:
    """The next trial: the LLM's proposal when the campaign asks for it and it is valid, else
    Optuna's, with the reason the LLM's was not taken."""
    objectives = _objectives(campaign)
    fallback = ""
    if campaign.proposer == "llm":
        from core.llm import llm_configured, openai_client

        if llm_configured():
            params, reason = _llm_proposal(campaign, objectives, finished, running, openai_client)
            if params is not None:
                return Proposal(params, "llm", reason)
            fallback = f" ({reason}; Optuna proposed instead)"
        else:
            fallback = " (no LLM endpoint configured; Optuna proposed instead)"
    params = optuna_propose(
        space=campaign.space,
        objectives=objectives,
        trials=finished,
        seed=campaign.seed,
        running=running,
    )
    sampler = "TPE" if len(objectives) == 1 else "NSGA-II"
    return Proposal(params, "optuna", f"Optuna {sampler} from {len(finished)} trials{fallback}")


def _llm_proposal(campaign, objectives, finished, running, openai_client):
    runner = campaign.spec.document["runner"]
    template = template_get(runner["template"])

    def check(params: dict[str, Any]) -> list[str]:
        return [str(e) for e in params_validate(template, {**runner["params"], **params})]

    brief = {
        "name": template.name,
        "title": template.title,
        "tests": template.tests,
        "metrics": [vars(metric) for metric in template.metrics],
        "fixed_params": runner["params"],
        "defaults": template.defaults,
    }
    history = finished + [Trial(params, None) for params in running]
    return llm_propose(
        client=openai_client(max_retries=1),
        model=settings.LLM_MODEL,
        template=brief,
        space=campaign.space,
        objectives=objectives,
        trials=history,
        check=check,
    )


def campaign_advance(*, campaign_id: int) -> Campaign:
    """Do the campaign's next missing steps (see the module's docstring)."""
    try:
        return _advance(campaign_id)
    except IntegrityError:  # another worker queued the same trial first; it has the step
        return Campaign.objects.get(pk=campaign_id)


def _advance(campaign_id: int) -> Campaign:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.is_finished:
            return campaign
        if campaign.status == Campaign.Status.PENDING:
            campaign.mark_running()
        runs = list(campaign.runs.all())
        in_flight = [run for run in runs if not run.is_finished]
        objectives = _objectives(campaign)
        trial_runs = sorted((r for r in runs if r.trial is not None and r.trial >= 0),
                            key=lambda r: r.trial)  # fmt: skip
        if len(trial_runs) < campaign.trials:
            finished = [
                Trial(r.trial_params, run_values(r, objectives))
                for r in trial_runs
                if r.is_finished
            ]
            running = [r.trial_params for r in trial_runs if not r.is_finished]
            free = min(campaign.parallel - len(in_flight), campaign.trials - len(trial_runs))
            for number in range(len(trial_runs), len(trial_runs) + free):
                proposal = _propose(campaign, finished, running)
                _queue_trial(campaign, number, proposal.params, campaign.seeds,
                             f"{proposal.proposer}: {proposal.reason}")  # fmt: skip
                running.append(proposal.params)
            return campaign
        if in_flight:
            return campaign  # the last trials or the confirmations; their end calls this again
        trials = [trial for _, trial in campaign_trials(campaign)]
        confirmations = {run.trial: run for run in runs if run.trial is not None and run.trial < 0}
        if not confirmations:
            best = best_trial(trials, objectives)
            if best is None:
                campaign = campaign.finish(Campaign.Status.FAILED, "no trial finished")
                transaction.on_commit(lambda: campaign_notify(campaign=campaign))
                return campaign
            _queue_trial(campaign, BEST, trials[best].params, campaign.confirm_seeds,
                         "the best trial, on fresh seeds")  # fmt: skip
            _queue_trial(campaign, DEFAULT, _default_params(campaign), campaign.confirm_seeds,
                         "the template's default, on fresh seeds")  # fmt: skip
            return campaign
        summary = campaign_summary(campaign=campaign)
        campaign = campaign.finish(Campaign.Status.SUCCEEDED, summary["sentence"], summary=summary)
        transaction.on_commit(lambda: campaign_notify(campaign=campaign))
        return campaign


def campaign_notify(*, campaign: Campaign) -> bool:
    """E-mail the campaign's author what it found; False when there is no address."""
    user = campaign.created_by
    if user is None or not user.email:
        return False
    summary = campaign.summary or {}
    link = settings.SITE_URL + reverse("experiment-campaign", args=[campaign.pk])
    lines = [f"Campaign {campaign.pk} on spec {campaign.spec_id} has {campaign.status}.", ""]
    if summary.get("best_params") is not None:
        shown = ", ".join(f"{k}={v}" for k, v in summary["best_params"].items())
        lines += [
            f"Best of {campaign.trials} trials (trial {summary['best_trial'] + 1}): {shown}.",
            campaign.message,
            "",
        ]
    else:
        lines += [campaign.message, ""]
    lines.append(f"Trials, best-so-far curve and Pareto front: {link}")
    send_mail(
        subject=f"[Ideagraph] Campaign {campaign.pk} {campaign.status}: "
        f"{campaign.spec.document['title'][:100]}",
        message="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True


def _default_params(campaign: Campaign) -> dict[str, Any]:
    """The searched parameters as the template sets them by default (or the spec fixes them)."""
    runner = campaign.spec.document["runner"]
    defaults = {**template_get(runner["template"]).defaults, **runner["params"]}
    return {name: defaults[name] for name in campaign.space if name in defaults}


def campaign_cancel(*, campaign: Campaign) -> Campaign:
    from experiments.services import experiment_run_cancel

    for run in campaign.runs.all():
        if not run.is_finished:
            experiment_run_cancel(run=run)
    return campaign.finish(Campaign.Status.CANCELLED, "cancelled")


def _per_seed(run: ExperimentRun | None, metric: str) -> list[float]:
    report = (run_report(run=run) or {}) if run else {}
    return [r["metrics"][metric] for r in report.get("runs") or [] if metric in r["metrics"]]


def campaign_summary(*, campaign: Campaign) -> dict[str, Any]:
    """Best trial, Pareto front, best-so-far curve, and the first objective's best against the
    default on the fresh seeds: the gain, and whether it exceeds their seed-to-seed spread."""
    objectives = _objectives(campaign)
    listed = campaign_trials(campaign)
    trials = [trial for _, trial in listed]
    best = best_trial(trials, objectives)
    sign = 1 if objectives[0].direction == MAXIMIZE else -1
    confirm = {run.trial: run for run in campaign.runs.filter(trial__lt=0)}
    first = objectives[0].metric
    best_values, default_values = (_per_seed(confirm.get(n), first) for n in (BEST, DEFAULT))
    summary: dict[str, Any] = {
        "best_trial": best,
        "best_params": trials[best].params if best is not None else None,
        "pareto_front": pareto_front(trials, objectives),
        "best_so_far": best_so_far(trials, objectives),
        "objective": first,
        "confirm_seeds": campaign.confirm_seeds,
        "best_on_fresh_seeds": best_values,
        "default_on_fresh_seeds": default_values,
    }
    if len(best_values) >= 2 and len(default_values) >= 2:
        gain = sign * (statistics.fmean(best_values) - statistics.fmean(default_values))
        noise = statistics.stdev(best_values) + statistics.stdev(default_values)
        summary |= {"gain": gain, "noise": noise, "beyond_noise": gain > noise}
        verdict = "more than" if gain > noise else "not more than"
        summary["sentence"] = (
            f"On fresh seeds {campaign.confirm_seeds}, the best configuration's {first} is "
            f"{statistics.fmean(best_values):.4g} against {statistics.fmean(default_values):.4g} "
            f"for the template's default: a gain of {gain:.4g}, {verdict} the two runs' seed "
            f"spread added up ({noise:.4g})."
        )
    else:
        summary["sentence"] = "The confirmation runs did not both finish; no gain is claimed."
    return summary
