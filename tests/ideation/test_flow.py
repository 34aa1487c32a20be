"""Ideation end to end on a real graph: 910 papers of the shared arXiv file spread over its 13
months (so the forecast has a history) plus one hostile paper, ingested by the real pipeline."""

import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from graph.factory import get_store
from ideation import services
from ideation.candidates import interventions
from ideation.history import history_forget
from ideation.models import Idea, IdeaBatch
from tests.conftest import HOSTILE_ID, arxiv_month_sample, hostile_paper, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    from index.models import VectorKey
    from ingest import services as ingest_services
    from ingest.models import IngestJob

    shutil.rmtree(settings.VECTOR_DIR, ignore_errors=True)
    shutil.rmtree(settings.IDEATION_DIR, ignore_errors=True)
    get_store().clear()
    history_forget()
    lines = [*arxiv_month_sample(70), hostile_paper()]
    path = write_jsonl(tmp_path_factory.mktemp("ideation") / "papers.jsonl", lines)
    with django_db_blocker.unblock():
        job = ingest_services.ingest_job_run(
            job_id=ingest_services.ingest_file_job_create(path=path).pk
        )
        assert job.status == "succeeded" and job.invalid == 0, job.error_message
        model = services.forecast_model_train()
    yield model
    with django_db_blocker.unblock():
        Idea.objects.all().delete()
        IdeaBatch.objects.all().delete()
        VectorKey.objects.all().delete()
        IngestJob.objects.all().delete()
    get_store().clear()
    shutil.rmtree(settings.VECTOR_DIR, ignore_errors=True)
    shutil.rmtree(settings.IDEATION_DIR, ignore_errors=True)
    history_forget()


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_forecast_model_is_stored_with_its_validation(corpus):
    assert 0.5 < corpus.validation_auc <= 1
    assert set(corpus.baseline_auc) == {
        "preferential_attachment",
        "common_neighbours",
        "adamic_adar",
    }
    assert str(corpus.validation_cutoff) == "2025-12-31" and corpus.horizon_months == 3
    assert len(corpus.calibration["bins"]) == 10 and corpus.calibration["base_rate"] > 0


def test_the_history_reads_concepts_by_their_aliases_and_keeps_them_in_its_file(corpus, tmp_path):
    from ideation.history import history_load, history_save

    history = services.history_now()
    with_aliases = [i for i, aliases in enumerate(history.concept_aliases) if aliases]
    assert with_aliases
    for i in with_aliases[:5]:
        detail = get_store().concept_detail(key=history.concept_keys[i])
        assert set(history.concept_aliases[i]) == set(detail.aliases)
    history_save(history, tmp_path / "history.npz")
    assert history_load(tmp_path / "history.npz").concept_aliases == history.concept_aliases


def test_score_pairs_scores_known_pairs_and_reports_bad_ones(corpus, tmp_path):
    history = services.history_now()
    snapshot = services.snapshot_now(history)
    known = [history.concept_names[i] for i in snapshot.eligible()[:2]]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        "\n".join(
            [
                json.dumps({"a": known[0], "b": known[1]}),
                json.dumps({"a": known[0], "b": "no such concept xyzzy"}),
                json.dumps({"a": known[0], "b": known[0]}),
                json.dumps({"a": 3, "b": None}),
                "{not json",
            ]
        )
        + "\n"
    )
    out = tmp_path / "scores.jsonl"
    call_command("score_pairs", file=pairs, out=out)
    rows = read_lines(out)
    assert len(rows) == 5
    assert 0 <= rows[0]["score"] <= 1 and rows[0]["a"] == known[0]
    assert rows[1]["score"] is None and "no such concept xyzzy" in rows[1]["error"]
    assert rows[2]["score"] is None and "same concept" in rows[2]["error"]
    assert rows[3]["score"] is None and "strings" in rows[3]["error"]
    assert rows[4]["score"] is None and "line 5" in rows[4]["error"]


