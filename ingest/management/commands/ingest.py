import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from core.embedded import background_work_begin
from ingest import services
from ingest.models import IngestJob
from ingest.sources.arxiv_api import ArxivQuery
from ingest.sources.files import SourceError


class Command(BaseCommand):
    help = (
        "Ingest papers from a file (JSONL[.gz], CSV, BibTeX) or the arXiv API. Without --sync the "
        "job goes to the ingest workers (started if needed) and is followed with a progress bar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", type=Path)
        source.add_argument("--arxiv-query", help="arXiv search query, e.g. 'sparse autoencoders'")
        source.add_argument("--arxiv-ids", help="comma-separated arXiv ids")
        source.add_argument("--arxiv-category", help="an arXiv category, with --from/--to")
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat)
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat)
        parser.add_argument("--max", type=int, default=100, help="most arXiv results to fetch")
        parser.add_argument("--sync", action="store_true", help="run in this process")

    def handle(self, *args, **opts) -> None:
        try:
            job = self._create_job(opts)
        except (SourceError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        if opts["sync"]:
            background_work_begin()
            self.stdout.write(f"job {job.pk}: {job.source}")
            job = services.ingest_job_run(job_id=job.pk)
        else:
            job = self._run_on_workers(job)
        self._summarise(job)
        if job.status == IngestJob.Status.FAILED:
            raise CommandError(f"job {job.pk} failed: {job.error_message}")

    def _create_job(self, opts) -> IngestJob:
        if opts["file"]:
            return services.ingest_file_job_create(path=opts["file"])
        if opts["arxiv_ids"]:
            ids = tuple(i.strip() for i in opts["arxiv_ids"].split(",") if i.strip())
            query = ArxivQuery(ids=ids, max_results=len(ids))
        else:
            query = ArxivQuery(
                query=opts["arxiv_query"] or "",
                category=opts["arxiv_category"] or "",
                date_from=opts["date_from"],
                date_to=opts["date_to"],
                max_results=opts["max"],
            )
        return services.ingest_arxiv_job_create(query=query)

    def _run_on_workers(self, job: IngestJob) -> IngestJob:
        from core.embedded import services_start
        from ingest.tasks import ingest_job_run

        services_start(workers=True)
        ingest_job_run.delay(job.pk)
        self.stdout.write(f"job {job.pk} queued: {job.source}")
        with tqdm(total=job.total or None, unit="paper", disable=None) as bar:
            while True:
                job.refresh_from_db()
                if job.total and bar.total != job.total:
                    bar.total = job.total
                bar.update(job.records_done - bar.n)
                if job.is_finished:
                    return job
                time.sleep(0.5)

    def _summarise(self, job: IngestJob) -> None:
        self.stdout.write(
            f"job {job.pk} {job.status}: seen {job.seen}, new {job.new}, updated {job.updated}, "
            f"unchanged {job.unchanged}, invalid {job.invalid}"
            f" in {job.timings.get('total_s', 0):.1f}s"
        )
        for error in job.errors.all()[:20]:
            self.stdout.write(f"  {error}")
        if job.invalid > 20:
            self.stdout.write(f"  … {job.invalid - 20} more errors")
