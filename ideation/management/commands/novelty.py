from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ideation import services
from ideation.jsonl import objects_read, objects_write


class Command(BaseCommand):
    help = (
        'Check idea statements for novelty: each input line {"id", "text"} comes out as {"id", '
        '"novelty", "verdict", "evidence": [{"paper_id", "similarity"}, ...], "details"}.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, required=True)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="check against the papers published by this date (YYYY-MM-DD) only",
        )
        parser.add_argument(
            "--live",
            action="store_true",
            help="also search arXiv for papers naming every concept (3 s between requests, "
            "answers cached a week; the local check alone when arXiv cannot be reached)",
        )

    def handle(self, *args, **opts) -> None:
        as_of = opts["as_of"]
        if as_of:
            try:
                as_of = date.fromisoformat(str(as_of)).isoformat()
            except ValueError:
                raise CommandError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        lines = list(objects_read(opts["file"]))
        good = []
        rows: list[dict | None] = []
        for number, obj, error in lines:
            text = obj.get("text") if obj else None
            if obj is not None and (not isinstance(text, str) or not text.strip()):
                error = f'line {number}: "text" must be a non-empty string'
            if error:
                rows.append(
                    {
                        "id": (obj or {}).get("id"),
                        "novelty": None,
                        "verdict": None,
                        "evidence": [],
                        "error": error,
                    }
                )
            else:
                good.append((len(rows), obj.get("id"), text))
                rows.append(None)
        try:
            results = services.texts_novelty(
                texts=[t for _, _, t in good],
                as_of=as_of,
                live_search=services.live_search_from_settings() if opts["live"] else None,
            )
        except services.IdeationError as exc:
            raise CommandError(str(exc)) from exc
        for (position, idea_id, _), result in zip(good, results, strict=True):
            details = result.evidence.as_dict()
            rows[position] = {
                "id": idea_id,
                "novelty": result.score,
                "verdict": result.verdict,
                "evidence": details.pop("similar"),
                "details": details,
            }
        objects_write(opts["out"], rows)
        self.stdout.write(f"{len(rows)} ideas checked into {opts['out']}")
