import pytest

from ingest.records import InvalidRecord, parse_arxiv_id, record_from_mapping


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2301.00001", ("2301.00001", None)),
        ("2301.00001v3", ("2301.00001", 3)),
        ("arXiv:2301.12345v2", ("2301.12345", 2)),
        ("https://arxiv.org/abs/1706.03762", ("1706.03762", None)),
        ("hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("math.GT/0309136", ("math.GT/0309136", None)),
    ],
)
def test_arxiv_ids_parse(raw, expected):
    assert parse_arxiv_id(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "0000", "2301.1", "../../etc/passwd", "2301.00001v"])
def test_invalid_arxiv_ids_are_rejected_with_the_id_named(raw):
    with pytest.raises(InvalidRecord, match="invalid arXiv id"):
        parse_arxiv_id(raw)


def test_record_needs_title_and_abstract():
    with pytest.raises(InvalidRecord, match="missing title"):
        record_from_mapping({"id": "2301.00001", "abstract": "x"}, line=1)
    with pytest.raises(InvalidRecord, match="missing abstract"):
        record_from_mapping({"id": "2301.00001", "title": "x", "abstract": "  "}, line=1)


def test_record_keeps_arxiv_categories_only_and_primary_first():
    record = record_from_mapping(
        {"id": "2301.00001", "title": "T", "abstract": "A",
         "categories": ["cs.CL", "I.2.7", "68T50", "cs.LG"], "first_seen": "2025-04-01"},
        line=1,
    )  # fmt: skip
    assert record.categories == ("cs.CL", "cs.LG")
    assert record.primary_category == "cs.CL"
    assert record.published == "2025-04-01"
    assert record.url == "https://arxiv.org/abs/2301.00001"


def test_record_without_arxiv_id_is_keyed_by_doi_or_title():
    by_doi = record_from_mapping({"title": "T", "abstract": "A", "doi": "10.1/X"}, line=1)
    assert by_doi.key == "doi:10.1/x"
    by_title = record_from_mapping({"title": "Some Title", "abstract": "A"}, line=1)
    assert by_title.key.startswith("title:")
    assert (
        by_title.key == record_from_mapping({"title": "some  title", "abstract": "B"}, line=2).key
    )


def test_content_hash_changes_with_content():
    a = record_from_mapping({"id": "2301.00001", "title": "T", "abstract": "A"}, line=1)
    b = record_from_mapping({"id": "2301.00001", "title": "T", "abstract": "A2"}, line=1)
    assert a.content_hash != b.content_hash
