import time

from django.conf import settings
from django.core.management.base import BaseCommand

from graph.factory import get_store


class Command(BaseCommand):
    help = (
        "Recompute every concept's paper count, field profile and strongest-partner list (ingest "
        "keeps them current; "
        "run this once on a graph written by an older version)."
    )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        store = get_store()
        refreshed = store.concept_stats_refresh()
        tops = store.concept_tops_refresh(min_papers=settings.CONCEPT_TOP_MIN_PAPERS)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"refreshed {refreshed:,} concepts and {tops:,} neighbour lists in {elapsed:.1f} s"
        )
