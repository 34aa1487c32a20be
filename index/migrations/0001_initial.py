"""VectorKey moves from ingest to this app; its table keeps its name (ingest_vectorkey), so the
model changes app in Django's state only."""

from django.db import migrations, models


def relabel_content_types(apps, schema_editor, old="ingest", new="index"):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label=old, model="vectorkey").update(app_label=new)


def relabel_back(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="index", new="ingest")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ingest", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="VectorKey",
                    fields=[
                        ("vid", models.BigIntegerField(primary_key=True, serialize=False)),
                        ("index", models.CharField(max_length=16)),
                        ("key", models.CharField(max_length=300)),
                    ],
                    options={"db_table": "ingest_vectorkey"},
                ),
                migrations.AddConstraint(
                    model_name="vectorkey",
                    constraint=models.UniqueConstraint(
                        fields=("index", "key"), name="unique_index_key"
                    ),
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, relabel_back),
    ]
