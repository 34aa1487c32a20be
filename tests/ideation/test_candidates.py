"""Analogical candidates on histories the test controls."""

import numpy as np

from ideation.candidates import (
    CandidateQuery,
    alike_failures_fought,
    analogies,
    broad_tasks,
    closest_use,
    diffuse,
    direct_pairs,
    fight_likeness_floor,
    is_failure,
    problem_groups,
    protection_fits,
    roles,
    same_community,
    share_a_word,
)
from ideation.history import day_number
from tests.ideation.factories import history_from

# Two problems whose papers read alike (jailbreak detection in cs.CR, reward hacking in cs.LG),
# a method used on the first only, and concepts that must never be offered.
VECTORS = {
    "activation_probing": [1, 0, 0, 0.2],
    "jailbreaking": [0, 1, 0, 0],
    "reward_hacking": [0, 0.8, 0.6, 0],
    "protein_folding": [0, 0, 1, 0],
    "reward_model": [0.2, 0.9, 0.1, 0],
    "accurate_model": [0.5, 0.5, 0.5, 0.5],
    # other areas, so that what every concept shares is not the security-and-RL area itself
    "graph_coloring": [0, -0.6, 0, 1],
    "speech_coding": [0, -0.8, -0.2, -0.4],
}
PROBING_USED = "We train activation probing for jailbreaking detection on open models."
KINDS = {
    "activation_probing": "method",
    "jailbreaking": "phenomenon",
    "reward_hacking": "phenomenon",
    "protein_folding": "task",
    "reward_model": "method",
    "accurate_model": "method",
    "graph_coloring": "task",
    "speech_coding": "task",
}


def history(extra=(), vectors=None, kinds=None):
    papers = list(extra)
    for i in range(6):
        day = f"2025-0{1 + i % 6}-10"
        papers.append((day, "cs.CR", ["activation_probing", "jailbreaking"], PROBING_USED))
        papers.append((day, "cs.LG", ["reward_hacking", "reward_model"]))
        papers.append((day, "cs.CR", ["jailbreaking"]))
        papers.append((day, "cs.LG", ["reward_hacking"]))
        papers.append((day, "q-bio", ["protein_folding"]))
        papers.append((day, "cs.LG", ["accurate_model", "reward_hacking"]))
        papers.append((day, "cs.DM", ["graph_coloring"]))
        papers.append((day, "eess.AS", ["speech_coding"]))
    return history_from(papers, vectors=VECTORS | (vectors or {}), kinds=KINDS | (kinds or {}))


def test_a_co_mention_without_a_stated_use_starts_no_analogy():
    """The same papers, saying only that probing and jailbreaking are both studied."""
    mentioned = [
        (day, field, concepts, "Activation probing and jailbreaking are both studied.")
        if concepts == ["activation_probing", "jailbreaking"]
        else (day, field, concepts)
        for day, field, concepts, *_ in _papers()
    ]
    h = history_from(mentioned, vectors=VECTORS, kinds=KINDS)
    assert not len(h.uses)
    assert not len(analogies(h.snapshot(), CandidateQuery(), limit=10).a)


def test_stated_uses_count_only_papers_of_the_snapshot():
    h = history()
    probing, jailbreaking = (h.concept_index[k] for k in ("activation_probing", "jailbreaking"))
    assert h.snapshot().uses[probing, jailbreaking] == 6
    early = h.snapshot(day_number("2025-02-28"))
    assert early.uses[probing, jailbreaking] == 2
    assert early.uses[jailbreaking, probing] == 0  # a use has a direction
    recent = h.use_papers(probing, jailbreaking, until=day_number("2025-02-28"))
    assert [h.paper_day[p] for p in recent] == sorted(
        (h.paper_day[p] for p in recent), reverse=True
    )
    assert h.paper_day[recent[0]] == day_number("2025-02-10")


def triples(found, history):
    names = history.concept_keys
    return {
        (names[a], names[b], names[v] if v >= 0 else None)
        for a, b, v in zip(found.a, found.b, found.via, strict=True)
    }


