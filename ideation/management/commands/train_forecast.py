from django.core.management.base import BaseCommand, CommandError

from ideation import services
from ideation.forecast import ForecastUnavailable


class Command(BaseCommand):
    help = "Train and validate the concept-pair forecast on the graph as it is now."

    def handle(self, *args, **opts) -> None:
        try:
            record = services.forecast_model_train()
        except ForecastUnavailable as exc:
            raise CommandError(str(exc)) from exc
        baselines = ", ".join(f"{k} {v:.3f}" for k, v in record.baseline_auc.items())
        self.stdout.write(
            f"model {record.pk}: validation AUC {record.validation_auc:.3f} "
            f"(trained to {record.train_cutoff}, validated on pairs first co-mentioned "
            f"{record.validation_cutoff}..{record.data_end}; baselines: {baselines}) "
            f"in {record.train_seconds:.1f} s"
        )
