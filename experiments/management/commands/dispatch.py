import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.embedded import ensure_embedded_server
from experiments import services as experiments
from experiments.models import ExperimentRun
from experiments.specs import SpecInvalid, spec_read

WAIT_MARGIN_SECONDS = 600


class Command(BaseCommand):
    help = (
        "Send an exported spec (.json, .yaml or .md) to the gpu queue. With --wait, print the "
        "final status and where the results are; the exit code is 0 only if it succeeded."
    )

    def add_arguments(self, parser):
        parser.add_argument("--spec", type=Path, required=True)
        parser.add_argument("--wait", action="store_true")
        parser.add_argument(
            "--accept-weak-criteria",
            action="store_true",
            help="dispatch even when the template's baseline already meets a success criterion",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            help="seconds to wait (default: the spec's wall-time limit plus 10 minutes)",
        )

    def handle(self, *args, **options):
        path: Path = options["spec"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            document = spec_read(path)
            ensure_embedded_server()
            spec = experiments.spec_import(document=document, source=str(path))
            run = experiments.experiment_dispatch(
                spec=spec, accept_weak_criteria=options["accept_weak_criteria"]
            )
        except experiments.CriteriaTooWeak as exc:
            lines = "\n".join(f"  {flag}" for flag in exc.flags)
            raise CommandError(
                f"{path}: not dispatched, the baseline already meets these criteria\n{lines}\n"
                "tighten them, or pass --accept-weak-criteria"
            ) from None
        except SpecInvalid as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(f"{path}: invalid spec\n{lines}") from None
        self.stderr.write(f"run {run.pk} queued on the gpu queue (spec {spec.pk})")
        if not options["wait"]:
            self.stdout.write(str(run.pk))
            return
        timeout = options["timeout"] or run.time_limit_seconds + WAIT_MARGIN_SECONDS
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status != status:
                status = run.status
                self.stderr.write(f"run {run.pk}: {status}")
            if run.is_finished:
                break
            time.sleep(1)
        else:
            raise CommandError(
                f"run {run.pk} still {run.status} after {timeout:g} s; is a gpu worker running? "
                "(python manage.py services start)"
            )
        self.stdout.write(run.status)
        self.stdout.write(f"results: {run.directory}")
        if run.message:
            self.stderr.write(run.message)
        if run.status != ExperimentRun.Status.SUCCEEDED:
            raise SystemExit(1)