def test_a_method_reaches_a_problem_like_the_one_it_is_used_on():
    h = history()
    found = analogies(h.snapshot(), CandidateQuery(), limit=10)
    got = triples(found, h)
    assert ("activation_probing", "reward_hacking", "jailbreaking") in got
    # never a pair already mentioned together, never a target unlike the precedent
    assert not any(t == "protein_folding" for _, t, _ in got)
    assert not any((m, t) == ("reward_model", "reward_hacking") for m, t, _ in got)
    pick = [i for i, t in enumerate(triples_list(found, h)) if t[1] == "reward_hacking"][0]
    assert found.cross_field[pick]  # cs.CR method, cs.LG target
    assert found.support[pick] == 6  # papers using the method on the precedent


def test_a_problem_in_the_precedents_own_community_is_no_analogy():
    """ "Knowledge distillation for quality estimation, carried over from machine translation":
    half of quality estimation's papers name machine translation; carrying a method from one
    to the other is no transfer between communities."""
    together = [("2025-03-12", "cs.CR", ["jailbreaking", "reward_hacking"])] * 6
    h = history(together)
    snapshot = h.snapshot()
    index = h.concept_index
    assert same_community(
        snapshot, np.array([index["jailbreaking"]]), np.array([index["reward_hacking"]])
    ).all()
    got = triples(analogies(snapshot, CandidateQuery(), limit=10), h)
    assert ("activation_probing", "reward_hacking", "jailbreaking") not in got
    apart = history()  # as the other tests have them
    jailbreaking, hacking = (
        apart.concept_index["jailbreaking"],
        apart.concept_index["reward_hacking"],
    )
    assert not same_community(apart.snapshot(), np.array([jailbreaking]), np.array([hacking])).all()


def triples_list(found, history):
    names = history.concept_keys
    return [(names[a], names[b]) for a, b in zip(found.a, found.b, strict=True)]


def test_generic_concepts_and_model_families_never_take_part():
    h = history()
    got = triples(analogies(h.snapshot(), CandidateQuery(), limit=10), h)
    got |= triples(direct_pairs(h.snapshot(), CandidateQuery(), limit=10), h)
    assert not any("accurate_model" in (m, t) for m, t, _ in got)
    assert not any(m == "reward_model" for m, _, _ in got)  # "...model": a family, not a method


def test_seeded_from_the_target_side():
    h = history()
    found = analogies(h.snapshot(), CandidateQuery(seeds=("reward_hacking",)), limit=5)
    assert ("activation_probing", "reward_hacking", "jailbreaking") in triples(found, h)


def test_direct_pairs_carry_no_precedent():
    h = history()
    found = direct_pairs(h.snapshot(), CandidateQuery(), limit=5)
    assert len(found.a) and np.all(found.via == -1)


def test_names_sharing_a_content_word_are_one_thing_twice():
    assert share_a_word("video LLM", "open-source LLM")
    assert share_a_word("explicit reasoning", "visual reasoning")
    assert not share_a_word("sparse autoencoders", "reward hacking")
    assert not share_a_word("model of the world", "a theory of mind")  # function words only
    assert share_a_word("math problems", "mathematical reasoning")  # forms of one word
    assert share_a_word("medical diagnosis", "diagnostic reasoning")
    assert not share_a_word("style transfer", "transformer architectures")


def test_a_method_word_sharing_its_precedent_is_no_transfer():
    vectors = {**VECTORS, "jailbreak_attacks": [1, 0, 0.1, 0.2]}
    kinds = {**KINDS, "jailbreak_attacks": "method"}
    papers = [(f"2025-0{1 + i % 6}-10", "cs.CR", ["jailbreak_attacks", "jailbreaking"],
               "We apply jailbreak attacks for jailbreaking.") for i in range(6)]  # fmt: skip
    h = history_from([*papers, *_papers()], vectors=vectors, kinds=kinds)
    got = triples(analogies(h.snapshot(), CandidateQuery(), limit=10), h)
    assert ("activation_probing", "reward_hacking", "jailbreaking") in got
    assert not any(m == "jailbreak_attacks" for m, _, _ in got)


