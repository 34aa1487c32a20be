"""The ingest pages: upload, permissions, progress, hostile text."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ingest import services
from ingest.models import IngestError, IngestJob
from tests.conftest import sample_lines, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture
def ingester(db) -> User:
    user = User.objects.create_user("ingester", password="pw-for-tests")
    user.user_permissions.add(Permission.objects.get(codename="add_ingestjob"))
    return user


def test_ingest_needs_a_logged_in_user_with_permission(clean_state, client, tmp_path):
    upload = SimpleUploadedFile("p.jsonl", "\n".join(sample_lines(2)).encode())
    assert client.post("/ingest/", {"upload": upload}).status_code == 302  # to the login page
    User.objects.create_user("reader", password="pw-for-tests")
    client.login(username="reader", password="pw-for-tests")
    upload.seek(0)
    assert client.post("/ingest/", {"upload": upload}).status_code == 403
    assert IngestJob.objects.count() == 0


def test_the_page_asks_for_a_login_before_a_file_is_chosen(clean_state, client, ingester):
    """A browser cannot carry a chosen file through the login page, so anonymous visitors see
    a login link (back to this page) instead of a file field."""
    page = client.get("/ingest/").content.decode()
    assert 'type="file"' not in page and 'id="login-to-ingest"' in page
    assert "/accounts/login/?next=/ingest/" in page
    client.login(username="ingester", password="pw-for-tests")
    assert 'type="file"' in client.get("/ingest/").content.decode()


def test_upload_creates_a_job_and_queues_it_after_commit(
    clean_state, client, ingester, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("ingest.tasks.ingest_job_run.delay", queued.append)
    client.force_login(ingester)
    upload = SimpleUploadedFile("my papers.jsonl", "\n".join(sample_lines(2)).encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ingest/", {"upload": upload})
    job = IngestJob.objects.get()
    assert response.status_code == 302 and response.url == f"/ingest/jobs/{job.pk}/"
    assert queued == [job.pk]
    assert job.created_by == ingester and job.source.endswith("my_papers.jsonl")
    # the page names the file as the person chose it, not where the server keeps it
    page = client.get(response.url).content.decode()
    assert "my papers.jsonl" in page and "uploads/" not in page
    assert "uploads/" not in client.get("/ingest/").content.decode()


def test_upload_of_unknown_format_is_refused_with_a_message(clean_state, client, ingester):
    client.force_login(ingester)
    response = client.post("/ingest/", {"upload": SimpleUploadedFile("x.docx", b"PK")})
    assert response.status_code == 400
    assert b"unknown format" in response.content
    assert IngestJob.objects.count() == 0


def test_post_without_csrf_token_is_refused(clean_state, ingester):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ingester)
    response = client.post("/ingest/", {"query": "x"})
    assert response.status_code == 403


def test_job_progress_partial_stops_polling_when_done(clean_state, client, tmp_path):
    job = services.ingest_file_job_create(path=write_jsonl(tmp_path / "p.jsonl", sample_lines(2)))
    running = client.get(f"/ingest/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert running.status_code == 200 and b'hx-trigger="every 1s"' in running.content
    assert b"<html" not in running.content  # the partial only
    services.ingest_job_run(job_id=job.pk)
    done = client.get(f"/ingest/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert done.status_code == 286  # htmx stops polling
    assert b'data-status="succeeded"' in done.content


def test_hostile_text_is_escaped(clean_state, client):
    job = IngestJob.objects.create(source_kind="file", source="<script>alert(1)</script>.jsonl")
    IngestError.objects.create(job=job, line=3, message="entry '<img src=x onerror=alert(1)>'")
    body = client.get(f"/ingest/jobs/{job.pk}/").content
    assert b"<script>alert(1)</script>" not in body and b"<img src=x" not in body
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
