"""Dispatched specs on a real Celery worker consuming the gpu queue of the embedded broker: end to
end with write-up and e-mail, the dispatch command, cancel, and the wall-time limit.
Transactional (the worker must see committed rows), so pytest-django runs these last."""

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from experiments import services as experiments
from experiments.export import spec_yaml
from experiments.models import ExperimentRun, ExperimentSpec
from experiments.specs import SpecInvalid
from tests.ideation.factories import idea_create, tiny_spec
from tests.processes import start_worker, stop, subprocess_env, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.broker]


def broker():
    import redis

    return redis.Redis(unix_socket_path=str(settings.EMBEDDED_SOCKET), db=1)  # virtual_host=1


@pytest.fixture
def gpu_worker(tmp_path):
    broker().delete("gpu")  # messages of runs an earlier test left queued
    log = tmp_path / "gpu-worker.log"
    worker = start_worker(log, queues="gpu")
    yield log
    stop(worker)


def spec_of(document) -> ExperimentSpec:
    return ExperimentSpec.objects.create(
        document=document, title=document["title"], template="sae_superposition", origin="offline"
    )


def finished(run: ExperimentRun, seconds: float, log) -> ExperimentRun:
    def done():
        run.refresh_from_db()
        return run.is_finished and run

    return wait_for(
        done, seconds, f"run {run.pk} to finish; worker log:\n{log.read_text()[-2000:]}"
    )


def runner_processes(run: ExperimentRun) -> list[str]:
    out = subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if str(run.directory) in line and "runner" in line]


def test_a_dispatched_spec_runs_end_to_end_and_mails_its_write_up(gpu_worker, django_user_model):
    user = django_user_model.objects.create_user("res", email="res@example.org")
    idea = idea_create()
    spec = experiments.spec_import(document={**tiny_spec(), "idea": {
        **tiny_spec()["idea"], "id": idea.pk, "title": idea.title}})  # fmt: skip
    assert spec.idea_id == idea.pk
    run = experiments.experiment_dispatch(spec=spec, user=user)
    run = finished(run, 240, gpu_worker)
    assert run.status == "succeeded", run.message + gpu_worker.read_text()[-2000:]
    assert run.attempts == 1 and run.device.startswith(("cpu", "cuda"))
    files = {p.relative_to(run.directory).as_posix() for p in run.directory.rglob("*")}
    assert {"spec.json", "plan.json", "log.txt", "metrics.json", "writeup.md"} <= files
    assert {"plots/recovery.png", "plots/training.png", "plots/feature_cosines.png"} <= files
    assert run.verdict in ("supported", "not supported")
    assert len(run.summary["criteria"]) == 2
    writeup = (run.directory / "writeup.md").read_text()
    assert "| l1 | 1 |" in writeup and "| topk | 1 |" in writeup
    link = f"/experiments/runs/{run.pk}/writeup/"

    def mail_to_the_dispatcher():  # other tests' mail may share the mailbox
        mails = [p.read_text() for p in (settings.DATA_DIR / "mail").glob("*.log")]
        return [m for m in mails if link in m and "To: res@example.org" in m]

    assert wait_for(mail_to_the_dispatcher, 10, "the e-mail")