def _papers():
    for i in range(6):
        day = f"2025-0{1 + i % 6}-10"
        yield day, "cs.CR", ["activation_probing", "jailbreaking"], PROBING_USED
        yield day, "cs.LG", ["reward_hacking", "reward_model"]
        yield day, "cs.CR", ["jailbreaking"]
        yield day, "cs.LG", ["reward_hacking"]
        yield day, "q-bio", ["protein_folding"]
        yield day, "cs.DM", ["graph_coloring"]
        yield day, "eess.AS", ["speech_coding"]


def test_a_task_named_for_a_way_of_working_is_no_problem():
    from ideation.candidates import problems_mask

    names = ["meta-learning", "knowledge graphs", "retrieval-augmented generation",
             "jailbreak detection", "shortcut learning"]  # fmt: skip
    kinds = ["task", "task", "task", "task", "phenomenon"]
    assert problems_mask(names, kinds).tolist() == [False, False, False, True, True]


def test_attacks_and_model_families_are_never_the_intervention():
    from ideation.candidates import interventions

    names = ["backdoor attacks", "data poisoning", "activation steering", "frontier models"]
    assert interventions(names).tolist() == [False, False, True, False]
    assert interventions(["harmful fine-tuning", "adversarial training"]).tolist() == [False, True]
    assert interventions(["adversarial prompting", "adversarial suffixes"]).tolist() == [
        False,
        False,
    ]
    # attacks named without an attack word, and parts of a system
    named = ["membership inference", "model-inversion", "dense retriever", "safety policies"]
    assert interventions(named).tolist() == [False, False, False, False]
    assert interventions(["knowledge distillation", "policy optimization"]).tolist() == [True, True]
    vague = [
        "backbone architectures",
        "translators",
        "external heuristics",
        "reconstruction kernels",
    ]
    assert not interventions(vague).any()


def test_a_method_used_on_every_problem_is_general_purpose():
    from ideation.candidates import general_purpose

    kinds, papers = {"lora": "method"}, []
    for i in range(40):
        kinds[f"method_{i}"], kinds[f"task_{i}"] = "method", "task"
        papers.append(("2025-01-10", "cs.LG", [f"method_{i}", f"task_{i}"]))
        papers.append(("2025-01-11", "cs.CL", ["lora", f"task_{i}"]))
    h = history_from(papers, kinds=kinds)
    s = h.snapshot()
    kind = np.asarray(h.concept_kinds)
    routine = general_purpose(s, kind == "method", kind == "task")
    assert [h.concept_keys[i] for i in np.flatnonzero(routine)] == ["lora"]


def test_a_seeded_attack_is_what_the_idea_defends_against():
    """Seeded with an attack (a method by kind), the batch tries methods against it; it never
    offers the attack as the fix ("Can jailbreak attacks address reward hacking?")."""
    attack = "prompt_injection_attacks"
    extra = [(f"2025-0{1 + i}-11", "cs.CR", [attack, "jailbreaking"]) for i in range(4)]
    h = history(extra, vectors={attack: [0.1, 1, 0, 0.1]}, kinds={attack: "method"})
    query = CandidateQuery(seeds=(attack, "reward_hacking"))
    got = triples(direct_pairs(h.snapshot(), query, limit=10), h)
    got |= triples(analogies(h.snapshot(), query, limit=10), h)
    assert got, "the seeds make ideas"
    assert all(m != attack for m, _, _ in got)
    assert any(t == attack for _, t, _ in got)


def test_direct_pairs_start_from_methods_used_against_problems_of_the_targets_sort():
    """Closeness in meaning alone pairs reward hacking with what brings it about; a method
    stated to fight a phenomenon comes first, however close the other is, and a method named in
    no paper that fights a failure is not offered against one at all."""
    extra = [
        (f"2025-0{1 + i}-12", "cs.LG", ["rl_finetuning", "reward_model"]) for i in range(4)
    ] + [
        (f"2025-0{1 + i}-13", "cs.CR", ["input_filtering", "jailbreaking"],
         "Input filtering mitigates jailbreaking.")
        for i in range(4)
    ]  # fmt: skip
    vectors = {"rl_finetuning": [0, 0.8, 0.6, 0.05], "input_filtering": [0.4, 0.6, 0.4, 0]}
    kinds = {"rl_finetuning": "method", "input_filtering": "method"}
    h = history(extra, vectors=vectors, kinds=kinds)
    pairs = triples_list(
        direct_pairs(h.snapshot(), CandidateQuery(seeds=("reward_hacking",)), limit=5), h
    )
    assert ("input_filtering", "reward_hacking") in pairs
    assert ("rl_finetuning", "reward_hacking") not in pairs


