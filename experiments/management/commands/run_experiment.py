import json
import sys
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from runner.execute import PlanInvalid, experiment_execute
from runner.registry import Plan, plan_validate, templates_all


class Command(BaseCommand):
    help = (
        "Run a registered experiment template in this process (--sync). --params sets fixed "
        "parameters, --grid varies some (JSON: name -> list of values), --seeds picks seeds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--template", help="template name (--list shows them)")
        parser.add_argument("--list", action="store_true", help="list the templates")
        parser.add_argument("--params", default="{}", help='JSON object, e.g. {"steps": 500}')
        parser.add_argument("--grid", default="{}", help='JSON, e.g. {"dict_size": [128, 256]}')
        parser.add_argument("--seeds", default="0", help="comma-separated, e.g. 0,1,2")
        parser.add_argument("--sync", action="store_true", help="run here, now (required)")
        parser.add_argument("--out", type=Path, help="results directory")

    def handle(self, *args, **options):
        if options["list"]:
            for template in templates_all():
                self.stdout.write(f"{template.name} v{template.version}: {template.title}")
                for name, spec in template.params_schema["properties"].items():
                    self.stdout.write(f"  {name} (default {spec.get('default')!r})")
            return
        if not options["template"]:
            raise CommandError("--template NAME is needed (see --list)")
        if not options["sync"]:
            raise CommandError(
                "run_experiment runs in this process and needs --sync; to use the gpu queue, "
                "export a spec and run `manage.py dispatch --spec FILE`"
            )
        params = self._json(options["params"], "--params")
        grid = self._json(options["grid"], "--grid")
        try:
            seeds = [int(s) for s in options["seeds"].split(",") if s.strip()]
        except ValueError:
            raise CommandError(
                f"--seeds: integers separated by commas, not {options['seeds']!r}"
            ) from None
        if any(not isinstance(v, list) for v in grid.values()):
            raise CommandError("--grid: each parameter needs a list of values")
        plan = Plan(template=options["template"], params=params, grid=grid, seeds=seeds)
        errors = plan_validate(plan)
        if errors:
            raise CommandError("invalid parameters:\n" + "\n".join(f"  {e}" for e in errors))
        out = options["out"] or Path(f"experiment-{datetime.now():%Y%m%d-%H%M%S}")

        def log(line: str) -> None:
            print(f"{datetime.now():%H:%M:%S} {line}", file=sys.stderr, flush=True)

        try:
            report = experiment_execute(plan=plan, out_dir=out, log=log)
        except PlanInvalid as exc:
            raise CommandError(str(exc)) from None
        for run in report["runs"]:
            shown = ", ".join(f"{k}={v:.4g}" for k, v in run["metrics"].items())
            self.stdout.write(f"{json.dumps(run['condition'])} seed {run['seed']}: {shown}")
        self.stdout.write(f"results: {out}")

    def _json(self, text: str, option: str) -> dict:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{option}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(value, dict):
            raise CommandError(f"{option}: a JSON object is needed")
        return value
