"""The experiment flow in a real Chromium: from an idea to a spec (edited in the browser),
exported, dispatched to a real gpu-queue worker, watched while it runs, and read as a write-up
with its plots. Transactional: the web server and the worker are other processes."""

from __future__ import annotations

import json

import pytest

from experiments.models import Campaign, ExperimentRun, ExperimentSpec
from experiments.specs import spec_validate
from tests.e2e.conftest import SHOTS
from tests.ideation.factories import idea_create
from tests.processes import start_webserver, start_worker, stop

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TINY_PARAMS = """input_dim: 8
n_features: 16
feature_probability: 0.1
dict_size: 32
topk_k: 2
steps: 300
batch_size: 256
eval_samples: 1000"""


@pytest.fixture
def services(tmp_path):
    worker = start_worker(tmp_path / "gpu-worker.log", queues="gpu")
    web, url = start_webserver(tmp_path / "web.log")
    yield url
    stop(web)
    stop(worker)


def _log_in(page, url: str, django_user_model) -> None:
    from django.test import Client

    user = django_user_model.objects.create_superuser("researcher", "r@example.org", "pw")
    session = Client()
    session.force_login(user)  # the test settings' fast password hasher is not the server's
    page.context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": url}]
    )


def _save_spec(page, spec: ExperimentSpec, params: str, variables: str) -> None:
    """Fill the spec form with a tiny configuration on seed 0, save, and check it saved."""
    page.fill("textarea[name=params]", params)
    page.fill("textarea[name=variables]", variables)
    page.fill("input[name=seeds]", "0")
    page.click("form.spec-form button[type=submit]")
    page.wait_for_load_state()
    spec.refresh_from_db()
    assert spec.revision == 2 and spec.document["runner"]["params"]["steps"] == 300


def test_idea_to_write_up_in_the_browser(services, page, django_user_model, tmp_path):
    _log_in(page, services, django_user_model)
    idea = idea_create()
    page.goto(f"{services}/ideas/{idea.pk}/")

    page.click("#draft-spec")
    page.wait_for_url("**/experiments/specs/*/")
    spec = ExperimentSpec.objects.get()
    assert page.locator("textarea[name=variables]").input_value().startswith("sparsity_method:")

    # A bad value comes back next to its field; then a tiny configuration saves.
    page.fill("textarea[name=params]", "steps: 0")
    page.click("form.spec-form button[type=submit]")
    error = page.locator('#field-params .field-error[data-field="params"]')
    assert "steps: 0 is less than the minimum of 1" in error.inner_text()
    _save_spec(page, spec, TINY_PARAMS, "sparsity_method: l1, topk")

    with page.expect_download() as download:
        page.click("text=JSON")
    exported = json.loads(download.value.path().read_text())
    assert exported == spec.document and spec_validate(exported) == []

    page.click("#dispatch")
    page.wait_for_url("**/experiments/runs/*/")
    page.wait_for_selector('[data-status="succeeded"]', timeout=180_000)
    run = ExperimentRun.objects.get()
    assert run.status == "succeeded"
    assert page.locator("table.results tbody tr").count() == 2
    page.screenshot(path=str(SHOTS / "experiment-run.png"), full_page=True)

    page.click("text=Read the write-up")
    page.wait_for_url("**/writeup/")
    article = page.locator("article.writeup")
    assert "What the results say" in article.inner_text()
    assert article.locator("table tbody tr").count() == 2
    widths = page.eval_on_selector_all("article.writeup img", "els => els.map(e => e.naturalWidth)")
    assert len(widths) == 3 and all(w > 0 for w in widths)
    page.screenshot(path=str(SHOTS / "experiment-writeup.png"), full_page=True)


def test_a_campaign_from_a_spec_to_its_pareto_front(services, page, django_user_model):
    _log_in(page, services, django_user_model)
    idea = idea_create()
    page.goto(f"{services}/ideas/{idea.pk}/")
    page.click("#draft-spec")
    page.wait_for_url("**/experiments/specs/*/")
    spec = ExperimentSpec.objects.get()
    # dict_size is searched, so it is not also fixed
    tiny = "\n".join(line for line in TINY_PARAMS.splitlines() if not line.startswith("dict_"))
    _save_spec(page, spec, tiny, "sparsity_method: l1, topk\ndict_size: 16, 48")

    # two objectives: NSGA-II, and the chart is the trials against both with their front
    page.fill("#campaign-form input[name=trials]", "4")
    page.fill("#campaign-form input[name=objectives]", "mmcs:max, nmse:min")
    page.click("#campaign-form button[type=submit]")
    page.wait_for_url("**/experiments/campaigns/*/")
    page.wait_for_selector('#campaign [data-status="succeeded"]', timeout=240_000)
    campaign = Campaign.objects.get()
    assert campaign.status == "succeeded" and campaign.runs.count() == 6
    assert campaign.space["dict_size"] == {"kind": "int", "low": 16, "high": 48, "log": False}
    assert page.locator("#trials tbody tr").count() == 4
    chart = page.locator("#campaign-chart")
    assert chart.locator("polyline").get_attribute("data-line") == "Pareto front"
    on_front = len(campaign.summary["pareto_front"])
    assert chart.locator("circle.front").count() == on_front >= 1
    assert chart.locator("circle").count() == 4
    assert page.locator("#trials tr.pareto").count() == on_front
    assert "Optuna NSGA-II" in page.locator("#trials td.reason").first.inner_text()
    page.screenshot(path=str(SHOTS / "campaign.png"), full_page=True)
