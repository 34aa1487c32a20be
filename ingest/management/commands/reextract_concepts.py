from django.core.management.base import BaseCommand

from ingest.services import concepts_reextract


class Command(BaseCommand):
    help = (
        "Extract every stored paper's concepts again with the current extractor and replace "
        "their mentions (papers, fields, authors and paper vectors stay as they are)."
    )

    def handle(self, *args, **options) -> None:
        counts = concepts_reextract()
        self.stdout.write(
            f"{counts['papers']:,} papers re-extracted: {counts['concepts_before']:,} concepts "
            f"before, {counts['concepts_after']:,} after; "
            f"{counts['concept_vectors_added']:,} concept vectors added; "
            f"{counts['concepts_retyped']:,} concepts retyped"
        )
