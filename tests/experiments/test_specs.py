"""Spec schema, drafting, export round-trips and the write-up's verdict (no services needed)."""

import copy
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from experiments.drafting import LLMSpecWriter, spec_offline
from experiments.export import spec_markdown, spec_render, specs_zip
from experiments.specs import (
    SPEC_VERSION,
    SpecInvalid,
    spec_parse,
    spec_read,
    spec_schema,
    spec_validate,
)
from experiments.writeup import (
    best_criteria_together,
    criteria_evaluate,
    verdict_of,
    writeup_markdown,
)
from tests.ideation.factories import PLAIN_IDEA, SAE_IDEA, idea_source_from, tiny_spec

DOCS = Path(__file__).resolve().parents[2] / "docs"


def errors_of(document) -> list[str]:
    return [str(error) for error in spec_validate(document)]


def test_offline_rules_pick_the_template_the_idea_is_about():
    sae = spec_offline(idea_source_from(SAE_IDEA)).document
    plain = spec_offline(idea_source_from(PLAIN_IDEA)).document
    assert errors_of(sae) == [] and errors_of(plain) == []
    assert sae["runner"]["template"] == "sae_superposition"
    assert {v["name"] for v in sae["variables"]} == {"sparsity_method", "dict_size"}
    assert plain["runner"]["template"] == "manual"
    assert [d["name"] for d in plain["datasets"]] == ["ogbn-proteins"]
    for document in (sae, plain):
        assert document["schema_version"] == SPEC_VERSION
        assert document["idea"]["id"] == 7 and document["idea"]["grounding_papers"][0]["key"]


def test_an_idea_with_almost_no_text_still_gets_a_valid_spec():
    thin = idea_source_from(PLAIN_IDEA, title="GN", hypothesis="", problem="")
    assert errors_of(spec_offline(thin).document) == []


def with_change(path: str, value):
    document = tiny_spec()
    target = document
    *parents, last = path.split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("question", KeyError, "question: is missing"),
        ("compute.gpu_hours", KeyError, "compute.gpu_hours: is missing"),
        ("compute.wall_time_minutes", 0, "compute.wall_time_minutes: 0 is less than or equal"),
        ("compute.gpu_hours", "lots", "compute.gpu_hours: 'lots' is not of type 'number'"),
        ("seeds", [1, 1], "seeds: [1, 1] has non-unique elements"),
        ("metrics.0.direction", "up", "metrics[0].direction: 'up' is not one of"),
        ("surprise", 1, "Additional properties are not allowed ('surprise' was unexpected)"),
        ("schema_version", "2.0", "schema_version: '2.0' does not match"),
        ("runner.template", "run_my_code", "runner.template: unknown template 'run_my_code'"),
        ("runner.params.steps", 10**9, "runner.params.steps: steps: 1000000000 is greater"),
        ("runner.params.rm_rf", "/", "runner.params.rm_rf: rm_rf: not a parameter"),
        ("variables.0.values", ["l1", "l2"], "variables[0].values: sparsity_method: 'l2' is not"),
        (
            "variables.0.name",
            "learning_rate_x",
            "variables[0].values: learning_rate_x: not a param",
        ),
        ("success_criteria.0.metric", "accuracy", "success_criteria[0].metric: 'accuracy' is not"),
        ("metrics.0.name", "accuracy", "metrics[0].name: sae_superposition does not measure"),
    ],
)
def test_bad_specs_are_refused_naming_the_place(path, value, expected):
    errors = errors_of(with_change(path, value))
    assert any(error.startswith(expected) for error in errors), errors


def test_a_manual_spec_may_vary_anything_a_template_spec_may_not():
    document = spec_offline(idea_source_from(PLAIN_IDEA)).document
    document["variables"] = [{"name": "learning_rate", "values": [0.1, 0.01]}]
    assert errors_of(document) == []


@pytest.mark.parametrize("fmt", ["json", "yaml", "md"])
def test_exports_round_trip(fmt):
    document = tiny_spec()
    document["title"] = 'Quotes " and pipes | and <script>alert(1)</script> and ```json'
    document["hypothesis"] = 'Line one.\n\n```json\n{"fake": true}\n```\nLine two: a: b'
    text = spec_render(document, fmt=fmt)
    assert spec_parse(text, fmt=fmt) == document


