"""A real Celery worker on the embedded broker ingests real records; a worker killed mid-job
and the job re-run loses nothing and duplicates nothing."""

import signal

import pytest

from ingest import services
from ingest.models import IngestJob
from ingest.selectors import graph_stats
from ingest.tasks import ingest_job_run
from tests.conftest import sample_lines, write_jsonl
from tests.processes import start_worker, stop, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_vectors(settings):
    """Workers keep their indexes in the data dir: empty it, and read from the same place."""
    import shutil

    shutil.rmtree(settings.DATA_DIR / "vectors", ignore_errors=True)
    settings.VECTOR_DIR = settings.DATA_DIR / "vectors"


def job_row(job_id: int) -> IngestJob:
    return IngestJob.objects.get(pk=job_id)


def test_worker_ingests_a_queued_job(clean_state, worker_vectors, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", sample_lines(12))
    worker = start_worker(tmp_path / "worker.log")
    try:
        job = services.ingest_file_job_create(path=path)
        ingest_job_run.delay(job.pk)
        done = wait_for(lambda: job_row(job.pk).is_finished and job_row(job.pk), 240, "the job")
        assert (done.status, done.new, done.invalid) == ("succeeded", 12, 0), (
            tmp_path / "worker.log"
        ).read_text()[-3000:]
        stats = graph_stats()
        assert stats["papers"] == stats["paper_vectors"] == 12
    finally:
        stop(worker)


def test_killed_worker_then_rerun_loses_and_duplicates_nothing(
    clean_state, worker_vectors, tmp_path
):
    lines = sample_lines(40, start=100)
    path = write_jsonl(tmp_path / "p.jsonl", lines)
    job = services.ingest_file_job_create(path=path)
    worker = start_worker(tmp_path / "w1.log", INGEST_CHUNK_SIZE="4")
    try:
        ingest_job_run.delay(job.pk)
        wait_for(lambda: job_row(job.pk).records_done >= 8, 240, "two chunks")
    finally:
        stop(worker, signal.SIGKILL)  # mid-job: no warm shutdown, the message is never acked
    partial = job_row(job.pk)
    assert partial.status == "running" and partial.records_done < 40

    worker = start_worker(tmp_path / "w2.log", INGEST_CHUNK_SIZE="4")
    try:
        ingest_job_run.delay(job.pk)  # the job re-run; it resumes from its last recorded chunk
        done = wait_for(lambda: job_row(job.pk).is_finished and job_row(job.pk), 240, "the rerun")
    finally:
        stop(worker)
    assert done.status == "succeeded"
    assert (done.seen, done.new + done.unchanged, done.invalid) == (40, 40, 0)
    stats = graph_stats()
    assert stats["papers"] == stats["paper_vectors"] == 40
    mentions = clean_state._run("MATCH (:Paper)-[m:MENTIONS]->(:Concept) RETURN count(m)")[0][0]
    distinct = clean_state._run(
        "MATCH (p:Paper)-[:MENTIONS]->(c:Concept) WITH DISTINCT p, c RETURN count(*)"
    )[0][0]
    assert mentions == distinct == stats["mentions"]