# A method with a record against failures: three papers fighting sycophancy, which reads like
# reward hacking.
SYCOPHANCY_FIGHTS = [
    (f"2025-0{1 + i}-14", "cs.LG", ["preference_ensembles", "sycophancy"],
     "Preference ensembles reduce sycophancy in chat models.")
    for i in range(3)
]  # fmt: skip
SYCOPHANCY_VECTORS = {"preference_ensembles": [0.3, 0.7, 0.5, 0], "sycophancy": [0.6, 0.6, 0, 0]}
SYCOPHANCY_KINDS = {"preference_ensembles": "method", "sycophancy": "phenomenon"}


def methods_against_reward_hacking(extra, vectors, kinds):
    h = history(
        SYCOPHANCY_FIGHTS + extra,
        vectors=SYCOPHANCY_VECTORS | vectors,
        kinds=SYCOPHANCY_KINDS | kinds,
    )
    snapshot = h.snapshot()
    pairs = triples_list(
        direct_pairs(snapshot, CandidateQuery(seeds=("reward_hacking",)), limit=5), h
    )
    assert ("preference_ensembles", "reward_hacking") in pairs
    return h, snapshot, {m for m, _ in pairs}


def test_only_a_method_with_a_record_against_failures_is_tried_on_one():
    """ "Can CLIP address reward hacking?": a method close in meaning but named in fewer than
    FIGHT_RECORD_MIN papers that set out to fight some phenomenon is not offered against a
    phenomenon; the same method may still be offered for a task."""
    extra = [
        (f"2025-0{1 + i}-12", "cs.LG", ["image_encoder_pretraining", "graph_coloring"])
        for i in range(4)
    ]
    h, snapshot, methods = methods_against_reward_hacking(
        extra, {"image_encoder_pretraining": [0, 0.8, 0.6, 0.1]},
        {"image_encoder_pretraining": "method"},
    )  # fmt: skip
    assert snapshot.fight_record[h.concept_index["preference_ensembles"]] == 3
    assert snapshot.fight_record[h.concept_index["image_encoder_pretraining"]] == 0
    assert "image_encoder_pretraining" not in methods
    on_task = triples_list(
        direct_pairs(snapshot, CandidateQuery(seeds=("protein_folding",)), limit=5), h
    )
    assert any(m == "image_encoder_pretraining" for m, _ in on_task)


def test_a_protective_method_is_tried_against_a_threat_not_on_a_task():
    fits = protection_fits(
        ["training-free defense", "safety fine-tuning", "inference-time defense", "LoRA"],
        ["visual grounding", "scheming", "AdvBench", "visual grounding"],
        ["task", "phenomenon", "dataset", "task"],
    )
    assert fits.tolist() == [False, True, True, True]


def test_the_closest_use_of_a_method_is_its_loose_reason():
    h = history()
    snapshot = h.snapshot()
    probing, jailbreaking, reward_hacking, folding = (
        h.concept_index[k]
        for k in ("activation_probing", "jailbreaking", "reward_hacking", "protein_folding")
    )
    groups = problem_groups(h)
    found = closest_use(snapshot, probing, reward_hacking, groups)
    assert found is not None and found[0] == jailbreaking and found[1] > 0
    assert closest_use(snapshot, probing, folding, groups) is None  # a task: no use of its sort
    snapshot.derived["near_floor"] = found[1] + 0.01  # a graph whose alike problems sit closer
    assert closest_use(snapshot, probing, reward_hacking, groups) is None