def test_novelty_finds_a_published_idea_and_passes_an_unrelated_one(corpus, tmp_path):
    paper_id, (title, abstract) = next(
        iter(get_store().papers_text(keys=[services.history_now().paper_keys[5]]).items())
    )
    ideas = tmp_path / "ideas.jsonl"
    ideas.write_text(
        json.dumps({"id": "copy", "text": f"{title}. {abstract}"})
        + "\n"
        + json.dumps({"id": "far", "text": "Breeding drought-tolerant sorghum in Sahel villages."})
        + "\n"
        + json.dumps({"id": "empty", "text": ""})
        + "\n"
    )
    out = tmp_path / "verdicts.jsonl"
    call_command("novelty", file=ideas, out=out)
    copy, far, empty = read_lines(out)
    assert copy["verdict"] == "not_novel" and copy["evidence"][0]["paper_id"] == paper_id
    assert copy["evidence"][0]["similarity"] > 0.9
    assert copy["details"]["decisive_paper"] is not None
    assert far["verdict"] in ("novel", "uncertain") and far["novelty"] > copy["novelty"]
    assert all(set(e) == {"paper_id", "similarity"} for e in far["evidence"])
    assert empty["verdict"] is None and "non-empty" in empty["error"]


def test_novelty_as_of_a_date_ignores_later_papers(corpus, tmp_path):
    history = services.history_now()
    late = max(range(len(history.paper_keys)), key=lambda i: history.paper_day[i])
    title, abstract = get_store().papers_text(keys=[history.paper_keys[late]])[
        history.paper_keys[late]
    ]
    ideas = write_jsonl(tmp_path / "i.jsonl", [{"id": 1, "text": f"{title}. {abstract}"}])
    out = tmp_path / "v.jsonl"
    call_command("novelty", file=ideas, out=out, as_of="2025-06-30")
    (row,) = read_lines(out)
    assert history.paper_keys[late] not in {e["paper_id"] for e in row["evidence"]}
    assert row["details"]["as_of"] == "2025-06-30"


def test_ideate_writes_ranked_grounded_cross_field_ideas(corpus, tmp_path):
    out = tmp_path / "ideas.jsonl"
    call_command("ideate", n=8, sync=True, out=out)
    ideas = read_lines(out)
    assert 1 <= len(ideas) <= 8
    required = {"id", "batch", "title", "problem", "hypothesis", "method", "concepts",
                "grounding", "novelty", "score"}  # fmt: skip
    assert all(required <= set(idea) for idea in ideas)
    scores = [idea["score"] for idea in ideas]
    assert scores == sorted(scores, reverse=True)
    known = get_store().papers_brief(keys=[k for idea in ideas for k in idea["grounding"]])
    same_field = sum(len(set(idea["fields"])) < 2 for idea in ideas)
    if same_field:  # an analogy of one field may outrank a cross-field pair with no reason
        message = IdeaBatch.objects.get(pk=ideas[0]["batch"]).message
        assert f"{same_field} of the ideas pair a method and a target of one field" in message
    for idea in ideas:
        assert len(idea["concepts"]) == 2
        assert idea["grounding"] and all(key in known for key in idea["grounding"])
        assert idea["novelty"]["verdict"] in ("novel", "not_novel", "uncertain")
        assert 0 <= idea["novelty"]["score"] <= 1
    stored = Idea.objects.get(pk=ideas[0]["id"])
    assert stored.evidence["co_mentioning_count"] == 0  # never mentioned together
    for idea in Idea.objects.filter(pk__in=[idea["id"] for idea in ideas]):
        method, target = idea.concepts  # a method meets a problem, never two of one kind
        assert method["kind"] == "method" and target["kind"] in ("task", "phenomenon", "dataset")
        assert not set(method["name"].lower().split()) & set(target["name"].lower().split())
    assert stored.evidence["corpus_papers"] == 911


def batch_pairs(params: dict) -> tuple[IdeaBatch, set[frozenset[str]]]:
    batch = services.idea_batch_run(batch_id=services.idea_batch_create(params=params).pk)
    assert batch.status == "succeeded", batch.message
    ideas = batch.ideas.filter(duplicate_of=None)
    return batch, {frozenset(side["key"] for side in idea.concepts) for idea in ideas}


