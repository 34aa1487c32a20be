import json

from django.core.management.base import BaseCommand, CommandParser

from ingest.selectors import graph_stats


class Command(BaseCommand):
    help = "Print counts of papers, concepts, fields, authors, mentions and vectors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", dest="as_json", help="one JSON object")

    def handle(self, *args, as_json: bool, **options) -> None:
        stats = graph_stats()
        if as_json:
            self.stdout.write(json.dumps(stats, sort_keys=True))
            return
        for name, value in stats.items():
            self.stdout.write(f"{name:<16} {value:>10,}")
