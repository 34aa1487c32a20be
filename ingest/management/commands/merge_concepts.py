from django.core.management.base import BaseCommand

from ingest.merges import concepts_merge_variants


class Command(BaseCommand):
    help = (
        "Merge concepts that are another concept written another way (same words up to "
        "inflection, spelling and order, or only an empty word added) where the names' "
        "embeddings agree. Ingest jobs do this at their end; --dry-run lists what would merge."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")
        parser.add_argument(
            "--min-cosine", type=float, default=None, help="embedding agreement required"
        )
        parser.add_argument(
            "--min-papers",
            type=int,
            default=None,
            help="concepts in at least this many papers take part (default: those with a "
            "vector; 1: every concept, slower on a large graph)",
        )

    def handle(
        self, *args, dry_run: bool, min_cosine: float | None, min_papers: int | None, **options
    ) -> None:
        planned = concepts_merge_variants(
            min_cosine=min_cosine, min_papers=min_papers, dry_run=dry_run
        )
        for m in sorted(planned, key=lambda m: -m.cosine):
            self.stdout.write(
                f"{m.variant_name!r} -> {m.into_name!r}  ({m.reason}; cosine {m.cosine:.2f})"
            )
        verb = "would merge" if dry_run else "merged"
        self.stdout.write(f"{verb} {len(planned)} concept(s)")