def test_a_new_batch_leaves_out_pairs_already_written_unless_asked(corpus):
    _, first = batch_pairs({"n": 4})
    second_batch, second = batch_pairs({"n": 4})
    assert first and second and not first & second
    assert "already have ideas on them" in second_batch.message
    _, repeated = batch_pairs({"n": 4, "repeats": True})
    assert repeated & first


def test_ideas_carry_calibrated_forecasts_and_say_what_the_rank_uses(corpus):
    batch, _ = batch_pairs({"n": 4})
    for idea in batch.ideas.all():
        assert 0 <= idea.forecast < 0.9  # a probability of a first co-mention, not a 0.9 for all
        note = idea.breakdown["forecast"]["note"]
        assert "percentile" in note and f"within {corpus.horizon_months} months" in note


def test_ideate_with_an_unknown_seed_fails_naming_it(corpus, tmp_path):
    with pytest.raises(CommandError, match="no such concept qq"):
        call_command("ideate", n=3, sync=True, seed_concepts=["no such concept qq"],
                     out=tmp_path / "x.jsonl")  # fmt: skip


def test_an_unknown_seed_is_answered_with_the_concepts_closest_in_meaning(corpus, tmp_path):
    history = services.history_now()
    known = max(range(len(history.concept_keys)), key=lambda i: history.incidence[:, i].sum())
    name = history.concept_names[known]
    with pytest.raises(CommandError) as refused:
        call_command("ideate", n=3, sync=True, seed_concepts=[f"{name} studies qq"],
                     out=tmp_path / "x.jsonl")  # fmt: skip
    said = str(refused.value)
    assert f"{name} studies qq (closest in meaning: " in said
    assert f"{name} (" in said.split("closest in meaning: ")[1]


def test_seeded_batch_uses_the_seed(corpus):
    history = services.history_now()
    snapshot = services.snapshot_now(history)
    specific = [
        i for i in snapshot.eligible()
        if history.concept_kinds[i] in ("method", "task") and snapshot.papers[i] < 15
    ]  # fmt: skip
    seed = max(specific, key=lambda i: snapshot.degree[i])
    batch = services.idea_batch_create(params={"n": 3, "seeds": [history.concept_names[seed]]})
    batch = services.idea_batch_run(batch_id=batch.pk)
    assert batch.status == "succeeded", batch.message
    for idea in batch.ideas.all():
        assert history.concept_keys[seed] in [c["key"] for c in idea.concepts]


def test_a_seeded_batch_offers_no_pair_on_closeness_alone(corpus):
    """ "Model editing on GSM8K", with no reason but closeness in meaning, says nothing about the
    seed: such pairs are left out, and the batch says how many."""
    history = services.history_now()
    snapshot = services.snapshot_now(history)
    methods = [i for i in snapshot.eligible() if history.concept_kinds[i] == "method"]
    methods = [i for i in methods if interventions([history.concept_terms[i]])[0]]
    seed = max(methods, key=lambda i: snapshot.degree[i])
    batch = services.idea_batch_create(params={"n": 8, "seeds": [history.concept_names[seed]]})
    batch = services.idea_batch_run(batch_id=batch.pk)
    assert batch.status == "succeeded", batch.message
    assert "rest on closeness in meaning alone" in batch.message
    for idea in batch.ideas.filter(duplicate_of=None):
        assert idea.breakdown["precedent"]["value"] > 0, idea.title


def llm_idea(body: dict) -> str:
    papers = json.loads(body["messages"][1]["content"])["papers"]
    return json.dumps({
        "title": "A <script>alert(1)</script> bridge", "problem": "x" * 30, "hypothesis": "y" * 20,
        "method": "z" * 30, "expected": "better", "risks": "some risk",
        "grounding": [papers[0]["id"]],
    })  # fmt: skip


