"""ExperimentSpec and ExperimentRun move from ideation to this app. Their tables keep their
names (ideation_experimentspec, ideation_experimentrun), so no row moves: the models change app
in Django's state only, and their content types (with any permissions granted on them) are
relabelled."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("experimentspec", "experimentrun")


def relabel_content_types(apps, schema_editor, old="ideation", new="experiments"):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)


def relabel_back(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="experiments", new="ideation")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ideation", "0002_experiments"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExperimentSpec",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("document", models.JSONField()),
                        ("title", models.CharField(max_length=300)),
                        ("template", models.CharField(max_length=64)),
                        (
                            "origin",
                            models.CharField(
                                choices=[
                                    ("offline", "offline rules"),
                                    ("llm", "LLM"),
                                    ("imported", "imported file"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "revision",
                            models.IntegerField(default=1, help_text="edits so far, plus one"),
                        ),
                        (
                            "message",
                            models.TextField(
                                blank=True, help_text="how it was drafted, e.g. an LLM fallback"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "idea",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="specs",
                                to="ideation.idea",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-updated_at"],
                        "db_table": "ideation_experimentspec",
                    },
                ),
                migrations.CreateModel(
                    name="ExperimentRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("document", models.JSONField(help_text="the spec as dispatched")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("running", "Running"),
                                    ("succeeded", "Succeeded"),
                                    ("failed", "Failed"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="queued",
                                max_length=16,
                            ),
                        ),
                        ("task_id", models.CharField(blank=True, max_length=64)),
                        (
                            "attempts",
                            models.IntegerField(default=0, help_text="times a worker started it"),
                        ),
                        ("cancel_requested", models.BooleanField(default=False)),
                        (
                            "worker",
                            models.CharField(
                                blank=True, help_text="host:pid running it", max_length=300
                            ),
                        ),
                        ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                        ("time_limit_seconds", models.FloatField()),
                        ("device", models.CharField(blank=True, max_length=200)),
                        ("message", models.TextField(blank=True)),
                        (
                            "summary",
                            models.JSONField(
                                blank=True, default=dict, help_text="criteria and verdict"
                            ),
                        ),
                        ("verdict", models.CharField(blank=True, max_length=32)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("writeup_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "requested_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "spec",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="runs",
                                to="experiments.experimentspec",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at"],
                        "db_table": "ideation_experimentrun",
                    },
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
