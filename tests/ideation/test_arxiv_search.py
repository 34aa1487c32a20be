"""The live arXiv search of the novelty check, against recorded arXiv API responses (the API is
outside this machine): hits, the cache, and the offline fallback."""

import arxiv
import numpy as np
import pytest
import requests

from ideation.arxiv_search import arxiv_search_live, live_query
from ideation.novelty import novelty_check
from tests.ideation.factories import history_from
from tests.ingest.test_sources_arxiv import FIXTURES, RecordedResponse

RECORDED = FIXTURES / "q_testing_s0_m10_bc5a6c384fe9.json"


class OneRecording:
    """Answers every request with one recorded arXiv response, counting the requests."""

    def __init__(self, error: Exception | None = None):
        import json

        self.recorded = json.loads(RECORDED.read_text())
        self.error, self.urls = error, []

    def get(self, url, headers=None, **kwargs):
        self.urls.append(url)
        if self.error:
            raise self.error
        return RecordedResponse(self.recorded["status_code"], self.recorded["body"])


def client(session) -> arxiv.Client:
    c = arxiv.Client(page_size=10, delay_seconds=0, num_retries=0)
    c._session = session
    return c


def test_the_query_asks_for_every_name_and_drops_quotes():
    assert live_query(['sparse "auto" encoder', "reward hacking"]) == (
        'all:"sparse  auto  encoder" AND all:"reward hacking"'
    )


def test_hits_naming_every_concept_are_marked_and_answers_are_cached(tmp_path):
    session = OneRecording()
    found = arxiv_search_live(
        names=["testing", "deep learning"], client=client(session), cache_dir=tmp_path, limit=10
    )
    assert found.status == "searched" and len(found.hits) == 10
    decisive = found.decisive
    assert decisive is not None and "Deep Learning" in decisive.title
    assert not all(hit.names_all for hit in found.hits)  # GUI testing papers name only one
    again = arxiv_search_live(
        names=["testing", "deep learning"], client=client(session), cache_dir=tmp_path, limit=10
    )
    assert again.status == "cached" and again.hits == found.hits
    assert len(session.urls) == 1


def test_an_unreachable_api_says_so_and_caches_nothing(tmp_path):
    session = OneRecording(error=requests.ConnectionError("no route to host"))
    found = arxiv_search_live(names=["a", "b"], client=client(session), cache_dir=tmp_path)
    assert found.status == "unavailable" and "unreachable" in found.reason
    assert found.hits == [] and not list(tmp_path.iterdir())


class NoStore:
    def text_search(self, **kwargs):
        return []


def test_a_live_hit_naming_every_concept_makes_the_idea_not_novel(tmp_path, monkeypatch):
    import index.selectors

    monkeypatch.setattr(index.selectors, "nearest_keys", lambda **kwargs: [])
    history = history_from(
        [("2025-03-01", "cs.SE", ["testing"]), ("2025-03-02", "cs.LG", ["deeplearning"])]
    )
    history.concept_names[:] = ["testing", "deep learning"]
    search = lambda names: arxiv_search_live(  # noqa: E731
        names=names, client=client(OneRecording()), cache_dir=tmp_path, limit=10
    )
    vector = np.zeros(4, dtype=np.float32)
    common = dict(text="x", vector=vector, history=history, store=NoStore(), checked_at="now",
                  concepts=["testing", "deeplearning"])  # fmt: skip
    local = novelty_check(**common)
    live = novelty_check(**common, live_search=search)
    assert local.verdict == "novel" and local.evidence.live is None
    assert live.verdict == "not_novel" and live.evidence.decisive_paper.startswith("arXiv:")
    assert live.evidence.live["status"] == "searched" and live.score < local.score
    down = novelty_check(
        **common,
        live_search=lambda names: arxiv_search_live(
            names=names,
            client=client(OneRecording(error=requests.ConnectionError("down"))),
            cache_dir=tmp_path / "other",
        ),
    )
    assert down.verdict == local.verdict and down.evidence.live["status"] == "unavailable"


@pytest.mark.django_db
def test_an_ideas_live_check_stores_its_evidence_and_keeps_the_verdict_when_arxiv_is_down(
    tmp_path,
):
    from ideation import services
    from tests.ideation.factories import concept, idea_create

    def search(error=None):
        return lambda names: arxiv_search_live(
            names=names, client=client(OneRecording(error)), cache_dir=tmp_path / str(error)
        )

    concepts = [concept("testing", "method", "cs.SE"), concept("deep learning", "task", "cs.LG")]
    down = services.idea_novelty_live(
        idea=idea_create(concepts=concepts), live_search=search(requests.ConnectionError("x"))
    )
    assert down.verdict == "novel" and down.evidence["live"]["status"] == "unavailable"
    found = services.idea_novelty_live(idea=idea_create(concepts=concepts), live_search=search())
    assert found.verdict == "not_novel" and found.novelty < 0.7
    assert found.evidence["decisive_paper"].startswith("arXiv:")
