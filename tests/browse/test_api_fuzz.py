"""Property-based requests against the read API as described by docs/openapi.yaml (schemathesis),
on the real web server (gunicorn, as scripts/run serves it) over a real corpus: no 5xx, every
response as described (status, content type, body schema), and a 400 names the bad parameter.
Bounded: a few dozen generated requests per operation."""

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.processes import start_webserver, stop

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
EXAMPLES = 30


@pytest.fixture(scope="module")
def api_schema(browse_corpus, tmp_path_factory):
    process, url = start_webserver(tmp_path_factory.mktemp("fuzz") / "server.log")
    loaded = schemathesis.openapi.from_url(f"{url}/api/openapi.yaml")
    loaded.config.update(base_url=url)
    yield loaded
    stop(process)


schema = schemathesis.pytest.from_fixture("api_schema")


def bad_parameters_are_named(response, case) -> None:
    """A 400 says which parameter is wrong, by name."""
    if response.status_code != 400:
        return
    errors = response.json().get("errors")
    assert isinstance(errors, dict) and errors, response.text
    sent = set(case.query or {}) | set(case.path_parameters or {})
    assert set(errors) <= sent | {"__all__"}, (errors, sent)


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_described_and_never_5xx(case):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path} {case.query}"
    case.validate_response(response)
    bad_parameters_are_named(response, case)