def test_a_record_against_failures_counts_only_against_a_failure_like_the_target():
    """ "Can CLIP address polysemanticity?": a method whose record is against an unlike failure
    (its papers fight hallucinations, far from reward hacking) is not offered against the
    target, however close in meaning; one whose record includes a like failure is."""
    extra = [
        (f"2025-0{1 + i}-13", "cs.CV", ["clip_scoring", "hallucinations"],
         "CLIP scoring mitigates hallucinations in captioning models.")
        for i in range(3)
    ]  # fmt: skip
    h, snapshot, methods = methods_against_reward_hacking(
        extra,
        {"clip_scoring": [0, 0.8, 0.6, 0.1], "hallucinations": [0, -0.7, 0, 0.7]},
        {"clip_scoring": "method", "hallucinations": "phenomenon"},
    )
    assert snapshot.fight_record[h.concept_index["clip_scoring"]] == 3
    assert "clip_scoring" not in methods


def test_a_pair_met_under_a_kin_name_is_no_idea():
    """ "activation probing method" is "activation probing" with a word that names nothing: once
    papers name activation probing with reward hacking, the variant's pair is old news too."""
    used = "We train activation probing method for jailbreaking detection on open models."
    variant = [("2025-01-10", "cs.CR", ["activation_probing_method", "jailbreaking"], used)] * 3
    vectors = {"activation_probing_method": VECTORS["activation_probing"]}
    kinds = {"activation_probing_method": "method"}
    h = history(variant, vectors, kinds)
    assert ("activation_probing_method", "reward_hacking") in triples_list(
        analogies(h.snapshot(), CandidateQuery(), limit=10), h
    )
    met = [("2025-01-10", "cs.LG", ["activation_probing", "reward_hacking"])]
    h = history(variant + met, vectors, kinds)
    variant_index = h.concept_index["activation_probing_method"]
    assert h.concept_keys[h.kin[variant_index]] == "activation_probing"
    snapshot = h.snapshot()
    pair = (np.array([variant_index]), np.array([h.concept_index["reward_hacking"]]))
    assert snapshot.co_mentions(*pair)[0] == 0 and snapshot.met_before(*pair)[0]
    assert ("activation_probing_method", "reward_hacking") not in triples_list(
        analogies(snapshot, CandidateQuery(), limit=10), h
    )


def test_a_family_of_models_is_no_intervention_and_no_attack():
    from ideation.candidates import interventions, is_attack

    names = ["large language model", "jailbreak attacks", "membership inference", "LoRA"]
    assert interventions(names).tolist() == [False, False, False, True]
    assert [is_attack(n) for n in names] == [False, True, True, False]


def test_a_named_pretrained_model_or_a_lone_tool_is_no_intervention():
    from ideation.candidates import interventions

    models = [
        "IndicBERT", "fine-tuned BERT", "CLIP", "GPT-4o", "Llama-3.1-8B", "ResNet-50", "DenseNet",
        "MobileNetV2", "YOLOv8",
    ]  # fmt: skip
    models += ["optimizer", "parser", "samplers"]  # a kind of tool, not something to try
    models += ["literature search", "systematic reviews", "ablation study"]  # ways of research
    methods = ["CLIP-guided decoding", "gradient clipping", "sparse autoencoders", "DPO"]
    methods += ["Adam optimizer", "unlearning"]
    assert not interventions(models).any()
    assert interventions(methods).all()


def test_a_direct_pair_that_renames_a_stated_use_is_no_idea():
    """Knowledge editing is used on multi-hop question answering: "knowledge editing for
    multi-hop reasoning" is that use in other words."""
    from ideation.candidates import uses_renamed

    extra = [("2025-02-10", "cs.CR", ["jailbreaking_prompts"])] * 4
    h = history(extra, {"jailbreaking_prompts": [0, 1, 0.1, 0]}, {"jailbreaking_prompts": "task"})
    probing = h.concept_index["activation_probing"]
    targets = np.array([h.concept_index[k] for k in ("jailbreaking_prompts", "reward_hacking")])
    assert uses_renamed(h.snapshot(), np.array([probing, probing]), targets).tolist() == [
        True,
        False,
    ]