def test_llm_writer_batch_counts_tokens(corpus, chat, settings):
    server = chat([llm_idea] * 20)
    settings.OPENAI_BASE_URL, settings.LLM_MODEL = server.url, "local-test"
    batch = services.idea_batch_create(params={"n": 3}, writer="llm")
    batch = services.idea_batch_run(batch_id=batch.pk)
    assert batch.status == "succeeded", batch.message
    assert batch.llm_calls >= 3 and batch.llm_prompt_tokens == 10 * batch.llm_calls
    assert {idea.writer for idea in batch.ideas.all()} == {"llm"}
    # the papers travel as data inside the user message, never as instructions
    assert server.requests[0]["messages"][0]["role"] == "system"


@pytest.mark.parametrize("failure", ["invalid", "timeout", "down", "cites-unknown"])
def test_llm_failures_fall_back_to_the_offline_writer(corpus, chat, settings, failure):
    if failure == "down":
        settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # discard port: nothing listens
    elif failure == "timeout":
        settings.OPENAI_BASE_URL = chat([llm_idea] * 20, delay=3).url
        settings.LLM_TIMEOUT_SECONDS = 0.5
    elif failure == "invalid":
        settings.OPENAI_BASE_URL = chat(["{not json"] * 20).url
    else:
        bad = json.dumps({"title": "Fine title", "problem": "p" * 30, "hypothesis": "h" * 20,
                          "method": "m" * 30, "expected": "e" * 9, "risks": "r" * 9,
                          "grounding": ["9999.99999"]})  # fmt: skip
        settings.OPENAI_BASE_URL = chat([bad] * 20).url
    settings.LLM_MODEL = "local-test"
    batch = services.idea_batch_create(params={"n": 2}, writer="llm")
    batch = services.idea_batch_run(batch_id=batch.pk)
    assert batch.status == "succeeded"
    assert {idea.writer for idea in batch.ideas.all()} == {"offline"}
    assert "offline writer used" in batch.message


