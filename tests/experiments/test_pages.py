"""Spec and run pages through Django's test client: drafting from an idea, the editor's errors
next to their field, exports, the batch zip, the run page, and hostile text shown as text."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Permission

from experiments import services as experiments
from experiments.forms import SpecForm
from experiments.models import ExperimentRun, ExperimentSpec
from experiments.specs import spec_parse
from tests.ideation.factories import PLAIN_IDEA, idea_create, tiny_spec

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_user("editor", email="ed@example.org")
    for codename in ("add_experimentspec", "change_experimentspec"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return client


def form_data(document) -> dict:
    return {k: v for k, v in SpecForm.from_document(document).initial.items()}


def test_an_idea_page_drafts_a_spec_which_exports(editor, store):
    idea = idea_create()
    assert b"Draft an experiment spec" in editor.get(f"/ideas/{idea.pk}/").content
    response = editor.post(f"/ideas/{idea.pk}/specs", {"writer": "offline"})
    assert response.status_code == 302, response.content.decode()[:2000]
    spec = ExperimentSpec.objects.get()
    assert response["Location"] == f"/experiments/specs/{spec.pk}/"
    assert spec.idea == idea and spec.template == "sae_superposition"
    page = editor.get(response["Location"]).content.decode()
    assert "Dispatch to the GPU queue" in page and 'name="variables"' in page
    for fmt in ("json", "yaml", "md"):
        response = editor.get(f"/experiments/specs/{spec.pk}/export.{fmt}")
        assert response.status_code == 200
        assert f'.{fmt}"' in response["Content-Disposition"]
        assert spec_parse(response.content.decode(), fmt=fmt) == spec.document
    assert editor.get(f"/experiments/specs/{spec.pk}/export.exe").status_code == 404


def test_the_editor_saves_valid_changes_and_puts_errors_next_to_their_field(editor):
    spec = ExperimentSpec.objects.create(
        document=tiny_spec(), title="t", template="sae_superposition", origin="offline"
    )
    data = form_data(spec.document)
    data.update(variables="activation: relu, softplus  # two", seeds="0, 1", wall_time_minutes=3)
    response = editor.post(f"/experiments/specs/{spec.pk}/", data)
    assert response.status_code == 302
    spec.refresh_from_db()
    assert spec.revision == 2
    assert spec.document["variables"] == [
        {"name": "activation", "values": ["relu", "softplus"], "description": "two"}
    ]
    assert spec.document["seeds"] == [0, 1] and spec.document["compute"]["wall_time_minutes"] == 3

    bad = form_data(spec.document)
    bad.update(
        variables="learning_rate: 0.1, 7",
        metrics="mmcs upwards",
        params="steps: many",
        wall_time_minutes=0,
    )
    response = editor.post(f"/experiments/specs/{spec.pk}/", bad)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["metrics"] == ["line 1: write name maximize (or minimize)"]
    assert "variables" not in errors  # the form stops at line-format errors first
    bad["metrics"] = "mmcs maximize\nnmse minimize"
    response = editor.post(f"/experiments/specs/{spec.pk}/", bad)
    errors = response.context["form"].errors
    assert any("0.0 is less than or equal to the minimum" in e for e in errors["wall_time_minutes"])
    assert 'data-field="wall_time_minutes"' in response.content.decode()
    bad["wall_time_minutes"] = 5  # the template's checks run once the spec's shape is right
    response = editor.post(f"/experiments/specs/{spec.pk}/", bad)
    errors = response.context["form"].errors
    too_big = "learning_rate: 7 is greater than the maximum of 1"
    assert any(too_big in e for e in errors["variables"])
    assert any("steps: 'many' is not of type 'integer'" in e for e in errors["params"])
    assert 'data-field="variables"' in response.content.decode()
    spec.refresh_from_db()
    assert spec.revision == 2  # nothing saved


def test_batch_zip_drafts_missing_specs_and_leaves_out_rejected_ideas(editor):
    idea = idea_create()
    rejected = idea_create(PLAIN_IDEA, batch=idea.batch, rank=2, feedback="rejected")
    response = editor.get(f"/ideas/batches/{idea.batch_id}/specs.zip?format=md")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    specs = [n for n in archive.namelist() if n.startswith("spec-")]
    assert len(specs) == 1 and specs[0].endswith(".md")
    assert ExperimentSpec.objects.filter(idea=idea).count() == 1
    assert not ExperimentSpec.objects.filter(idea=rejected).exists()
    bad = editor.get(f"/ideas/batches/{idea.batch_id}/specs.zip?format=exe")
    assert bad.status_code == 400


def test_export_command_writes_one_file_per_spec(tmp_path):
    from django.core.management import call_command

    idea = idea_create()
    idea_create(PLAIN_IDEA, batch=idea.batch, rank=2)
    call_command(
        "export_specs", "--batch", str(idea.batch_id), "--format", "yaml", "--out", tmp_path
    )
    files = sorted(tmp_path.glob("*.yaml"))
    assert len(files) == 2
    templates = {spec_parse(f.read_text(), fmt="yaml")["runner"]["template"] for f in files}
    assert templates == {"sae_superposition", "manual"}


def test_hostile_text_is_shown_as_text(editor, settings, tmp_path):
    settings.EXPERIMENTS_DIR = tmp_path
    document = tiny_spec()
    document["title"] = f"Title {HOSTILE}"
    document["idea"]["grounding_papers"][0]["title"] = HOSTILE
    spec = experiments.spec_import(document=document)
    page = editor.get(f"/experiments/specs/{spec.pk}/").content.decode()
    assert HOSTILE not in page and "&lt;script&gt;" in page
    run = ExperimentRun.objects.create(
        spec=spec, document=document, status="succeeded", time_limit_seconds=60
    )
    report = {
        "template": "sae_superposition", "template_version": 1, "device": "cpu", "torch": "2",
        "complete": True, "defaults": {}, "plots": [],
        "plan": {"params": {}, "grid": {"sparsity_method": ["l1"]}, "seeds": [0]},
        "metrics": [{"name": "mmcs", "direction": "maximize"}],
        "runs": [{"condition": {"sparsity_method": HOSTILE}, "seed": 0, "seconds": 1,
                  "metrics": {"mmcs": 0.95}}],
    }  # fmt: skip
    run.directory.mkdir(parents=True)
    (run.directory / "metrics.json").write_text(json.dumps(report))
    fields = experiments.writeup_write(run=run, report=report)
    ExperimentRun.objects.filter(pk=run.pk).update(**fields)
    html = editor.get(f"/experiments/runs/{run.pk}/writeup/").content.decode()
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert "<table>" in html  # the Markdown itself is rendered
    run_page = editor.get(f"/experiments/runs/{run.pk}/").content.decode()
    assert HOSTILE not in run_page
    download = editor.get(f"/experiments/runs/{run.pk}/writeup/writeup.md?download=1")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    for name in ("../../etc/passwd", "plan.json/../../x", "plots/../spec.json", "other.txt"):
        assert editor.get(f"/experiments/runs/{run.pk}/writeup/{name}").status_code == 404


def test_run_page_polls_until_finished(editor, settings, tmp_path):
    settings.EXPERIMENTS_DIR = tmp_path
    spec = experiments.spec_import(document=tiny_spec())
    run = ExperimentRun.objects.create(spec=spec, document=spec.document, time_limit_seconds=60)
    headers = {"HX-Request": "true", "HX-Target": "run-status"}
    partial = editor.get(f"/experiments/runs/{run.pk}/", headers=headers)
    assert partial.status_code == 200 and b'data-status="queued"' in partial.content
    assert b"<html" not in partial.content
    ExperimentRun.objects.filter(pk=run.pk).update(status="failed", message="boom")
    done = editor.get(f"/experiments/runs/{run.pk}/", headers=headers)
    assert done.status_code == 286 and done["HX-Refresh"] == "true"


def test_importing_a_bad_file_names_the_file_and_the_problem(editor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = tiny_spec()
    document["seeds"] = []
    upload = SimpleUploadedFile("mine.json", json.dumps(document).encode())
    response = editor.post("/experiments/", {"file": upload})
    assert response.status_code == 400
    assert "mine.json: seeds: [] should be non-empty" in response.content.decode()
    assert ExperimentSpec.objects.count() == 0


def test_drafting_with_the_llm_uses_the_configured_endpoint_or_says_why_not(
    editor, store, settings, chat
):
    idea = idea_create()
    response = editor.post(f"/ideas/{idea.pk}/specs", {"writer": "llm"})
    assert response.status_code == 400
    assert "no LLM is configured" in response.content.decode()
    server = chat([json.dumps(tiny_spec())])
    settings.OPENAI_BASE_URL, settings.LLM_MODEL = server.url, "test-model"
    editor.post(f"/ideas/{idea.pk}/specs", {"writer": "llm"})
    spec = ExperimentSpec.objects.get()
    assert spec.origin == "llm" and spec.document["variables"] == tiny_spec()["variables"]
    assert server.requests[0]["model"] == "test-model"


def test_export_command_refuses_what_it_cannot_export(tmp_path):
    from django.core.management import CommandError, call_command

    for args, expected in [
        (["--batch", "999", "--out", str(tmp_path)], "no idea batch 999"),
        (["--spec", "998", "--out", str(tmp_path)], "no spec 998"),
        (["--batch", "1"], "--out DIR is needed"),
        (["--out", str(tmp_path)], "give --batch ID, --spec ID or --schema"),
    ]:
        with pytest.raises(CommandError, match=expected):
            call_command("export_specs", *args)
    assert list(tmp_path.iterdir()) == []


def test_a_criterion_the_baseline_meets_is_flagged_and_dispatch_asks_to_confirm(
    client, django_user_model, tmp_path
):
    from django.core.management import CommandError, call_command

    from experiments.drafting import spec_offline
    from experiments.export import spec_yaml
    from tests.experiments.test_links import idea_of

    user = django_user_model.objects.create_user("runner")
    for codename in ("add_experimentrun", "change_experimentspec"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    document = spec_offline(idea_of("superposition", "monosemanticity")).document
    document["success_criteria"][0]["threshold"] = 0.9  # MMCS >= 0.9: the baseline has 0.98
    spec = experiments.spec_import(document=document)
    page = client.get(f"/experiments/specs/{spec.pk}/").content.decode()
    assert 'data-flag="met_by_baseline"' in page and "Criterion 1: the baseline" in page
    refused = client.post(f"/experiments/specs/{spec.pk}/dispatch")
    assert refused.status_code == 409 and "Dispatch anyway" in refused.content.decode()
    assert not ExperimentRun.objects.exists()
    path = tmp_path / "spec.yaml"
    path.write_text(spec_yaml(document))
    with pytest.raises(CommandError, match="--accept-weak-criteria"):
        call_command("dispatch", spec=path)
    confirmed = client.post(
        f"/experiments/specs/{spec.pk}/dispatch", {"accept_weak_criteria": "on"}
    )
    assert confirmed.status_code == 302 and ExperimentRun.objects.count() == 1


def test_a_campaign_starts_from_a_spec_page_and_shows_its_trials(client, django_user_model):
    from experiments.models import Campaign
    from tests.experiments.test_campaigns import tiny_campaign_spec

    user = django_user_model.objects.create_user("searcher")
    user.user_permissions.add(Permission.objects.get(codename="add_experimentrun"))
    client.force_login(user)
    spec = experiments.spec_import(document=tiny_campaign_spec())
    page = client.get(f"/experiments/specs/{spec.pk}/").content.decode()
    assert 'id="campaign-form"' in page
    refused = client.post(
        f"/experiments/specs/{spec.pk}/campaign", {"trials": 3, "objectives": "accuracy:max"}
    )
    assert refused.status_code == 400 and "does not measure accuracy" in refused.content.decode()
    started = client.post(
        f"/experiments/specs/{spec.pk}/campaign",
        {"trials": 3, "objectives": "fve:max, mean_l0:min"},
    )
    campaign = Campaign.objects.get()
    assert started.status_code == 302 and started.url == f"/experiments/campaigns/{campaign.pk}/"
    assert [o["metric"] for o in campaign.objectives] == ["fve", "mean_l0"]
    shown = client.get(started.url).content.decode()
    assert "fve (maximize), mean over seeds" in shown and "No trial yet." in shown