def test_a_record_counts_only_in_papers_that_read_like_the_target():
    """ "Can CLIP address sycophancy?": CLIP's papers fight hallucinations in vision-language
    models. A record against a like failure counts only where the papers in which the method
    fights it read like the target's own papers."""
    extra = [
        (f"2025-0{1 + i}-15", "eess.AS", ["speech_filtering", "sycophancy", "speech_coding"],
         "Speech filtering reduces sycophancy in spoken dialogue systems.")
        for i in range(3)
    ]  # fmt: skip
    extra += [(f"2025-0{1 + i}-16", "cs.LG", ["sycophancy", "reward_model"]) for i in range(6)]
    h, snapshot, methods = methods_against_reward_hacking(
        extra, {"speech_filtering": [0, 0.8, 0.6, 0.1]}, {"speech_filtering": "method"}
    )
    filtering = h.concept_index["speech_filtering"]
    assert snapshot.fight_record[filtering] == 3
    assert alike_failures_fought(
        snapshot, filtering, h.concept_index["reward_hacking"], fight_likeness_floor(snapshot)
    )
    assert "speech_filtering" not in methods


def test_a_phenomenon_studied_or_wanted_is_no_failure():
    """ "Can unlearning address superposition?" calls superposition a harm: it is studied, and
    monosemanticity is wanted; neither gets the rules for failures."""
    h = history_from(
        [("2025-01-10", "cs.LG", ["superposition", "monosemanticity", "jailbreaking"])] * 3,
        vectors={k: [1, 0, 0, 0] for k in ("superposition", "monosemanticity", "jailbreaking")},
        kinds=dict.fromkeys(("superposition", "monosemanticity", "jailbreaking"), "phenomenon"),
    )
    rows = np.array(
        [h.concept_index[k] for k in ("superposition", "monosemanticity", "jailbreaking")]
    )
    assert is_failure(h, rows).tolist() == [False, False, True]


def test_a_concept_whose_papers_are_no_more_alike_than_its_fields_is_diffuse():
    # Eight unrelated topics in one field. A focused task's papers all read like topic 0; a
    # diffuse task's and a diffuse phenomenon's papers each read like a different topic, as
    # alike as the field's papers at random. Only the task is judged: a failure stays specific.
    topics = {f"topic{i}": np.eye(8)[i].tolist() for i in range(8)}
    papers = [("2025-01-10", "cs.LG", [f"topic{i}", f"topic{(i + 3) % 8}"]) for i in range(8)]
    for i in range(6):
        papers.append(("2025-02-10", "cs.LG", ["glacier_mapping", "topic0"]))
        papers.append(("2025-02-10", "cs.LG", ["tide_forecasting", f"topic{1 + i}"]))
        papers.append(("2025-02-10", "cs.LG", ["reward_tampering", f"topic{1 + i}"]))
    kinds = {
        "glacier_mapping": "task",
        "tide_forecasting": "task",
        "reward_tampering": "phenomenon",
    }
    h = history_from(papers, vectors=topics, kinds=kinds)
    snapshot = h.snapshot()
    flagged = {h.concept_keys[i] for i in np.flatnonzero(diffuse(snapshot))}
    assert flagged == {"tide_forecasting"}
    excess = snapshot.coherence_excess
    assert excess[h.concept_index["glacier_mapping"]] > 0.5
    assert excess[h.concept_index["reward_tampering"]] < 0  # diffuse too, but exempt
    _, is_target = roles(snapshot, CandidateQuery())
    assert is_target[h.concept_index["glacier_mapping"]]
    assert not is_target[h.concept_index["tide_forecasting"]]


def focused_and_spread(kind: str, focused: str, spread: str) -> tuple[list, dict, dict]:
    """Papers, vectors and kinds of 30 concepts (`focused`0..29) whose papers each read as one
    thing, and 8 (`spread`0..7) whose papers share a theme but each add a topic of their own
    (coherent enough not to be diffuse); 48 dimensions, the last two free."""
    dim = 48
    vectors = {f"topic{i}": np.eye(dim)[i].tolist() for i in range(38)}
    vectors |= {f"{spread}{j}": np.eye(dim)[38 + j].tolist() for j in range(8)}
    kinds = {f"{focused}{i}": kind for i in range(30)} | {f"{spread}{j}": kind for j in range(8)}
    papers = []
    for i in range(30):
        papers += [("2025-02-10", "cs.LG", [f"{focused}{i}", f"topic{i}"])] * 4
    for j in range(8):
        papers += [
            ("2025-02-10", "cs.LG", [f"{spread}{j}", f"topic{(j + k) % 30}"]) for k in range(4)
        ]
    return papers, vectors, kinds


