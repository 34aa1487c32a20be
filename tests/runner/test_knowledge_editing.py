"""knowledge_editing: the synthetic world, the rank-one update on a hand-made layer, and tiny runs
where an untrained model knows nothing, a trained one knows its facts, and edits rewrite them."""

import json

import pytest
import torch

from runner.execute import experiment_execute
from runner.registry import Plan, params_validate, template_get
from runner.templates.knowledge_editing import (
    Edit,
    _neighbours,
    facts_build,
    harmonic_mean,
    run_one,
)

TEMPLATE = template_get("knowledge_editing")
TINY = {"n_subjects": 40, "depth": 2, "d_model": 32, "train_steps": 400, "n_edits": 6}


def full(**overrides):
    params = {**TEMPLATE.defaults, **TINY, **overrides}
    assert params_validate(TEMPLATE, params) == []
    return params


def quiet(line: str) -> None:
    pass


def test_every_fact_is_asked_in_every_phrasing_with_shared_name_tokens():
    params = full()
    facts = facts_build(params, "cpu")
    n_t, n_r = params["templates_per_relation"], params["n_relations"]
    assert len(facts.tokens) == params["n_subjects"] * n_r * n_t
    # the subject's last token sits where the facts say, in phrasings of different prefixes
    last_name = facts.tokens[torch.arange(len(facts.tokens)), facts.subject_pos]
    assert (last_name == facts.names[facts.subject, 1]).all()
    assert len(set(facts.subject_pos.tolist())) > 1
    # names are shared between subjects, so an edit can spill over, but no two subjects are one
    assert len({tuple(n) for n in facts.names.tolist()}) == params["n_subjects"]
    assert len(set(facts.names[:, 0].tolist())) < params["n_subjects"]
    assert (facts.answer == facts.objects[facts.subject, facts.relation]).all()


def test_neighbours_share_a_name_with_the_edited_subject_first_and_are_never_edited():
    facts = facts_build(full(), "cpu")
    names = facts.names.tolist()
    edit = Edit(subject=0, relation=1, template=0, old=int(facts.objects[0, 1]), new=0)
    other = Edit(subject=1, relation=1, template=0, old=int(facts.objects[1, 1]), new=0)
    found = _neighbours(facts, [edit, other], edit)
    assert 0 not in found and 1 not in found
    assert set(names[found[0]]) & set(names[0])


def test_harmonic_mean_punishes_one_failing_measure():
    assert harmonic_mean([1.0, 1.0, 1.0]) == pytest.approx(1.0)
    assert harmonic_mean([1.0, 1.0, 0.1]) < 0.3
    assert harmonic_mean([1.0, 0.0, 1.0]) == 0.0


def test_parameters_that_cannot_run_are_refused_by_name():
    errors = params_validate(TEMPLATE, {**TEMPLATE.defaults, "depth": 2, "edit_layer": 1})
    assert [e.param for e in errors] == ["edit_layer"]
    errors = params_validate(TEMPLATE, {**TEMPLATE.defaults, "n_edits": 5, "edit_batch": 6})
    assert [e.param for e in errors] == ["edit_batch"]


@pytest.mark.slow  # trains transformers
def test_a_trained_model_knows_its_facts_and_rome_rewrites_them():
    untrained = run_one(params=full(train_steps=0), seed=0, device="cpu", log=quiet)
    trained = run_one(params=full(), seed=0, device="cpu", log=quiet)
    assert untrained["metrics"]["fact_accuracy"] < 0.2  # chance is 1 in 32 objects
    assert trained["metrics"]["fact_accuracy"] > 0.75
    assert trained["metrics"]["efficacy"] >= 0.8
    assert trained["metrics"]["retention"] > 0.85
    assert len(trained["trace"]) == 2 and trained["edit_layer"] == 0


@pytest.mark.slow
def test_unbounded_fine_tuning_spills_onto_neighbours_more_than_rome(tmp_path):
    report = experiment_execute(
        plan=Plan(
            "knowledge_editing",
            {**TINY, "ft_linf": 1.0},
            {"edit_method": ["rome", "ft"]},
            [0],
        ),
        out_dir=tmp_path,
        log=quiet,
    )
    by_method = {run["condition"]["edit_method"]: run["metrics"] for run in report["runs"]}
    assert by_method["ft"]["efficacy"] >= 0.8
    assert by_method["rome"]["specificity"] > by_method["ft"]["specificity"]
    assert by_method["rome"]["retention"] > by_method["ft"]["retention"]
    assert report["complete"]
    for plot in report["plots"]:
        assert (tmp_path / plot).stat().st_size > 1000
    assert json.loads((tmp_path / "metrics.json").read_text())["template"] == "knowledge_editing"


def test_locating_by_trial_edits_edits_the_layer_where_held_out_edits_work_best():
    run = run_one(params=full(depth=3, locate="edit"), seed=0, device="cpu", log=quiet)
    scores = run["trial_edit_scores"]
    assert len(scores) == 2 and all(0 <= s <= 1 for s in scores)  # the layers below the last
    assert run["edit_layer"] == max(range(2), key=scores.__getitem__)
    assert max(scores) >= 0.5  # trial edits work somewhere in a model that knows its facts
    fixed = run_one(params=full(depth=3, locate="edit", edit_layer=1), seed=0, device="cpu",
                    log=quiet)  # fmt: skip
    assert fixed["edit_layer"] == 1 and fixed["trial_edit_scores"] == []
