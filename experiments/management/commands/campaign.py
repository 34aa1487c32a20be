import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.embedded import ensure_embedded_server
from experiments import campaigns
from experiments import services as experiments
from experiments.models import Campaign
from experiments.proposers import Objective
from experiments.specs import SpecInvalid, spec_read


def _objective(text: str) -> Objective:
    try:
        return Objective.parse(text)
    except ValueError as exc:
        raise CommandError(f"--objective {exc}") from None


class Command(BaseCommand):
    help = (
        "Search a runnable spec's variables with a campaign on the gpu queue: each trial's "
        "parameters are proposed from the trials so far (Optuna: TPE for one objective, NSGA-II "
        "for several), then the best configuration and the template's default re-run on fresh "
        "seeds. Prints the campaign's id; with --wait, its progress and summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--spec", type=Path)
        parser.add_argument("--trials", type=int)
        parser.add_argument("--objective", action="append", help="METRIC:max or METRIC:min")
        parser.add_argument(
            "--resume", type=int, metavar="ID", help="pick up campaign ID after a lost worker"
        )
        parser.add_argument("--seeds", help="seeds of each trial, e.g. 0,1 (default: the spec's)")
        parser.add_argument(
            "--proposer",
            choices=campaigns.PROPOSERS,
            default="optuna",
            help="who chooses each trial (llm: the configured endpoint, checked; Optuna on "
            "failure)",
        )
        parser.add_argument(
            "--parallel", type=int, default=1, help="trials in flight at once (default 1)"
        )
        parser.add_argument("--wait", action="store_true")

    def handle(self, *args, **options):
        if options["resume"] is not None:
            campaign = Campaign.objects.filter(pk=options["resume"]).first()
            if campaign is None:
                raise CommandError(f"--resume: no campaign {options['resume']}")
            ensure_embedded_server()
            campaigns.campaign_resume(campaign=campaign)
            return self._report(campaign, wait=options["wait"])
        path: Path | None = options["spec"]
        if path is None or options["trials"] is None or not options["objective"]:
            raise CommandError("give --spec, --trials and --objective (or --resume ID)")
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        objectives = [_objective(text) for text in options["objective"]]
        seeds = None
        if options["seeds"]:
            try:
                seeds = [int(s) for s in options["seeds"].split(",")]
            except ValueError:
                raise CommandError("--seeds: whole numbers separated by commas") from None
        try:
            document = spec_read(path)
            ensure_embedded_server()
            spec = experiments.spec_import(document=document, source=str(path))
            campaign = campaigns.campaign_create(
                spec=spec,
                trials=options["trials"],
                objectives=objectives,
                seeds=seeds,
                proposer=options["proposer"],
                parallel=options["parallel"],
            )
            campaigns.campaign_start(campaign=campaign)
        except SpecInvalid as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(f"{path}: invalid spec\n{lines}") from None
        except experiments.ExperimentError as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.stderr.write(f"campaign {campaign.pk}: {campaign.trials} trials of spec {spec.pk}")
        self._report(campaign, wait=options["wait"])

    def _report(self, campaign: Campaign, *, wait: bool) -> None:
        if not wait:
            self.stdout.write(str(campaign.pk))
            return
        seen = -1
        while not campaign.is_finished:
            time.sleep(1)
            campaign.refresh_from_db()
            done = campaign.runs.filter(finished_at__isnull=False).count()
            if done != seen:
                seen = done
                self.stderr.write(f"campaign {campaign.pk}: {done} runs finished")
        self.stdout.write(f"campaign {campaign.pk} {campaign.status}: {campaign.message}")
        if campaign.status != Campaign.Status.SUCCEEDED:
            raise CommandError(f"campaign {campaign.pk} {campaign.status}")