def test_a_task_whose_papers_read_less_alike_than_most_problems_is_broad():
    # 30 tasks that read as one thing each, 8 areas spread wider, and a phenomenon alike.
    papers, vectors, kinds = focused_and_spread("task", "task", "area")
    vectors["shortcut_learning"] = np.eye(48)[46].tolist()
    kinds["shortcut_learning"] = "phenomenon"
    papers += [("2025-02-10", "cs.LG", ["shortcut_learning", f"topic{k}"]) for k in range(4)]
    h = history_from(papers, vectors=vectors, kinds=kinds)
    snapshot = h.snapshot()
    _, is_target = roles(snapshot, CandidateQuery())
    assert is_target[[h.concept_index[f"area{j}"] for j in range(8)]].all()  # not diffuse
    broad = {h.concept_keys[i] for i in np.flatnonzero(broad_tasks(snapshot, is_target))}
    assert broad == {f"area{j}" for j in range(8)}


def test_a_field_of_one_paper_without_a_vector_leaves_every_excess_finite():
    topics = {f"topic{i}": np.eye(4)[i].tolist() for i in range(4)}
    papers = [("2025-01-10", "cs.LG", ["shared_task", f"topic{i}"]) for i in range(4)]
    papers.append(("2025-01-10", "q-bio", ["shared_task", "no_vector"]))  # a zero vector
    h = history_from(papers, vectors=topics, kinds={"shared_task": "task"})
    excess = h.snapshot().coherence_excess[h.concept_index["shared_task"]]
    assert np.isfinite(excess) and abs(excess) < 1


def test_a_method_mending_its_own_problem_has_no_record_from_it():
    """Every paper on feature splitting names sparse autoencoders, and they are a small part of
    SAE papers: SAEs fighting it is SAEs mending themselves, no record against a failure like
    catastrophic forgetting."""
    from ideation.candidates import own_problems

    papers = [("2025-01-10", "cs.LG", ["sae", "feature_splitting"],
               "We reduce feature splitting with a sae.")] * 3  # fmt: skip
    papers += [("2025-02-10", "cs.LG", ["sae", "toxicity"], "We reduce toxicity with a sae.")] * 3
    papers += [("2025-02-20", "cs.LG", ["sae"])] * 2
    papers += [("2025-03-10", "cs.CL", ["toxicity", "catastrophic_forgetting"])] * 4
    names = ("sae", "feature_splitting", "toxicity", "catastrophic_forgetting")
    kinds = {"sae": "method"} | dict.fromkeys(names[1:], "phenomenon")
    h = history_from(papers, vectors={k: [1, 0, 0, 0] for k in names}, kinds=kinds)
    snapshot = h.snapshot()
    sae, splitting, toxicity, forgetting = (h.concept_index[k] for k in names)
    problems = np.array([splitting, toxicity])
    assert own_problems(snapshot, np.full(2, sae), problems).tolist() == [True, False]
    assert snapshot.fought[sae, splitting] == 3  # fought, yet no record against failures
    assert [p for p, _ in alike_failures_fought(snapshot, sae, forgetting, -1.0)] == [toxicity]


def test_a_method_whose_papers_read_less_alike_than_most_methods_is_a_routine_tool():
    """ "Stochastic gradient descent for generative modeling" topped a 54k batch: each field's
    papers use SGD for its own ends. 30 methods whose papers each read as one thing, and 8
    tools whose papers share a theme but each add a topic of their own."""
    from ideation.candidates import routine_methods, tools

    papers, vectors, kinds = focused_and_spread("method", "method", "tool")
    h = history_from(papers, vectors=vectors, kinds=kinds)
    snapshot = h.snapshot()
    is_method, _ = roles(snapshot, CandidateQuery())
    assert is_method[[h.concept_index[f"tool{j}"] for j in range(8)]].all()  # not diffuse
    found = {h.concept_keys[i] for i in np.flatnonzero(tools(snapshot, is_method))}
    assert found == {f"tool{j}" for j in range(8)}
    routine = routine_methods(snapshot, CandidateQuery())
    assert routine[[h.concept_index[f"tool{j}"] for j in range(8)]].all()
