import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.embedded import background_work_begin
from ideation import selectors, services
from ideation.jsonl import objects_write
from ideation.models import IdeaBatch


def _names(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Command(BaseCommand):
    help = (
        "Propose, novelty-check and rank N cross-field ideas; writes them in rank order as JSON "
        "lines. Without --sync the batch runs on the ideation workers (started if needed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--n", type=int, required=True)
        parser.add_argument("--fields", type=_names, default=[], help="e.g. cs.LG,cs.CR")
        parser.add_argument("--seed-concepts", type=_names, default=[], help="concept names")
        parser.add_argument("--kinds", type=_names, default=[], help="e.g. method,task")
        parser.add_argument("--active-since", help="both concepts have a paper since YYYY-MM-DD")
        parser.add_argument("--writer", choices=["offline", "llm"], default="offline")
        parser.add_argument(
            "--repeats",
            action="store_true",
            help="include concept pairs of ideas already written (left out by default)",
        )
        parser.add_argument("--sync", action="store_true", help="run in this process")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, **opts) -> None:
        params = {
            "n": opts["n"],
            "fields": opts["fields"],
            "seeds": opts["seed_concepts"],
            "kinds": opts["kinds"],
            "active_since": opts["active_since"],
            "repeats": opts["repeats"],
        }
        refusal = selectors.seeds_refusal(names=params["seeds"] or [])
        if refusal:
            raise CommandError(f"--seed-concepts: {refusal}")
        try:
            batch = services.idea_batch_create(params=params, writer=opts["writer"])
        except services.IdeationError as exc:
            raise CommandError(str(exc)) from exc
        if opts["sync"]:
            background_work_begin()
            batch = services.idea_batch_run(batch_id=batch.pk)
        else:
            batch = self._run_on_workers(batch)
        if batch.status == IdeaBatch.Status.FAILED:
            raise CommandError(f"batch {batch.pk} failed: {batch.message}")
        rows = [selectors.idea_export(idea) for idea in selectors.ideas_ranked(batch=batch)]
        objects_write(opts["out"], rows)
        seconds = (batch.finished_at - batch.started_at).total_seconds()
        self.stdout.write(
            f"batch {batch.pk}: {len(rows)} ideas in {seconds:.1f} s "
            f"({batch.candidates} pairs considered, {batch.duplicates} near-duplicates merged) "
            f"-> {opts['out']}"
        )
        if batch.message:
            self.stdout.write(batch.message)

    def _run_on_workers(self, batch: IdeaBatch) -> IdeaBatch:
        from core.embedded import services_start
        from ideation.tasks import idea_batch_run

        services_start(workers=True)
        idea_batch_run.delay(batch.pk)
        while True:
            batch.refresh_from_db()
            if batch.is_finished:
                return batch
            time.sleep(0.5)
