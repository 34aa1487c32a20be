"""File sources: JSONL (optionally gzipped), CSV (generic or a Zotero export) and BibTeX."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ingest.records import InvalidRecord, RecordError, parse_arxiv_id, record_from_mapping
from ingest.sources import SourceItem

FORMATS = ("jsonl", "csv", "bibtex")
_GZIP_MAGIC = b"\x1f\x8b"


class SourceError(Exception):
    """The whole file cannot be read: missing, unreadable, too large or of an unknown format."""


def detect_format(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    for suffixes, fmt in (((".jsonl", ".ndjson", ".json"), "jsonl"), ((".csv",), "csv")):
        if name.endswith(suffixes):
            return fmt
    if name.endswith((".bib", ".bibtex")):
        return "bibtex"
    raise SourceError(f"{path.name}: unknown format (expected .jsonl, .jsonl.gz, .csv or .bib)")


def _open_bytes(path: Path, max_bytes: int) -> io.BufferedIOBase:
    try:
        size = path.stat().st_size
        handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if size > max_bytes:
        handle.close()
        raise SourceError(f"{path.name}: {size:,} bytes is over the limit of {max_bytes:,}")
    if handle.peek(2)[:2] == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    return handle


def _decode(raw: bytes, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRecord(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
        ) from exc


def read_jsonl(path: Path, *, max_bytes: int, max_line_bytes: int) -> Iterator[SourceItem]:
    with _open_bytes(path, max_bytes) as handle:
        try:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    if len(raw) > max_line_bytes:
                        raise InvalidRecord(f"line of {len(raw):,} bytes is over the limit")
                    text = _decode(raw, number)
                    try:
                        data = json.loads(text)
                    except json.JSONDecodeError as exc:
                        raise InvalidRecord(
                            f"malformed JSON ({exc.msg} at column {exc.colno})"
                        ) from exc
                    yield record_from_mapping(data, line=number)
                except InvalidRecord as exc:
                    yield RecordError(number, str(exc))
        except (OSError, EOFError) as exc:  # truncated or corrupt gzip stream
            raise SourceError(f"{path.name}: cannot read past line {number}: {exc}") from exc


# Column names, lower-cased, that map onto record fields. Zotero exports use the second forms.
_CSV_COLUMNS = {
    "title": ("title",),
    "abstract": ("abstract", "abstract note", "summary"),
    "authors": ("authors", "author"),
    "id": ("arxiv_id", "id", "arxiv id"),
    "published": ("published", "date", "first_seen", "publication year", "year"),
    "doi": ("doi",),
    "url": ("url",),
    "categories": ("categories", "category"),
    "comment": ("comment",),
}
_ZOTERO_ARXIV = re.compile(r"arXiv:\s*([^\s;]+)", re.I)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+)", re.I)


def _csv_authors(value: str) -> list[str]:
    if not value:
        return []
    if ";" in value:  # Zotero: "Last, First; Last, First"
        names = [n.strip() for n in value.split(";")]
        return [" ".join(reversed([p.strip() for p in n.split(",", 1)])) for n in names if n]
    return [n.strip() for n in re.split(r",| and ", value) if n.strip()]


def _csv_row_to_mapping(row: dict[str, str]) -> dict[str, Any]:
    lowered = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
    data: dict[str, Any] = {}
    for field, names in _CSV_COLUMNS.items():
        data[field] = next((lowered[n] for n in names if lowered.get(n)), "")
    data["authors"] = _csv_authors(data["authors"])
    data["categories"] = [c for c in re.split(r"[\s,;]+", data["categories"]) if c]
    if not data["id"]:
        extra = lowered.get("extra", "")
        match = _ZOTERO_ARXIV.search(extra) or _ARXIV_URL.search(data["url"])
        data["id"] = match.group(1) if match else ""
    return data


def read_csv(path: Path, *, max_bytes: int, max_line_bytes: int) -> Iterator[SourceItem]:
    with _open_bytes(path, max_bytes) as handle:
        # Undecodable bytes are kept as surrogates so one bad record does not stop the file.
        text = io.TextIOWrapper(handle, encoding="utf-8", errors="surrogateescape", newline="")
        reader = csv.DictReader(text)
        try:
            _ = reader.fieldnames  # reads the header row
            next_line = reader.line_num + 1
            for row in reader:
                line, next_line = next_line, reader.line_num + 1
                try:
                    values = [v for v in row.values() if isinstance(v, str)]
                    if any(len(v) > max_line_bytes for v in values):
                        raise InvalidRecord("field over the size limit")
                    for value in values:
                        _decode(value.encode("utf-8", "surrogateescape"), line)
                    yield record_from_mapping(_csv_row_to_mapping(row), line=line)
                except InvalidRecord as exc:
                    yield RecordError(line, str(exc))
        except csv.Error as exc:
            raise SourceError(
                f"{path.name}: malformed CSV near line {reader.line_num}: {exc}"
            ) from exc


_BRACES = re.compile(r"[{}]")


def _bib_authors(value: str) -> list[str]:
    names = [n.strip() for n in re.split(r"\s+and\s+", value) if n.strip()]
    return [" ".join(reversed([p.strip() for p in n.split(",", 1)])) for n in names]


def read_bibtex(path: Path, *, max_bytes: int, max_line_bytes: int) -> Iterator[SourceItem]:
    import bibtexparser

    with _open_bytes(path, max_bytes) as handle:
        raw = handle.read()
    text = raw.decode("utf-8", errors="replace")
    library = bibtexparser.parse_string(text)
    blocks = sorted([*library.entries, *library.failed_blocks], key=lambda b: b.start_line or 0)
    for block in blocks:
        line = (block.start_line or 0) + 1
        if block in library.failed_blocks:
            yield RecordError(line, f"malformed BibTeX entry: {block.error}")
            continue
        fields = {f.key.lower(): _BRACES.sub("", str(f.value)).strip() for f in block.fields}
        try:
            if "\ufffd" in block.raw:
                raise InvalidRecord("not valid UTF-8")
            arxiv_id = ""
            if fields.get("archiveprefix", "").lower() == "arxiv" or "eprint" in fields:
                arxiv_id = fields.get("eprint", "")
            if not arxiv_id and (match := _ARXIV_URL.search(fields.get("url", ""))):
                arxiv_id = match.group(1)
            if arxiv_id:
                parse_arxiv_id(arxiv_id)
            published = fields.get("date") or fields.get("year", "")
            data = {
                "id": arxiv_id,
                "title": fields.get("title"),
                "abstract": fields.get("abstract"),
                "authors": _bib_authors(fields.get("author", "")),
                "published": published,
                "doi": fields.get("doi"),
                "url": fields.get("url"),
                "categories": [fields["primaryclass"]] if fields.get("primaryclass") else [],
            }
            yield record_from_mapping(data, line=line)
        except InvalidRecord as exc:
            yield RecordError(line, f"entry {block.key!r}: {exc}")


_READERS = {"jsonl": read_jsonl, "csv": read_csv, "bibtex": read_bibtex}


def count_items(path: Path, *, max_bytes: int, fmt: str) -> int:
    """How many items (records and errors) reading the file yields, for progress bars. A JSONL
    file yields one per non-blank line, so its lines are counted without parsing them."""
    if fmt == "jsonl":
        with _open_bytes(path, max_bytes) as handle:
            return sum(1 for line in handle if line.strip())
    return sum(1 for _ in _READERS[fmt](path, max_bytes=max_bytes, max_line_bytes=max_bytes))


def read_file(
    path: Path, *, max_bytes: int, max_line_bytes: int, fmt: str | None = None
) -> Iterator[SourceItem]:
    """Yield the records of a file. Raises SourceError at once for a file that cannot be read."""
    fmt = fmt or detect_format(path)
    if fmt not in _READERS:
        raise SourceError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    _open_bytes(path, max_bytes).close()  # size and readability are checked before any record
    return _READERS[fmt](path, max_bytes=max_bytes, max_line_bytes=max_line_bytes)
