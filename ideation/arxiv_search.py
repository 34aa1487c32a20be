"""An optional live search of arXiv that takes a novelty check beyond the local graph.

The query asks for papers whose text names every concept of the idea (`all:"name" AND ...`).
A hit whose title or abstract spells out every name is evidence that the idea is already
published; other hits are listed as related. Answers are cached in the data dir for a week (the
API asks for restraint), requests go through the `arxiv` package's client, which waits
`ARXIV_DELAY_SECONDS` (3 s) between requests, and when the API cannot be reached the search says
so and the check falls back to the local graph alone. Nothing else here talks to the network."""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import arxiv
import requests

from ingest.text import squash

CACHE_DAYS = 7
LIMIT = 20
UNREACHABLE = (arxiv.HTTPError, arxiv.UnexpectedEmptyPageError, requests.RequestException, OSError)


@dataclass(frozen=True)
class LiveHit:
    arxiv_id: str
    title: str
    published: str
    names_all: bool  # its title or abstract spells out every concept of the idea


@dataclass
class LiveSearch:
    query: str
    status: str  # "searched", "cached" or "unavailable"
    hits: list[LiveHit] = field(default_factory=list)
    reason: str = ""

    @property
    def decisive(self) -> LiveHit | None:
        return next((hit for hit in self.hits if hit.names_all), None)

    def as_dict(self) -> dict:
        return asdict(self)


def live_query(names: list[str]) -> str:
    """An arXiv query for papers naming every one of the (at most three) names."""
    cleaned = [re.sub(r'["()\\]', " ", name).strip() for name in names[:3]]
    return " AND ".join(f'all:"{name}"' for name in cleaned if name)


def _spells_out(text: str, name: str) -> bool:
    words = re.findall(r"[A-Za-z0-9]+", text)
    target = squash(name)
    size = max(len(name.replace("-", " ").split()), 1)
    return any(
        squash(" ".join(words[i : i + width])) == target
        for width in range(size, size + 3)  # hyphens and "auto-encoder" split differently
        for i in range(len(words) - width + 1)
    )


def arxiv_search_live(
    *, names: list[str], client: arxiv.Client, cache_dir: Path, limit: int = LIMIT
) -> LiveSearch:
    """Papers on arXiv naming all of `names`, from the cache when it is fresh."""
    query = live_query(names)
    if not query:
        return LiveSearch(query="", status="unavailable", reason="no concept names to search")
    cache = cache_dir / f"{hashlib.blake2b(query.encode(), digest_size=16).hexdigest()}.json"
    if cache.exists() and time.time() - cache.stat().st_mtime < CACHE_DAYS * 86400:
        stored = json.loads(cache.read_text())
        return LiveSearch(query, "cached", [LiveHit(**hit) for hit in stored["hits"]])
    try:
        results = list(client.results(arxiv.Search(query=query, max_results=limit)))
    except UNREACHABLE as exc:
        return LiveSearch(query, "unavailable", reason=f"arXiv API unreachable ({exc})"[:300])
    hits = [
        LiveHit(
            arxiv_id=result.get_short_id(),
            title=" ".join(result.title.split()),
            published=result.published.date().isoformat() if result.published else "",
            names_all=all(_spells_out(f"{result.title} {result.summary}", n) for n in names[:3]),
        )
        for result in results
    ]
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps({"query": query, "hits": [asdict(hit) for hit in hits]}))
    os.replace(tmp, cache)
    return LiveSearch(query, "searched", hits)
