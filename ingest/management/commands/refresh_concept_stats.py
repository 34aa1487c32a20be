import time

from django.core.management.base import BaseCommand

from graph.factory import get_store


class Command(BaseCommand):
    help = (
        "Recompute every concept's paper count and field profile (ingest keeps them current; "
        "run this once on a graph written by an older version)."
    )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        refreshed = get_store().concept_stats_refresh()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"refreshed {refreshed:,} concepts in {elapsed:.1f} s")
