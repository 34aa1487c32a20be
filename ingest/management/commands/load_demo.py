from django.conf import settings
from django.core.management.base import BaseCommand

from ingest import services
from ingest.models import IngestJob

DEMO_CORPUS = settings.BASE_DIR / "data" / "demo_papers.jsonl.gz"


class Command(BaseCommand):
    help = "Queue the bundled demo corpus for ingest, once: on first start of a data dir."

    def handle(self, *args, **options) -> None:
        existing = IngestJob.objects.filter(source=str(DEMO_CORPUS.resolve())).first()
        if existing:
            self.stdout.write(f"demo corpus: job {existing.pk} ({existing.status})")
            return
        job = services.ingest_file_job_create(path=DEMO_CORPUS)
        services.ingest_job_enqueue(job=job)
        self.stdout.write(
            f"demo corpus: job {job.pk} queued ({job.source}); "
            "papers appear as the ingest worker embeds them (a few minutes)"
        )
