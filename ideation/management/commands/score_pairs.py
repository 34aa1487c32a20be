from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from ideation import services
from ideation.jsonl import objects_read, objects_write


class Command(BaseCommand):
    help = (
        'Forecast concept pairs: each input line {"a": name, "b": name} comes out with "score" '
        "in [0, 1], the chance they are first mentioned together within the forecast horizon "
        '(or "score": null and an "error"). Trains the model first if the graph changed.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, required=True)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, **opts) -> None:
        lines = list(objects_read(opts["file"]))
        pairs = [(obj.get("a"), obj.get("b")) for _, obj, error in lines if obj is not None]
        scored = iter(services.pairs_score(pairs=pairs))
        rows = []
        for number, obj, error in lines:
            if obj is None:
                rows.append({"line": number, "score": None, "error": error})
            else:
                rows.append({**obj, **next(scored)})
        objects_write(opts["out"], rows)
        failed = sum(row["score"] is None for row in rows)
        self.stdout.write(f"{len(rows)} pairs scored into {opts['out']} ({failed} with errors)")
