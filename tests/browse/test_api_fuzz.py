"""Property-based requests against the read API as described by docs/openapi.yaml (schemathesis),
on the real web server (gunicorn, as scripts/run serves it) over a real corpus: no 5xx, every
response as described (status, content type, body schema), and a 400 names the bad parameter.
Bounded: EXAMPLES generated requests per operation."""

from pathlib import Path

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import negative_data_rejection
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.processes import start_webserver, stop

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
EXAMPLES = 40


@pytest.fixture(scope="module")
def server(browse_corpus, tmp_path_factory):
    process, url = start_webserver(tmp_path_factory.mktemp("fuzz") / "server.log")
    yield url
    stop(process)


def declared_parameters() -> dict[str, set[str]]:
    """Each path's parameter names, as docs/openapi.yaml declares them."""
    document = yaml.safe_load(OPENAPI.read_text())
    shared = document.get("components", {}).get("parameters", {})
    names = {}
    for path, methods in document["paths"].items():
        found = set()
        for parameter in methods.get("get", {}).get("parameters", []):
            if "$ref" in parameter:
                parameter = shared[parameter["$ref"].rsplit("/", 1)[-1]]
            found.add(parameter["name"])
        names[path] = found
    return names


DECLARED = declared_parameters()
REQUEST_TIMEOUT_S = 60


def bad_parameters_are_named(response, case) -> None:
    """A 400 says which of the operation's parameters is wrong, by name."""
    if response.status_code != 400:
        return
    errors = response.json().get("errors")
    assert isinstance(errors, dict) and errors, response.text
    assert set(errors) <= DECLARED[case.path] | {"__all__"}, (errors, case.path)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_answers_as_described_and_never_5xx(server, mode):
    """Valid requests (positive) and requests that break the description (negative)."""
    schema = schemathesis.openapi.from_path(OPENAPI)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            # A worker's first search loads the embedding model, seconds on a busy 2-core
            # machine (CI once timed out at requests' 10 s): this checks answers, not speed,
            # which bench/bench_browse_load.py measures.
            response = case.call(base_url=server, timeout=REQUEST_TIMEOUT_S)
            described = f"{case.method} {case.formatted_path} {case.query}"
            assert response.status_code < 500, described
            # Every check but two the description cannot capture: "since after until" is refused
            # though each is valid alone, and an empty value ("limit=") counts as not given (the
            # pages' forms send empty fields), as the description says.
            case.validate_response(
                response, excluded_checks=[positive_data_acceptance, negative_data_rejection]
            )
            bad_parameters_are_named(response, case)

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # no parameter to break (e.g. /api/stats)
            continue
        checked.append(operation.label)
    assert len(checked) >= (8 if mode is GenerationMode.POSITIVE else 5), checked