def test_markdown_export_reads_as_a_document():
    text = spec_markdown(spec_offline(idea_source_from(SAE_IDEA)).document)
    assert text.startswith("# Toy-model test: Sparse coding")
    for heading in ("Question", "Hypothesis", "Conditions", "Metrics", "Success criteria",
                    "Compute budget", "Machine-readable spec"):  # fmt: skip
        assert f"## {heading}" in text
    assert "| sparsity_method | l1, topk |" in text
    assert "4 conditions x 2 seeds" in text


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ('{"title": ', "json", "not valid JSON (line 1, column 11)"),
        ("title: [unclosed", "yaml", "not valid YAML"),
        ("# A spec with no block", "md", "no ```json block"),
        ("[1, 2]", "json", "a spec must be a JSON object"),
        ("{}", "json", "schema_version: is missing"),
    ],
)
def test_unreadable_files_say_what_is_wrong(text, fmt, expected):
    with pytest.raises(SpecInvalid) as caught:
        spec_parse(text, fmt=fmt, source="upload.x")
    assert str(caught.value).startswith("upload.x: ")
    assert expected in str(caught.value)


def test_zip_holds_one_file_per_spec_and_the_schema():
    specs = [(1, tiny_spec()), (2, spec_offline(idea_source_from(PLAIN_IDEA)).document)]
    archive = zipfile.ZipFile(io.BytesIO(specs_zip(specs, fmt="yaml")))
    schema, *names = sorted(archive.namelist())
    assert schema == f"experiment-spec-{SPEC_VERSION}.schema.json"
    assert [n.split("-")[1] for n in names] == ["1", "2"]
    for (_, document), name in zip(specs, names, strict=True):
        assert spec_parse(archive.read(name).decode(), fmt="yaml") == document


def test_schema_command_prints_the_schema(capsys):
    call_command("export_specs", "--schema")
    assert json.loads(capsys.readouterr().out) == spec_schema()


def test_the_documented_example_is_valid():
    assert spec_read(DOCS / "examples" / "spec-sae-superposition.json")
    assert spec_read(DOCS / "examples" / "spec-manual.yaml")


def test_criteria_and_verdict():
    document = tiny_spec()
    document["success_criteria"] = [
        {"metric": "mmcs", "comparison": ">=", "threshold": 0.9, "aggregate": "best"},
        {"metric": "nmse", "comparison": "<=", "threshold": 0.3, "aggregate": "all"},
        {"metric": "mean_l0", "comparison": "<", "threshold": 3, "aggregate": "mean"},
    ]
    runs = [
        {"metrics": {"mmcs": 0.95, "nmse": 0.2, "mean_l0": 2.0}},
        {"metrics": {"mmcs": 0.5, "nmse": 0.4, "mean_l0": 5.0}},
    ]
    results = criteria_evaluate(document, runs)
    assert [(r.value, r.holds) for r in results] == [(0.95, True), (0.4, False), (3.5, False)]
    assert verdict_of(results, complete=True) == "not supported"
    assert verdict_of(results[:1], complete=True) == "supported"
    assert verdict_of(results[:1], complete=False) == "inconclusive"
    unmeasured = criteria_evaluate(document, [{"metrics": {}}])
    assert unmeasured[0].holds is None and verdict_of(unmeasured, complete=True) == "inconclusive"


def test_best_criteria_must_hold_in_one_run_together():
    """ "Sparser and as accurate": the sparsest run and the most accurate one are not enough."""
    document = tiny_spec()
    document["success_criteria"] = [
        {"metric": "mean_l0", "comparison": "<=", "threshold": 5, "aggregate": "best"},
        {"metric": "nmse", "comparison": "<=", "threshold": 0.2, "aggregate": "best"},
    ]
    apart = [
        {"condition": {"k": 2}, "seed": 0, "metrics": {"mean_l0": 2.0, "nmse": 0.5}},
        {"condition": {"k": 32}, "seed": 0, "metrics": {"mean_l0": 32.0, "nmse": 0.1}},
    ]
    results = criteria_evaluate(document, apart)
    assert all(r.holds for r in results)
    assert best_criteria_together(document, apart) is False
    assert verdict_of(results, complete=True, together=False) == "inconclusive"
    both = [*apart, {"condition": {"k": 4}, "seed": 1, "metrics": {"mean_l0": 4.0, "nmse": 0.2}}]
    assert best_criteria_together(document, both) == both[2]
    assert verdict_of(criteria_evaluate(document, both), complete=True, together=both[2]) == (
        "supported"
    )
    document["success_criteria"][1]["aggregate"] = "mean"
    assert best_criteria_together(document, apart) is None  # one "best" criterion: nothing to join


