"""Dashboard, stats API and read access."""

import pytest

from ingest import services
from tests.conftest import sample_lines, write_jsonl

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_graphs_counts(clean_state, client, tmp_path):
    empty = client.get("/")
    assert empty.status_code == 200
    assert empty.context["stats"]["papers"] == 0
    services.ingest_job_run(
        job_id=services.ingest_file_job_create(
            path=write_jsonl(tmp_path / "p.jsonl", sample_lines(3))
        ).pk
    )
    response = client.get("/")
    stats = response.context["stats"]
    assert stats["papers"] == 3 and stats["paper_vectors"] == 3 and stats["concepts"] > 0
    assert f'<div class="n">{stats["concepts"]}</div>' in response.content.decode()


def test_stats_api(clean_state, client):
    stats = client.get("/api/stats").json()
    assert set(stats) >= {"papers", "concepts", "paper_vectors", "concept_vectors"}
    assert all(isinstance(value, int) for value in stats.values())


def test_reading_can_require_login(clean_state, client, settings):
    settings.LOGIN_REQUIRED_FOR_READING = True
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/ingest/", "/api/stats"])
def test_every_read_page_honours_login_for_reading(clean_state, client, settings, path):
    assert client.get(path).status_code == 200
    settings.LOGIN_REQUIRED_FOR_READING = True
    assert client.get(path).status_code == 302


def test_stat_labels_are_words(clean_state, client):
    body = client.get("/").content.decode()
    for label in ("Paper vectors", "Concept vectors", "Co-occurrences"):
        assert f"</div>{label}</div>" in body
    assert "Papervectors" not in body and "Cooccurrences" not in body


def test_every_page_has_an_icon_that_loads(clean_state, client):
    body = client.get("/").content.decode()
    assert 'rel="icon"' in body
    icon = client.get("/favicon.ico", follow=True)
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)


def test_a_graph_server_outage_is_a_plain_503_not_a_traceback(clean_state, client, monkeypatch):
    import redis

    from browse import selectors

    def down(**kwargs):
        raise redis.ConnectionError("Error 111 connecting to unix socket")

    monkeypatch.setattr(selectors, "concept_page", down)
    monkeypatch.setattr("browse.api.graph_stats", lambda: down())
    page = client.get("/concepts/sparseautoencoder/")
    assert page.status_code == 503
    assert b"services start" in page.content and b"Traceback" not in page.content
    api = client.get("/api/stats")
    assert api.status_code == 503 and "services start" in api.json()["error"]


def test_vectors_from_another_embedding_are_a_plain_503_that_says_what_to_do(
    clean_state, client, vector_dir
):
    import json

    vector_dir.mkdir(parents=True, exist_ok=True)
    record = {"model": "all-MiniLM-L6-v2", "max_tokens": 128, "quantize": "int8"}
    (vector_dir / "embedding.json").write_text(json.dumps(record))
    api = client.get("/api/search", {"q": "sparse autoencoders"})
    assert api.status_code == 503
    error = api.json()["error"]
    assert "quantize 'int8' here, '' asked" in error and "rebuild_index" in error