def test_pages_show_batches_ideas_and_escape_hostile_text(corpus, client, django_user_model):
    batch = services.idea_batch_create(params={"n": 4})
    services.idea_batch_run(batch_id=batch.pk)
    idea = batch.ideas.first()
    idea.title = '<img src=x onerror="alert(1)">'
    idea.grounding = [HOSTILE_ID, *idea.grounding]
    idea.save()
    assert client.get(reverse("ideation-new")).status_code == 200
    page = client.get(reverse("ideation-batch", args=[batch.pk])).content.decode()
    assert "&lt;img src=x" in page and "<img src=x" not in page
    assert (
        client.get(reverse("ideation-batch", args=[batch.pk]), {"verdict": "bogus"}).status_code
        == 400
    )
    filtered = client.get(
        reverse("ideation-batch", args=[batch.pk]),
        {"min_score": "0.99"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="ideas",
    ).content.decode()
    assert 'id="ideas"' in filtered and "<html" not in filtered
    detail = client.get(reverse("ideation-idea", args=[idea.pk])).content.decode()
    assert "<script>" not in detail.split("</head>")[1].replace("<script src", "")
    assert "Novelty" in detail and "Score" in detail
    # feedback needs a login and the permission
    url = reverse("ideation-feedback", args=[idea.pk])
    assert client.post(url, {"feedback": "starred"}).status_code == 302
    user = django_user_model.objects.create_user("res", password="pw")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="change_idea"))
    client.force_login(user)
    response = client.post(url, {"feedback": "starred"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Starred" in response.content.decode()
    idea.refresh_from_db()
    assert idea.feedback == "starred"
    assert client.post(url, {"feedback": "delete"}).status_code == 400
    starred = client.get(reverse("ideation-batch", args=[batch.pk]), {"feedback": "starred"})
    assert idea.title.encode() not in starred.content  # escaped, so never raw
    assert b"starred" in starred.content


def test_batch_form_validates_and_starts_a_batch(corpus, client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("starter", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="add_ideabatch"))
    client.force_login(user)
    bad = client.post(
        reverse("ideation-new"), {"n": 0, "writer": "offline", "fields": "not a field!"}
    )
    assert bad.status_code == 400 and b"not an arXiv category" in bad.content
    seeded = client.get(reverse("ideation-new"), {"seed": "sparseautoencoder"})
    assert b'value="sparseautoencoder"' in seeded.content
    good = client.post(reverse("ideation-new"), {"n": 2, "writer": "offline"})
    assert good.status_code == 302 and IdeaBatch.objects.filter(created_by=user).exists()


def test_unknown_seeds_are_refused_on_the_form_before_any_batch(corpus, client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("seeder", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="add_ideabatch"))
    client.force_login(user)
    before = IdeaBatch.objects.count()
    bad = client.post(
        reverse("ideation-new"), {"n": 2, "writer": "offline", "seeds": "no such concept qq"}
    )
    assert bad.status_code == 400
    assert b"not a concept of the graph: no such concept qq" in bad.content
    assert IdeaBatch.objects.count() == before


def test_a_seed_with_too_few_papers_stands_in_through_its_meaning(corpus):
    history = services.history_now()
    store = get_store()
    rare = next(
        brief
        for page in store.concept_names(min_papers=1)
        for key, _, _ in page
        if key not in history.concept_index
        and (brief := store.concepts_brief(keys=[key])[key]).papers == 1
    )
    batch = services.idea_batch_create(params={"n": 2, "seeds": [rare.name]})
    batch = services.idea_batch_run(batch_id=batch.pk)
    assert batch.status == "succeeded", batch.message
    assert f"seed {rare.name!r} has too few papers" in batch.message
    stand_in = batch.message.split("its nearest concept in meaning, ")[1].split(", stands in")[0]
    for idea in batch.ideas.filter(duplicate_of=None):
        assert stand_in.strip("'") in [c["name"] for c in idea.concepts]


def test_a_short_seeded_batch_names_concepts_whose_papers_read_like_the_seed():
    """ "Model editing" ran short on the hindsight graph; "knowledge editing", whose papers read
    like its own, found more."""
    from types import SimpleNamespace

    from ideation.candidates import CandidateQuery
    from tests.ideation.test_candidates import history

    extra = [("2025-02-10", "cs.CR", ["activation_probing_kin", "jailbreaking"])] * 4
    vectors = {"activation_probing_kin": [0.95, 0, 0.1, 0.25]}
    h = history(extra, vectors, {"activation_probing_kin": "method"})
    run = SimpleNamespace(history=h, snapshot=h.snapshot())
    seed = h.concept_index["activation_probing"]
    (note,) = services._seeds_alike(run, CandidateQuery(), frozenset({seed}))
    assert note.startswith("concepts whose papers read like those on activation probing")
    assert "activation probing kin (4 papers)" in note and "reward" not in note


def test_a_short_batch_names_only_the_filters_that_applied():
    on_tasks = services.short_batch_note(
        chosen=1, asked=8, passed=1, seeded=True, on_failures=False
    )
    assert on_tasks.startswith("1 of the 8 ideas asked for could be chosen: 1 method-target pairs")
    assert (
        "a reason beyond closeness in meaning)" in on_tasks and "against a failure" not in on_tasks
    )
    on_failures = services.short_batch_note(
        chosen=0, asked=8, passed=0, seeded=False, on_failures=True
    )
    assert "against a failure only a method named in" in on_failures
    assert "a reason beyond" not in on_failures


def test_a_paper_that_spells_out_both_names_makes_a_pair_not_novel(corpus):
    """Extraction misses names ("Lethe: Purifying Backdoored LLMs" names model editing and
    backdoors with no concept node linking them); a paper whose text spells out both is as
    decisive as one linked to both."""
    from ideation.novelty import novelty_check
    from ideation.uses import text_names

    history, store = services.history_now(), get_store()
    texts = store.papers_text(keys=history.paper_keys)
    by_paper = history.incidence.tocsr()
    found = None
    for row, key in enumerate(history.paper_keys):
        text = ". ".join(texts.get(key, ("", "")))
        linked = set(by_paper.indices[by_paper.indptr[row] : by_paper.indptr[row + 1]].tolist())
        spelt = [
            c
            for c in range(len(history.concept_keys))
            if c not in linked
            and len(history.concept_names[c]) > 4
            and text_names(text, history.concept_names[c])
        ]
        if linked and spelt:
            found = (key, sorted(linked)[0], spelt[0])
            break
    assert found, "the corpus has no paper naming a concept it is not linked to"
    paper, linked, spelt = found
    concepts = [history.concept_keys[linked], history.concept_keys[spelt]]
    result = novelty_check(
        text=" and ".join(history.concept_names[c] for c in (linked, spelt)),
        vector=history.vectors[linked],
        history=history,
        store=store,
        concepts=concepts,
        checked_at="2026-12-07T00:00:00",
    )
    assert paper in result.evidence.named_in_text
    assert paper in result.evidence.co_mentioning or result.evidence.co_mentioning_count > 10
    assert result.verdict == "not_novel" and result.evidence.decisive_paper is not None


def test_a_batch_reads_a_failures_papers_for_what_brings_it_about(corpus):
    """`_fill_causes` on the corpus: a context against a failure takes the sentence of the
    failure's own papers that names something like the method as a cause; other contexts and
    other failures take nothing."""
    from dataclasses import replace

    from ideation.candidates import REDUCE, phenomenon_aim
    from ideation.uses import cause_sentence
    from ideation.writers import ConceptSide, PairContext

    history, store = services.history_now(), get_store()
    run = services._BatchRun(None, store, history, services.snapshot_now(history))
    methods = [i for i, kind in enumerate(history.concept_kinds) if kind == "method"]
    failures = [
        i
        for i, kind in enumerate(history.concept_kinds)
        if kind == "phenomenon" and phenomenon_aim(history.concept_keys[i]) == REDUCE
    ]
    texts = store.papers_text(keys=history.paper_keys)
    found = None
    for failure in failures:
        for paper in history.papers_of(failure):
            title, abstract = texts[history.paper_keys[int(paper)]]
            for method in methods:
                name = history.concept_names[method]
                if cause_sentence(name, history.concept_names[failure], f"{title}. {abstract}"):
                    found = (method, failure, title)
                    break
            if found:
                break
        if found:
            break
    assert found, "no failure of the corpus has a paper naming what brings it about"

    def side(i: int) -> ConceptSide:
        return ConceptSide(history.concept_keys[i], history.concept_names[i], "", "", "", 3)

    method, failure, _ = found
    against = PairContext(
        a=side(method), b=side(failure), papers=(), shared_neighbours=(), forecast=None
    )
    against = replace(against, b=replace(against.b, kind="phenomenon"))
    on_a_task = replace(against, b=replace(against.b, kind="task"))
    contexts = [against, on_a_task]
    services._fill_causes(run, contexts)
    papers = [texts[history.paper_keys[int(p)]] for p in history.papers_of(failure)]
    assert contexts[0].cause is not None
    paper_title, sentence = contexts[0].cause
    assert any(paper_title == t and sentence in f"{t}. {a}" for t, a in papers)
    assert contexts[1].cause is None


def test_an_idea_whose_names_papers_spell_out_says_so_with_a_title(corpus):
    """The writer says no paper applies the method to the target, going by the extracted
    concepts; `_say_named_in_text` adds that papers spell both names out, citing the first."""
    from types import SimpleNamespace

    history, store = services.history_now(), get_store()
    run = services._BatchRun(None, store, history, services.snapshot_now(history))
    keys = history.paper_keys[3:5]
    first_title = store.papers_text(keys=keys[:1])[keys[0]][0]
    sides = SimpleNamespace(
        a=SimpleNamespace(name="model editing"), b=SimpleNamespace(name="backdoors")
    )
    for papers, said in (
        (keys, "2 papers in the graph name"),
        (keys[:1], "1 paper in the graph names"),
    ):
        item = SimpleNamespace(draft=SimpleNamespace(problem="No paper applies it."), context=sides)
        services._say_named_in_text(run, item, list(papers))
        assert item.draft.problem.startswith(
            f"No paper applies it. Yet {said} model editing and backdoors"
        )
        assert f'(e.g. "{first_title}")' in item.draft.problem