def test_writeup_has_every_part():
    document = tiny_spec()
    document["success_criteria"] = [
        {"metric": "mmcs", "comparison": ">=", "threshold": 0.9, "aggregate": "best"},
        {"metric": "nmse", "comparison": "<=", "threshold": 0.3, "aggregate": "best"},
    ]
    report = {
        "template": "sae_superposition", "template_version": 1, "device": "cpu",
        "torch": "2.13.0+cpu", "complete": True, "defaults": {"steps": 3000},
        "plan": {"params": document["runner"]["params"],
                 "grid": {"sparsity_method": ["l1", "topk"]}, "seeds": [0, 1]},
        "metrics": [{"name": "mmcs", "direction": "maximize"},
                    {"name": "nmse", "direction": "minimize"}],
        "runs": [
            {"condition": {"sparsity_method": m}, "seed": s, "seconds": 1.0,
             "metrics": {"mmcs": 0.9 + 0.04 * s + (0.02 if m == "topk" else 0), "nmse": 0.2}}
            for m in ("l1", "topk") for s in (0, 1)
        ],
        "plots": ["plots/recovery.png"],
    }  # fmt: skip
    text, verdict, _ = writeup_markdown(
        document=document, report=report, status="succeeded", run_id=5, seconds=90
    )
    assert verdict == "supported"
    assert (
        "| sparsity_method | seeds | mmcs (mean ± sd over seeds) | nmse (mean ± sd over seeds) "
        "| seconds per run (mean) |" in text
    )
    assert "| topk | 2 | 0.94 ± 0.02828 | 0.2 ± 0 | 1 |" in text  # seconds: a mean, not a sum
    assert "![recovery](plots/recovery.png)" in text
    assert "Best mmcs (maximize): 0.96 with sparsity_method=topk, seed 1" in text
    assert "in one run: holds (sparsity_method=l1, seed 0)" in text
    assert "## Grounding papers" in text and "A grounding paper (2503.00001)" in text
    # The most faithful run and the most accurate one apart: no run is both.
    for run in report["runs"]:
        run["metrics"]["nmse"] = 0.5
    report["runs"][0]["metrics"] |= {"mmcs": 0.85, "nmse": 0.1}
    text, verdict, _ = writeup_markdown(
        document=document, report=report, status="succeeded", run_id=5, seconds=90
    )
    assert verdict == "inconclusive" and "no one run meets them all" in text


def llm_reply(document) -> str:
    return json.dumps(document)


def test_llm_spec_writer_accepts_a_valid_reply_but_keeps_the_idea_section(chat):
    from openai import OpenAI

    reply = tiny_spec()
    reply["idea"] = {"title": "forged", "concepts": [], "grounding_papers": [
        {"key": "9999.99999", "title": "A paper the idea never cited"}]}  # fmt: skip
    server = chat([llm_reply(reply)])
    writer = LLMSpecWriter(client=OpenAI(base_url=server.url, api_key="x"), model="m")
    draft = writer.write(idea_source_from(SAE_IDEA))
    assert draft.writer == "llm" and draft.messages == []
    assert draft.document["variables"] == reply["variables"]
    assert draft.document["idea"]["grounding_papers"][0]["key"] == "2503.00001"
    request = json.loads(server.requests[0]["messages"][1]["content"])
    assert {t["template"] for t in request["templates"]} == {
        "knowledge_editing",
        "sae_activations",
        "sae_superposition",
    }


def test_llm_spec_writer_retries_with_the_errors_then_falls_back(chat):
    from openai import OpenAI

    bad = copy.deepcopy(tiny_spec())
    bad["runner"]["params"]["steps"] = -5
    server = chat(["not json at all", llm_reply(bad)])
    writer = LLMSpecWriter(client=OpenAI(base_url=server.url, api_key="x"), model="m")
    draft = writer.write(idea_source_from(SAE_IDEA))
    assert draft.writer == "offline"
    assert "LLM spec rejected (runner.params.steps" in draft.messages[0]
    second = json.loads(server.requests[1]["messages"][1]["content"])
    assert second["previous_reply_errors"] == ["not JSON: Expecting value"]
    assert errors_of(draft.document) == []


def test_llm_spec_writer_falls_back_when_the_endpoint_is_down(chat):
    from openai import OpenAI

    server = chat([None, None, None])
    writer = LLMSpecWriter(
        client=OpenAI(base_url=server.url, api_key="x", max_retries=0), model="m"
    )
    draft = writer.write(idea_source_from(PLAIN_IDEA))
    assert draft.writer == "offline" and "HTTP 500" in draft.messages[0]


def test_llm_spec_writer_may_not_pick_a_template_the_ideas_concepts_do_not_call_for(chat):
    from openai import OpenAI

    server = chat([llm_reply(tiny_spec())] * 2)  # a runnable SAE spec for a graph idea
    writer = LLMSpecWriter(client=OpenAI(base_url=server.url, api_key="x"), model="m")
    draft = writer.write(idea_source_from(PLAIN_IDEA))
    assert draft.writer == "offline" and draft.document["runner"]["template"] == "manual"
    assert "does not test this idea's concepts" in draft.messages[0]
