"""ExperimentSpec and ExperimentRun now belong to the experiments app (same tables)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ideation", "0002_experiments"),
        ("experiments", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ExperimentRun"),
                migrations.DeleteModel(name="ExperimentSpec"),
            ],
        ),
    ]
