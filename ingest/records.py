"""A paper record as read from any source, and its validation. Sources yield either a valid
`PaperRecord` or a `RecordError` that names the line, so one bad line never stops a file."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from index.embedding import paper_text
from ingest.taxonomy import is_arxiv_category

MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 20_000
MAX_AUTHORS = 500

# New-style (2007+) and old-style arXiv identifiers, optionally versioned.
_NEW_ID = re.compile(r"^(\d{4}\.\d{4,5})(?:v(\d+))?$")
_OLD_ID = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?$")
_ID_PREFIX = re.compile(r"^(?:arxiv:|https?://(?:export\.)?arxiv\.org/(?:abs|pdf)/)", re.I)
_WS = re.compile(r"\s+")


class InvalidRecord(ValueError):
    """A record that cannot be ingested; the message says why."""


@dataclass(frozen=True)
class RecordError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class PaperRecord:
    key: str
    title: str
    abstract: str
    arxiv_id: str | None = None
    version: int | None = None
    published: str | None = None
    updated: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    doi: str | None = None
    comment: str | None = None
    url: str | None = None
    references: tuple[str, ...] = ()
    line: int = 0

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None

    @property
    def text(self) -> str:
        """What is embedded: title and abstract."""
        return paper_text(self.title, self.abstract)

    @property
    def content_hash(self) -> str:
        parts = [
            self.title, self.abstract, self.published or "", self.updated or "",
            "|".join(self.authors), "|".join(self.categories), self.doi or "",
            self.comment or "", str(self.version or ""), "|".join(self.references),
        ]  # fmt: skip
        return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def parse_arxiv_id(raw: str) -> tuple[str, int | None]:
    """'arXiv:2301.00001v2' -> ('2301.00001', 2). Raises InvalidRecord for anything else."""
    value = _ID_PREFIX.sub("", raw.strip()).removesuffix(".pdf")
    for pattern in (_NEW_ID, _OLD_ID):
        if match := pattern.match(value):
            return match.group(1), int(match.group(2)) if match.group(2) else None
    raise InvalidRecord(f"invalid arXiv id {raw!r}")


def clean_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRecord(f"expected text, got {type(value).__name__}")
    return _WS.sub(" ", value.replace("\x00", "")).strip()


def _clean_date(value: Any, field: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for length, fmt in ((10, "%Y-%m-%d"), (7, "%Y-%m"), (4, "%Y")):
        try:
            parsed = datetime.strptime(text[:length], fmt).date()
        except ValueError:
            continue
        return parsed.isoformat()
    raise InvalidRecord(f"{field}: unreadable date {text[:40]!r}")


def _string_list(value: Any, field: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise InvalidRecord(f"{field}: expected a list, got {type(value).__name__}")
    items = tuple(clean_text(v) for v in value if clean_text(v))
    return items


def title_key(title: str) -> str:
    normalised = re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()
    return "title:" + hashlib.blake2b(normalised.encode(), digest_size=8).hexdigest()


def record_from_mapping(data: Mapping[str, Any], *, line: int) -> PaperRecord:
    """Validate one source record (keys as in the shared arXiv JSONL) into a PaperRecord."""
    if not isinstance(data, Mapping):
        raise InvalidRecord(f"expected an object, got {type(data).__name__}")
    title = clean_text(data.get("title"))
    abstract = clean_text(data.get("abstract"))
    if not title:
        raise InvalidRecord("missing title")
    if not abstract:
        raise InvalidRecord("missing abstract")
    if len(title) > MAX_TITLE_CHARS:
        raise InvalidRecord(f"title longer than {MAX_TITLE_CHARS} characters")
    if len(abstract) > MAX_ABSTRACT_CHARS:
        raise InvalidRecord(f"abstract longer than {MAX_ABSTRACT_CHARS} characters")

    arxiv_id, version = None, None
    raw_id = data.get("arxiv_id") or data.get("id")
    if raw_id not in (None, ""):
        arxiv_id, version = parse_arxiv_id(str(raw_id))
        version = data.get("version") or version
    doi = clean_text(data.get("doi")) or None
    authors = _string_list(data.get("authors"), "authors")
    if len(authors) > MAX_AUTHORS:
        authors = authors[:MAX_AUTHORS]
    key = arxiv_id or (f"doi:{doi.lower()}" if doi else title_key(title))
    published = _clean_date(data.get("published") or data.get("first_seen"), "published")
    return PaperRecord(
        key=key,
        title=title,
        abstract=abstract,
        arxiv_id=arxiv_id,
        version=int(version) if version else None,
        published=published,
        updated=_clean_date(data.get("updated"), "updated") or published,
        authors=authors,
        # ACM and MSC classes ("I.2.7", "68T50") share the field in listings; keep arXiv's own.
        categories=tuple(
            c for c in _string_list(data.get("categories"), "categories") if is_arxiv_category(c)
        ),
        doi=doi,
        comment=clean_text(data.get("comment")) or None,
        url=clean_text(data.get("url"))
        or (f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else None),
        references=tuple(
            parse_arxiv_id(r)[0] for r in _string_list(data.get("references"), "references")
        ),
        line=line,
    )
