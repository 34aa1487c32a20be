import csv
import gzip
import io
import json

import pytest

from ingest.records import PaperRecord, RecordError
from ingest.sources.files import SourceError, count_items, read_file
from tests.conftest import SHARED, sample_lines, write_jsonl

LIMITS = {"max_bytes": 10_000_000, "max_line_bytes": 100_000}


def split(items):
    items = list(items)
    return (
        [i for i in items if isinstance(i, PaperRecord)],
        [i for i in items if isinstance(i, RecordError)],
    )


def test_jsonl_bad_lines_are_named_and_good_ones_kept(tmp_path):
    good = sample_lines(3)
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        (good[0] + "\n").encode()
        + b'{"id": "2301.00001", "title": "broken\n'  # line 2: malformed JSON
        + (json.dumps({"id": "2301.00002", "abstract": "no title"}) + "\n").encode()  # 3
        + (json.dumps({"id": "not-an-id", "title": "t", "abstract": "a"}) + "\n").encode()  # 4
        + b'{"id": "2301.00003", "title": "caf\xe9", "abstract": "latin-1 bytes"}\n'  # 5
        + (good[1] + "\n").encode()
        + b'{"id": "2301.00004", "title": "'
        + b"x" * 200_000
        + b'", "abstract": "a"}\n'  # 7
        + (good[2] + "\n").encode()
    )
    records, errors = split(read_file(path, **LIMITS))
    assert count_items(path, max_bytes=LIMITS["max_bytes"], fmt="jsonl") == 8
    assert [r.line for r in records] == [1, 6, 8]
    messages = {e.line: e.message for e in errors}
    assert set(messages) == {2, 3, 4, 5, 7}
    assert "malformed JSON" in messages[2]
    assert "missing title" in messages[3]
    assert "invalid arXiv id 'not-an-id'" in messages[4]
    assert "not valid UTF-8 (byte 0xe9" in messages[5]
    assert "over the limit" in messages[7]


def test_gzip_jsonl_is_read(tmp_path):
    path = tmp_path / "papers.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(sample_lines(5)) + "\n")
    records, errors = split(read_file(path, **LIMITS))
    assert len(records) == 5 and not errors
    assert records[0].key == json.loads(sample_lines(1)[0])["id"]


def test_zotero_csv_export(tmp_path):
    # Forty rows of the real alignment-papers export, where blog posts give way to arXiv papers.
    with open(SHARED / "safety" / "tai_safety_ai-alignment-papers.csv", newline="") as handle:
        all_rows = list(csv.reader(handle))
    rows = [all_rows[0], *all_rows[481:521]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = tmp_path / "zotero.csv"
    path.write_text(out.getvalue())
    records, errors = split(read_file(path, **LIMITS))
    with_abstract = [r for r in rows[1:] if r[rows[0].index("Abstract Note")].strip()]
    assert len(records) == len(with_abstract)
    assert all("missing abstract" in e.message for e in errors)
    assert any(r.arxiv_id for r in records), "Extra holds arXiv ids for some rows"
    assert all(r.authors for r in records if r.authors)
    first = records[0]
    assert "," not in first.authors[0] or " " in first.authors[0]


def test_csv_line_numbers_count_multiline_fields(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text(
        'title,abstract,id\n"A title","an abstract\nover two lines",2301.00001\n'
        '"No abstract",,2301.00002\n"Third","abstract",2301.00003\n'
    )
    records, errors = split(read_file(path, **LIMITS))
    assert count_items(path, max_bytes=LIMITS["max_bytes"], fmt="csv") == 3
    assert [r.line for r in records] == [2, 5]
    assert [(e.line, e.message) for e in errors] == [(4, "missing abstract")]


def test_bibtex_entries_and_a_broken_one(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(
        "@article{vaswani2017,\n  title={Attention Is All You Need},\n"
        "  author={Vaswani, Ashish and Shazeer, Noam},\n  year={2017},\n"
        "  eprint={1706.03762},\n  archivePrefix={arXiv},\n"
        "  abstract={The dominant sequence transduction models are based on\n"
        "    recurrent networks.}\n}\n"
        "@misc{noabstract,\n  title={A title only},\n  year={2020}\n}\n"
    )
    records, errors = split(read_file(path, **LIMITS))
    assert len(records) == 1
    assert records[0].arxiv_id == "1706.03762"
    assert records[0].authors == ("Ashish Vaswani", "Noam Shazeer")
    assert records[0].published == "2017-01-01"
    assert len(errors) == 1 and "noabstract" in errors[0].message and errors[0].line == 10


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("papers.txt", b"x", "unknown format"),
        ("missing.jsonl", None, "no such file"),
    ],
)
def test_unreadable_sources_fail_at_once(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        read_file(path, **LIMITS)


def test_oversized_file_is_rejected_whole(tmp_path):
    path = write_jsonl(tmp_path / "big.jsonl", sample_lines(20))
    with pytest.raises(SourceError, match="over the limit"):
        read_file(path, max_bytes=1000, max_line_bytes=100_000)
