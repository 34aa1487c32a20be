import json
import os
from pathlib import Path

import pytest

from graph.factory import get_store, reset_store
from tests.chat_server import ChatServer

# The shared data set lies beside the repository (as in CI); IDEAGRAPH_SHARED_DATA overrides.
SHARED = Path(
    os.environ.get(
        "IDEAGRAPH_SHARED_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    )
)
SAMPLE = SHARED / "sample_2k_ai_lg_cl.jsonl"


def sample_lines(n: int, *, start: int = 0) -> list[str]:
    """The first n lines (from `start`) of the real 2,000-paper arXiv sample."""
    with open(SAMPLE) as handle:
        lines = handle.read().splitlines()
    return lines[start : start + n]


def write_jsonl(path: Path, lines: list[str | dict]) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    )
    return path


# A test is in the fast tier (`pytest -m fast`) when it needs no database, graph server,
# worker or browser: parsers, extraction, scoring, specs, runner metrics.
NEEDS_SERVICES = {"db", "transactional_db", "store", "live_server"}
SERVICE_MARKERS = {"django_db", "server", "broker", "e2e", "neo4j", "slow"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        markers = {marker.name for marker in item.iter_markers()}
        if not (markers & SERVICE_MARKERS or NEEDS_SERVICES & set(item.fixturenames)):
            item.add_marker(pytest.mark.fast)


@pytest.fixture(scope="session", autouse=True)
def _embedded_server():
    """The embedded server starts on first use (graph.factory), in the test data dir, and is
    stopped with the workers at the end of the session."""
    from core import embedded as services

    yield
    reset_store()
    services.services_stop()


@pytest.fixture
def store():
    """The graph store, emptied before the test."""
    graph = get_store()
    graph.clear()
    return graph


@pytest.fixture
def vector_dir(settings, tmp_path):
    """A fresh, empty place for the FAISS indexes."""
    settings.VECTOR_DIR = tmp_path / "vectors"
    return settings.VECTOR_DIR


@pytest.fixture
def clean_state(store, vector_dir, db):
    """An empty graph, empty vector indexes and an empty database: a fresh data dir."""
    from browse.selectors import summaries_forget

    summaries_forget()
    return store


HOSTILE_ID = "2503.99999"
HOSTILE_TITLE = '<script>window.__xss = 1</script> Sparse autoencoders & <b>bold</b> "claims"'
HOSTILE_ABSTRACT = (
    '<img src=x onerror="window.__xss = 2"> We train sparse autoencoders on large language '
    "models and find that sparse autoencoders recover interpretable features; "
    "</p><script>window.__xss = 3</script> the results hold for in-context learning."
)


def arxiv_month_sample(per_month: int) -> list[str]:
    """Papers of the shared arXiv file spread evenly over its months (every k-th of each month),
    so a small graph still has a history to learn from."""
    import gzip

    by_month: dict[str, list[str]] = {}
    with gzip.open(SHARED / "arxiv_cs_2025-03_2026-03.jsonl.gz", "rt") as handle:
        for line in handle:
            month = json.loads(line).get("first_seen", "")[:7]
            by_month.setdefault(month, []).append(line.rstrip("\n"))
    chosen = []
    for lines in by_month.values():
        step = max(len(lines) // per_month, 1)
        chosen += lines[::step][:per_month]
    return chosen


def hostile_paper() -> dict:
    return {
        "id": HOSTILE_ID,
        "title": HOSTILE_TITLE,
        "abstract": HOSTILE_ABSTRACT,
        "authors": ["<i>Mallory</i> O'Hara"],
        "categories": ["cs.LG", "cs.CR"],
        "published": "2025-06-01",
    }


def browse_lines() -> list[str | dict]:
    """Real papers for the browsing tests: the sample's first 60, the ones about sparse
    autoencoders, and one paper whose title and abstract are hostile markup."""
    lines = sample_lines(2000)
    sae = [line for line in lines[60:] if "sparse autoencoder" in line.lower()]
    return [*lines[:60], *sae, hostile_paper()]


@pytest.fixture(scope="module")
def browse_corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    """A small real corpus, ingested once per module into the data dir's default places (so that
    a server or worker started as a subprocess sees it too); everything is removed afterwards."""
    import shutil

    from django.conf import settings

    from browse.selectors import summaries_forget
    from index.models import VectorKey
    from ingest import services
    from ingest.models import IngestJob

    shutil.rmtree(settings.VECTOR_DIR, ignore_errors=True)
    get_store().clear()
    summaries_forget()
    path = write_jsonl(tmp_path_factory.mktemp("browse") / "papers.jsonl", browse_lines())
    with django_db_blocker.unblock():
        job = services.ingest_job_run(job_id=services.ingest_file_job_create(path=path).pk)
        assert job.status == "succeeded" and job.invalid == 0, job.error_message
    yield job
    with django_db_blocker.unblock():
        VectorKey.objects.all().delete()
        IngestJob.objects.all().delete()
    get_store().clear()
    shutil.rmtree(settings.VECTOR_DIR, ignore_errors=True)
    summaries_forget()


@pytest.fixture
def chat():
    """Makes scripted OpenAI-compatible servers on loopback: chat(replies, delay=0)."""
    servers = []

    def make(replies, delay: float = 0.0):
        servers.append(ChatServer(replies, delay))
        return servers[-1]

    yield make
    for server in servers:
        server.close()
