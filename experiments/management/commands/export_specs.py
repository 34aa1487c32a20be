from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from experiments import services as experiments
from experiments.export import FORMATS, spec_filename, spec_json, spec_render
from experiments.models import ExperimentSpec
from experiments.specs import spec_schema
from ideation.models import IdeaBatch


class Command(BaseCommand):
    help = (
        "Print the experiment-spec JSON Schema (--schema), or write one file per spec of an idea "
        "batch (--batch; ideas without a spec get one drafted by the offline rules) or of given "
        "specs (--spec)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", action="store_true", help="print the JSON Schema")
        parser.add_argument("--batch", type=int, help="idea batch id")
        parser.add_argument("--spec", type=int, action="append", default=[], help="spec id")
        parser.add_argument("--format", choices=FORMATS, default="json")
        parser.add_argument("--out", type=Path, help="directory to write the files into")

    def handle(self, *args, **options):
        if options["schema"]:
            self.stdout.write(spec_json(spec_schema()), ending="")
            return
        if not options["out"]:
            raise CommandError("--out DIR is needed (or --schema)")
        if options["batch"] is not None:
            batch = IdeaBatch.objects.filter(pk=options["batch"]).first()
            if batch is None:
                raise CommandError(f"no idea batch {options['batch']}")
            if not batch.is_finished:
                raise CommandError(f"idea batch {batch.pk} is still {batch.status}")
            specs = experiments.specs_for_batch(batch=batch)
        elif options["spec"]:
            specs = list(ExperimentSpec.objects.filter(pk__in=options["spec"]))
            missing = set(options["spec"]) - {s.pk for s in specs}
            if missing:
                raise CommandError(f"no spec {', '.join(str(m) for m in sorted(missing))}")
        else:
            raise CommandError("give --batch ID, --spec ID or --schema")
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        fmt = options["format"]
        for spec in specs:
            path = out / spec_filename(spec.document, spec_id=spec.pk, fmt=fmt)
            path.write_text(spec_render(spec.document, fmt=fmt), encoding="utf-8")
            self.stdout.write(str(path))
        self.stderr.write(f"{len(specs)} spec(s) written to {out}")
