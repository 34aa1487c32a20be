from django.core.management.base import BaseCommand

from index.services import index_rebuild


class Command(BaseCommand):
    help = "Re-embed every paper and concept in the graph into fresh FAISS indexes."

    def handle(self, *args, **options) -> None:
        counts = index_rebuild()
        self.stdout.write(", ".join(f"{name}: {n:,} vectors" for name, n in counts.items()))
