import pytest
import redis
from django.conf import settings

from core import embedded as services

pytestmark = pytest.mark.server


def test_embedded_server_listens_on_a_unix_socket_only():
    services.server_start()  # reuses the session's server
    assert services.server_status().running
    client = redis.Redis(unix_socket_path=str(settings.EMBEDDED_SOCKET))
    assert client.config_get("port") == {"port": "0"}
    assert b"graph" in {module[b"name"] for module in client.module_list()}


def test_broker_url_points_at_the_embedded_socket():
    assert settings.CELERY_BROKER_URL.startswith(f"redis+socket://{settings.EMBEDDED_SOCKET}")


def test_compaction_leaves_one_snapshot_for_the_next_start_to_load(store):
    """After a rewrite the append-only file is an RDB snapshot plus an empty tail, so a restart
    loads a snapshot instead of replaying every graph write (minutes on a real graph)."""
    services.server_start()
    store.clear()
    client = redis.Redis(unix_socket_path=str(settings.EMBEDDED_SOCKET))
    assert client.config_get("aof-use-rdb-preamble") == {"aof-use-rdb-preamble": "yes"}
    store._run("UNWIND range(1, 500) AS i CREATE (:Probe {i: i})", write=True)
    services.server_compact(wait=True)
    folder = settings.EMBEDDED_SERVER_DIR / "appendonlydir"
    manifest = (folder / "appendonly.aof.manifest").read_text()
    base = next(line.split()[1] for line in manifest.splitlines() if "type b" in line)
    tail = next(line.split()[1] for line in manifest.splitlines() if "type i" in line)
    assert base.endswith(".rdb") and (folder / base).read_bytes().startswith(b"REDIS")
    assert (folder / tail).stat().st_size == 0
    store._run("MATCH (p:Probe) DELETE p", write=True)