def test_dispatch_command_waits_and_prints_the_outcome(gpu_worker, tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(spec_yaml(tiny_spec()))
    result = subprocess.run(
        [sys.executable, "manage.py", "dispatch", "--spec", str(path), "--wait"],
        cwd=settings.BASE_DIR, env=subprocess_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + gpu_worker.read_text()[-2000:]
    status, results = result.stdout.strip().splitlines()[-2:]
    assert status == "succeeded"
    run = ExperimentRun.objects.get()
    assert results == f"results: {run.directory}"
    assert (run.directory / "metrics.json").exists()


def test_cancel_stops_a_running_experiment(gpu_worker):
    run = experiments.experiment_dispatch(spec=spec_of(tiny_spec(steps=10**6)))

    def running():
        run.refresh_from_db()
        return run.status == "running" and runner_processes(run)

    wait_for(running, 120, f"the run to start; log:\n{gpu_worker.read_text()[-2000:]}")
    experiments.experiment_run_cancel(run=run)
    run = finished(run, 30, gpu_worker)
    assert run.status == "cancelled" and run.message == "cancelled while running"
    assert runner_processes(run) == []


def test_a_run_past_its_wall_time_limit_fails_and_a_queued_one_can_be_cancelled(gpu_worker):
    document = tiny_spec(steps=10**6)
    document["compute"]["wall_time_minutes"] = 0.1
    slow = experiments.experiment_dispatch(spec=spec_of(document))
    queued = experiments.experiment_dispatch(spec=spec_of(tiny_spec()))
    queued = experiments.experiment_run_cancel(run=queued)
    assert queued.status == "cancelled"
    slow = finished(slow, 120, gpu_worker)
    assert slow.status == "failed"
    assert slow.message == "stopped at the spec's wall-time limit of 0.1 minutes"
    assert 6 <= slow.seconds < 40
    assert runner_processes(slow) == []
    queued.refresh_from_db()
    assert queued.status == "cancelled" and queued.attempts == 0  # the worker skipped it


def test_nothing_invalid_reaches_the_queue():
    queued_before = broker().llen("gpu")  # an earlier test may leave a cancelled run's message
    unknown = tiny_spec()
    unknown["runner"]["template"] = "shell_command"
    out_of_range = tiny_spec(learning_rate=5.0)
    manual = tiny_spec()
    manual["runner"] = {"template": "manual", "params": {}}
    for document, expected in [
        (unknown, "runner.template: unknown template 'shell_command'"),
        (out_of_range, "runner.params.learning_rate: learning_rate: 5.0 is greater"),
        (manual, "runner.template: a manual spec has no runner template"),
    ]:
        spec = ExperimentSpec.objects.create(
            document=document, title="t", template=document["runner"]["template"], origin="llm"
        )
        with pytest.raises(SpecInvalid) as caught:
            experiments.experiment_dispatch(spec=spec)
        assert expected in str(caught.value)
    assert ExperimentRun.objects.count() == 0
    assert broker().llen("gpu") == queued_before


def test_worker_permissions_are_needed_to_dispatch_and_cancel(client, django_user_model):
    spec = spec_of(tiny_spec())
    response = client.post(f"/experiments/specs/{spec.pk}/dispatch")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    user = django_user_model.objects.create_user("viewer")
    client.force_login(user)
    assert client.post(f"/experiments/specs/{spec.pk}/dispatch").status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="add_experimentrun"))
    response = client.post(f"/experiments/specs/{spec.pk}/dispatch")
    run = ExperimentRun.objects.get()
    assert response["Location"] == f"/experiments/runs/{run.pk}/"
    assert client.post(f"/experiments/runs/{run.pk}/cancel").status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="change_experimentrun"))
    assert client.post(f"/experiments/runs/{run.pk}/cancel").status_code == 302
    run.refresh_from_db()
    assert run.status == "cancelled"


def test_a_run_whose_worker_process_dies_starts_again_and_succeeds(gpu_worker):
    run = experiments.experiment_dispatch(spec=spec_of(tiny_spec(steps=3000)))

    def runner_pid():
        run.refresh_from_db()
        out = subprocess.run(
            ["ps", "-ww", "-eo", "pid,ppid,args"], capture_output=True, text=True
        ).stdout
        for line in out.splitlines():
            pid, ppid, args = line.split(None, 2)
            if str(run.directory) in args and "-m runner" in args:
                return int(pid), int(ppid)
        return None

    child, executor = wait_for(runner_pid, 120, f"the run; log:\n{gpu_worker.read_text()[-2000:]}")
    os.kill(executor, signal.SIGKILL)  # the pool process running the task: an infrastructure loss
    run = finished(run, 240, gpu_worker)
    assert run.status == "succeeded", run.message + gpu_worker.read_text()[-2000:]
    assert run.attempts == 2
    assert not os.path.exists(f"/proc/{child}")  # the first attempt's runner died with its parent
