"""Record sources. Each yields `PaperRecord`s and line-numbered `RecordError`s."""

from ingest.records import PaperRecord, RecordError

SourceItem = PaperRecord | RecordError

__all__ = ["PaperRecord", "RecordError", "SourceItem"]
