import json
import os
from pathlib import Path

import pytest

from graph.factory import get_store, reset_store

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


@pytest.fixture(scope="session", autouse=True)
def _embedded_server():
    """One embedded server for the session, in the test data dir; stopped at the end."""
    from webapp import services

    services.server_start()
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
    return store
