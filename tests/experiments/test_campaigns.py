"""Campaigns on a real Celery worker consuming the gpu queue: trials proposed one after another,
the best and the default re-run on fresh seeds, a summary; a worker killed mid-campaign and a
new one finishing it; the command line. Transactional (the worker must see committed rows)."""

import signal
import subprocess
import sys

import pytest
from django.conf import settings

from experiments import campaigns
from experiments import services as experiments
from experiments.export import spec_yaml
from experiments.models import Campaign
from experiments.proposers import Objective
from tests.experiments.test_runs import broker
from tests.processes import start_worker, stop, subprocess_env, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.broker, pytest.mark.slow]


def tiny_campaign_spec() -> dict:
    """sae_activations on the digits network, a few hundred steps per run."""
    from experiments.drafting import spec_offline
    from tests.experiments.test_links import idea_of

    document = spec_offline(idea_of("TopK sparse autoencoders", "dead latents")).document
    document["runner"]["params"] |= {"steps": 150, "batch_size": 128}
    document["variables"] = [
        {"name": "sparsity_method", "values": ["l1", "topk"]},
        {"name": "topk_k", "values": [2, 16]},
    ]
    document["seeds"] = [0]
    document["compute"]["wall_time_minutes"] = 5
    return document


@pytest.fixture
def gpu_log(tmp_path):
    from core.embedded import ensure_embedded_server

    ensure_embedded_server()
    broker().delete("gpu")
    return tmp_path / "gpu-worker.log"


def finished(campaign: Campaign, seconds: float, log) -> Campaign:
    def done():
        campaign.refresh_from_db()
        return campaign.is_finished and campaign

    return wait_for(done, seconds, f"campaign {campaign.pk}; worker log:\n{_tail(log)}")


def _tail(log) -> str:
    return log.read_text()[-2000:] if log.exists() else ""


def _mails_about(campaign: Campaign, mail_dir, before: set) -> list[str]:
    mails = [path.read_text() for path in set(mail_dir.glob("*")) - before]
    return [text for text in mails if f"Campaign {campaign.pk} " in text]


def test_a_campaign_runs_its_trials_then_confirms_the_best_on_fresh_seeds(gpu_log, chat, settings):
    """Proposed by an LLM (a loopback server) two at a time to a worker running two trials at
    once: its one valid proposal is taken with its reason, its invalid ones fall back to Optuna;
    the author gets the summary by e-mail."""
    import json
    from pathlib import Path

    from django.contrib.auth import get_user_model

    valid = {"params": {"sparsity_method": "topk", "topk_k": 4}, "reason": "TopK, small k."}
    server = chat([json.dumps(valid)])  # then "{}": invalid, so Optuna proposes
    settings.OPENAI_BASE_URL, settings.LLM_MODEL = server.url, "m"
    mail_dir = Path(settings.EMAIL_FILE_PATH)
    before = set(mail_dir.glob("*")) if mail_dir.exists() else set()
    author = get_user_model().objects.create_user("ada", "ada@example.org", "pw")
    worker = start_worker(
        gpu_log, queues="gpu", concurrency=2, OPENAI_BASE_URL=server.url, LLM_MODEL="m"
    )
    try:
        spec = experiments.spec_import(document=tiny_campaign_spec())
        campaign = campaigns.campaign_create(
            spec=spec,
            trials=3,
            objectives=[Objective.parse("fve:max")],
            proposer="llm",
            parallel=2,
            user=author,
        )
        campaigns.campaign_start(campaign=campaign)
        campaign = finished(campaign, 600, gpu_log)
        # The worker sends the e-mail once the finished state is committed: wait for it before
        # stopping the worker, or the stop can come first.
        mine = wait_for(lambda: _mails_about(campaign, mail_dir, before), 60, "the e-mail")
    finally:
        stop(worker)
    assert campaign.status == "succeeded", campaign.message + _tail(gpu_log)
    trials = list(campaign.runs.filter(trial__gte=0).order_by("trial"))
    assert [run.trial for run in trials] == [0, 1, 2]
    assert all(run.status == "succeeded" for run in trials)
    # The first two were queued together and ran side by side.
    first, second = trials[0], trials[1]
    assert first.started_at < second.finished_at and second.started_at < first.finished_at
    for run in trials:
        params = run.document["runner"]["params"]
        assert params["sparsity_method"] in ("l1", "topk") and 2 <= params["topk_k"] <= 16
        assert run.document["variables"] == []
    assert trials[0].trial_params == valid["params"]
    assert trials[0].trial_reason == "llm: TopK, small k."
    assert trials[1].trial_reason.startswith("optuna: Optuna TPE from 0 trials (LLM proposals")
    assert trials[2].trial_reason.startswith("optuna:")
    confirm = {run.trial: run for run in campaign.runs.filter(trial__lt=0)}
    assert set(confirm) == {-1, -2}
    assert confirm[-1].document["seeds"] == campaigns.CONFIRM_SEEDS
    assert confirm[-2].trial_params == {"sparsity_method": "topk", "topk_k": 8}  # the defaults
    summary = campaign.summary
    assert summary["best_params"] == trials[summary["best_trial"]].trial_params
    assert len(summary["best_so_far"]) == 3
    assert summary["best_so_far"] == sorted(summary["best_so_far"])  # never gets worse
    assert len(summary["best_on_fresh_seeds"]) == 3 and "gain" in summary
    assert "fresh seeds" in campaign.message
    assert len(mine) == 1 and "ada@example.org" in mine[0] and campaign.message in mine[0]


def test_a_campaign_survives_its_worker_being_killed(gpu_log):
    spec = experiments.spec_import(document=tiny_campaign_spec())
    campaign = campaigns.campaign_create(
        spec=spec, trials=2, objectives=[Objective.parse("fve:max")]
    )
    worker = start_worker(gpu_log, queues="gpu")
    try:
        campaigns.campaign_start(campaign=campaign)
        wait_for(lambda: campaign.runs.filter(status="running").exists(), 240, "a trial")
    finally:
        stop(worker, signal.SIGKILL)  # mid-trial: the message is never acknowledged
    assert Campaign.objects.get(pk=campaign.pk).status == "running"
    worker = start_worker(gpu_log.with_name("second.log"), queues="gpu")
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "campaign", "--resume", str(campaign.pk), "--wait"],
            cwd=settings.BASE_DIR, env=subprocess_env(), capture_output=True, text=True,
            timeout=250,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr + _tail(gpu_log.with_name("second.log"))
        assert f"campaign {campaign.pk} succeeded" in result.stdout
        campaign.refresh_from_db()
    finally:
        stop(worker)
    assert campaign.status == "succeeded", campaign.message
    assert campaign.runs.filter(trial__gte=0).count() == 2  # nothing lost, nothing doubled


def test_the_campaign_command_refuses_bad_objectives_by_name(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(spec_yaml(tiny_campaign_spec()))
    for objective, expected in [("fve:up", "METRIC:max"), ("accuracy:max", "does not measure")]:
        result = subprocess.run(
            [sys.executable, "manage.py", "campaign", "--spec", str(path), "--trials", "2",
             "--objective", objective],
            cwd=settings.BASE_DIR, env=subprocess_env(), capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert result.returncode != 0 and expected in result.stderr, result.stderr
    assert not Campaign.objects.exists()
