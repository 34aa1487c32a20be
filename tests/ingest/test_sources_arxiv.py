"""The arXiv source against real recorded API responses (../shared/data/arxiv_api_fixtures)."""

import json
from urllib.parse import parse_qs, urlparse

import arxiv
import pytest

from ingest.records import PaperRecord, RecordError
from ingest.sources.arxiv_api import ArxivQuery, fetch
from tests.conftest import SHARED

FIXTURES = SHARED / "arxiv_api_fixtures"


def _query_key(url: str) -> tuple:
    params = {k: v[0] for k, v in parse_qs(urlparse(url).query, keep_blank_values=True).items()}
    return tuple(params.get(k, "") for k in ("search_query", "id_list", "start", "max_results"))


class RecordedResponse:
    def __init__(self, status_code: int, text: str):
        self.status_code, self.text, self.content = status_code, text, text.encode()


class ReplaySession:
    """Stands in for requests.Session: the arXiv API is outside this machine."""

    def __init__(self, failures_before_success: int = 0):
        self.responses = {}
        for path in FIXTURES.glob("*.json"):
            recorded = json.loads(path.read_text())
            self.responses[_query_key(recorded["url"])] = recorded
        self.failures = failures_before_success
        self.urls: list[str] = []

    def get(self, url, headers=None, **kwargs):
        self.urls.append(url)
        if self.failures:
            self.failures -= 1
            return RecordedResponse(503, "busy")
        recorded = self.responses.get(_query_key(url))
        if recorded is None:
            raise AssertionError(f"no recorded response for {url}")
        return RecordedResponse(recorded["status_code"], recorded["body"])


def client(session: ReplaySession, page_size: int = 10) -> arxiv.Client:
    c = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=0)
    c._session = session
    return c


def test_search_query_pages_politely_through_results():
    session = ReplaySession()
    items = list(fetch(ArxivQuery(query="testing", max_results=30), client=client(session)))
    records = [i for i in items if isinstance(i, PaperRecord)]
    assert len(records) == 30
    assert len({r.key for r in records}) == 30
    assert all(r.title and r.abstract and r.authors and r.categories for r in records)
    starts = [parse_qs(urlparse(u).query)["start"][0] for u in session.urls]
    assert starts == ["0", "10", "20"]


def test_id_list_fetches_those_papers():
    session = ReplaySession()
    items = list(fetch(ArxivQuery(ids=("1605.08386",)), client=client(session, page_size=100)))
    assert [i.key for i in items if isinstance(i, PaperRecord)] == ["1605.08386"]


def test_malformed_ids_become_line_errors_without_a_request():
    session = ReplaySession()
    items = list(fetch(ArxivQuery(ids=("abc", "../x")), client=client(session)))
    assert [(i.line, i.message) for i in items if isinstance(i, RecordError)] == [
        (1, "invalid arXiv id 'abc'"),
        (2, "invalid arXiv id '../x'"),
    ]
    assert session.urls == []


def test_transient_failures_are_retried_with_backoff():
    session = ReplaySession(failures_before_success=2)
    delays: list[float] = []
    items = list(
        fetch(
            ArxivQuery(query="testing", max_results=10), client=client(session), sleep=delays.append
        )
    )
    assert len([i for i in items if isinstance(i, PaperRecord)]) == 10
    assert len(delays) == 2 and delays[1] > delays[0] * 0.5


def test_persistent_failure_is_raised():
    session = ReplaySession(failures_before_success=100)
    with pytest.raises(arxiv.HTTPError):
        list(fetch(ArxivQuery(query="testing", max_results=10), client=client(session),
                   max_attempts=3, sleep=lambda s: None))  # fmt: skip
