import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingest.extraction import extract_concepts


class Command(BaseCommand):
    help = 'Extract concepts: input lines {"id", "text"}; output lines {"id", "concepts": [...]}.'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, required=True)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, file: Path, out: Path, **options) -> None:
        try:
            source = open(file, encoding="utf-8", errors="strict")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"{file}: cannot read ({exc.strerror})") from exc
        errors = 0
        with source, open(out, "w", encoding="utf-8") as sink:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    doc_id, text = item["id"], item["text"]
                    if not isinstance(text, str):
                        raise TypeError("text must be a string")
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    errors += 1
                    sys.stderr.write(f"{file}:{number}: skipped ({exc})\n")
                    continue
                concepts = [
                    {"name": c.name, "kind": c.kind, "spans": [list(s) for s in c.spans]}
                    for c in extract_concepts(text)
                ]
                sink.write(json.dumps({"id": doc_id, "concepts": concepts}) + "\n")
        if errors:
            self.stderr.write(f"{errors} line(s) skipped")
