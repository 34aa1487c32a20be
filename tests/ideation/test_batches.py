"""Batches on a real Celery worker, and on an empty graph. Transactional (the worker must see
committed rows), so pytest-django runs these after the other database tests."""

import json
import shutil

import pytest
from django.core.management import call_command

from ideation import services
from ideation.history import history_forget
from ideation.models import IdeaBatch
from tests.conftest import sample_lines, write_jsonl

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_graph(clean_state, settings, tmp_path):
    """120 real papers in the data dir's default places, which a worker process sees too. Too
    little history for a forecast model: batches run without one, saying so."""
    from ingest import services as ingest_services

    shutil.rmtree(settings.IDEATION_DIR, ignore_errors=True)
    shutil.rmtree(settings.DATA_DIR / "vectors", ignore_errors=True)
    settings.VECTOR_DIR = settings.DATA_DIR / "vectors"
    history_forget()
    path = write_jsonl(tmp_path / "papers.jsonl", sample_lines(120))
    job = ingest_services.ingest_job_run(
        job_id=ingest_services.ingest_file_job_create(path=path).pk
    )
    assert job.status == "succeeded"
    yield
    shutil.rmtree(settings.DATA_DIR / "vectors", ignore_errors=True)
    shutil.rmtree(settings.IDEATION_DIR, ignore_errors=True)
    history_forget()


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.broker
def test_a_worker_on_the_ideation_queue_runs_a_batch(small_graph, tmp_path):
    from ideation.tasks import idea_batch_run
    from tests.processes import start_worker, stop, wait_for

    worker = start_worker(tmp_path / "worker.log", queues="ideation")
    try:
        batch = services.idea_batch_create(params={"n": 3})
        idea_batch_run.delay(batch.pk)
        done = wait_for(
            lambda: (b := IdeaBatch.objects.get(pk=batch.pk)).is_finished and b, 300, "the batch"
        )
        assert done.status == "succeeded", (
            done.message + (tmp_path / "worker.log").read_text()[-1500:]
        )
        assert done.progress == 100 and done.ideas_written == 3
        ideas = list(done.ideas.filter(duplicate_of=None).order_by("rank"))
        assert [idea.rank for idea in ideas] == [1, 2, 3]
        assert all(idea.title and idea.hypothesis and len(idea.concepts) == 2 for idea in ideas)
        assert [idea.score for idea in ideas] == sorted((i.score for i in ideas), reverse=True)
    finally:
        stop(worker)


def test_empty_graph_fails_batches_with_a_reason(clean_state, tmp_path):
    history_forget()
    batch = services.idea_batch_create(params={"n": 2})
    batch = services.idea_batch_run(batch_id=batch.pk)
    assert batch.status == "failed" and "ingest papers first" in batch.message
    pairs = write_jsonl(tmp_path / "p.jsonl", [{"a": "x", "b": "y"}])
    call_command("score_pairs", file=pairs, out=tmp_path / "s.jsonl")
    (row,) = read_lines(tmp_path / "s.jsonl")
    assert row["score"] is None and row["error"]
