"""arXiv API source through the `arxiv` package: a search query, a category and date range, or a
list of ids. The client waits `ARXIV_DELAY_SECONDS` between requests (the API asks for 3 s);
failed pages are retried with exponential backoff, resuming where the last good page ended."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import arxiv
import requests

from ingest.records import InvalidRecord, RecordError, parse_arxiv_id, record_from_mapping
from ingest.sources import SourceItem

logger = logging.getLogger(__name__)

TRANSIENT = (arxiv.HTTPError, arxiv.UnexpectedEmptyPageError, requests.ConnectionError,
             requests.Timeout)  # fmt: skip
MAX_IDS_PER_REQUEST = 100


@dataclass(frozen=True)
class ArxivQuery:
    query: str = ""
    ids: tuple[str, ...] = ()
    category: str = ""
    date_from: date | None = None
    date_to: date | None = None
    max_results: int = 100

    def search_query(self) -> str:
        parts = [self.query] if self.query else []
        if self.category:
            parts.append(f"cat:{self.category}")
        if self.date_from or self.date_to:
            start = (self.date_from or date(1991, 1, 1)).strftime("%Y%m%d0000")
            end = (self.date_to or date.today()).strftime("%Y%m%d2359")
            parts.append(f"submittedDate:[{start} TO {end}]")
        if len(parts) > 1 and self.query:
            parts[0] = f"({self.query})"
        return " AND ".join(parts)

    def describe(self) -> str:
        if self.ids:
            return "arXiv ids " + ",".join(self.ids[:5]) + ("…" if len(self.ids) > 5 else "")
        return f"arXiv query {self.search_query()!r} (max {self.max_results})"


def result_to_mapping(result: arxiv.Result) -> dict:
    arxiv_id = result.get_short_id()
    return {
        "id": arxiv_id,
        "title": result.title,
        "abstract": result.summary,
        "authors": [a.name for a in result.authors],
        "categories": [result.primary_category]
        + [c for c in result.categories if c != result.primary_category],
        "published": result.published,
        "updated": result.updated,
        "doi": result.doi,
        "comment": result.comment,
        "url": result.entry_id,
    }


def fetch(
    spec: ArxivQuery,
    *,
    client: arxiv.Client,
    max_attempts: int = 5,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[SourceItem]:
    """Yield records for `spec`. Invalid ids become RecordErrors (line = position in the list)."""
    valid_ids: list[str] = []
    for position, raw in enumerate(spec.ids, start=1):
        try:
            arxiv_id, version = parse_arxiv_id(raw)
        except InvalidRecord as exc:
            yield RecordError(position, str(exc))
            continue
        valid_ids.append(f"{arxiv_id}v{version}" if version else arxiv_id)
    if spec.ids and not valid_ids:
        return
    searches = (
        [
            arxiv.Search(id_list=valid_ids[i : i + MAX_IDS_PER_REQUEST])
            for i in range(0, len(valid_ids), MAX_IDS_PER_REQUEST)
        ]
        if spec.ids
        else [arxiv.Search(query=spec.search_query(), max_results=spec.max_results)]
    )
    line = 0
    for search in searches:
        done, attempt = 0, 0
        while True:
            try:
                for result in client.results(search, offset=done):
                    done += 1
                    line += 1
                    try:
                        yield record_from_mapping(result_to_mapping(result), line=line)
                    except InvalidRecord as exc:
                        yield RecordError(line, f"{result.entry_id}: {exc}")
                break
            except TRANSIENT as exc:
                attempt += 1
                if attempt >= max_attempts:
                    raise
                delay = min(60.0, 2.0**attempt) * (0.5 + random.random())
                logger.warning("arXiv request failed (%s); retry %d in %.1fs", exc, attempt, delay)
                sleep(delay)
