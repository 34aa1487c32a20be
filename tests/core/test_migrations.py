"""A data dir made before experiments and the vector index had their own apps migrates forward
with its rows, their links and the permissions granted on them intact."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_SPLIT = [
    ("ingest", "0001_initial"),
    ("ideation", "0002_experiments"),
    ("experiments", None),
    ("index", None),
]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def test_an_old_database_migrates_forward_without_loss():
    loader = migrate(BEFORE_THE_SPLIT).loader
    django_apps = [
        node for node in loader.graph.leaf_nodes() if node[0] in ("auth", "contenttypes")
    ]
    applied = [(app, name) for app, name in BEFORE_THE_SPLIT if name] + django_apps
    old = loader.project_state(applied).apps
    batch = old.get_model("ideation", "IdeaBatch").objects.create(params={"n": 1})
    idea = old.get_model("ideation", "Idea").objects.create(
        batch=batch, rank=1, title="Old idea", problem="p", hypothesis="h", method="m",
        expected="e", risks="r", writer="offline", concepts=[], grounding=[], novelty=0.5,
        verdict="uncertain", evidence={}, score=0.4,
    )  # fmt: skip
    spec = old.get_model("ideation", "ExperimentSpec").objects.create(
        idea=idea, document={"title": "Old spec"}, title="Old spec", template="manual",
        origin="offline",
    )  # fmt: skip
    old.get_model("ideation", "ExperimentRun").objects.create(
        spec=spec, document={"title": "Old spec"}, status="succeeded", time_limit_seconds=60,
        verdict="inconclusive",
    )  # fmt: skip
    old.get_model("ingest", "VectorKey").objects.create(vid=42, index="papers", key="2501.00001")
    content_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="ideation", model="experimentrun"
    )[0]
    permission = old.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="add_experimentrun", name="Can add experiment run"
    )[0]
    old_user = old.get_model("auth", "User").objects.create(username="dispatcher")
    old_user.user_permissions.add(permission)

    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())

    from experiments.models import ExperimentRun, ExperimentSpec
    from ideation.models import Idea
    from index.models import VectorKey

    run = ExperimentRun.objects.get()
    assert (run.status, run.verdict, run.spec.title) == ("succeeded", "inconclusive", "Old spec")
    assert run.spec.idea.title == "Old idea"
    assert list(Idea.objects.get().specs.all()) == [ExperimentSpec.objects.get()]
    assert VectorKey.objects.get(vid=42).key == "2501.00001"
    assert User.objects.get(username="dispatcher").has_perm("experiments.add_experimentrun")
