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
