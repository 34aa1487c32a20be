"""Write side of ideation: the forecast model, idea batches, feedback, pair scoring."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field

import joblib
import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.llm import llm_configured
from graph.factory import get_store
from ideation import forecast as fc
from ideation.candidates import (
    DEFAULT_KINDS,
    FIELD_NAMES,
    FIGHT_RECORD_MIN,
    GENERAL_PURPOSE_PERCENTILE,
    GENERIC_SHARE,
    HUB_MIN_PAPERS,
    REDUCE,
    TOOL_PERCENTILE,
    CandidateQuery,
    Candidates,
    UnknownConcepts,
    alike_failures_fought,
    analogies,
    candidates_merge,
    closest_use,
    dataset_is_named,
    direct_pairs,
    fight_likeness_floor,
    interventions,
    is_failure,
    methods_against,
    pairs_choose,
    phenomenon_aim,
    problem_groups,
    roles,
    routine_methods,
    share_a_word,
    used_near_pairs,
)
from ideation.history import History, Snapshot, history_current
from ideation.models import ForecastModel, Idea, IdeaBatch
from ideation.novelty import COVERED_CEILING, novelty_check
from ideation.ranking import (
    LOOSE_REASON,
    ROUTINE_PRECEDENT,
    Signals,
    candidate_order,
    composite,
    display_order,
    duplicates_of,
    has_reason,
)
from ideation.selectors import idea_pairs_held
from ideation.uses import cause_sentence
from ideation.writers import (
    ConceptSide,
    GroundingPaper,
    PairContext,
    configured_writer,
)
from index import embedding
from index.selectors import unit_vectors
from index.vectorindex import CONCEPTS, PAPERS
from ingest.selectors import concept_keys_resolve
from ingest.taxonomy import field_name
from ingest.termhood import phrase_is_generic
from ingest.text import squash

logger = logging.getLogger(__name__)
GROUNDING_PER_CONCEPT = 2
GROUNDING_POOL = 200  # most recent papers of a concept considered for its grounding
RIVAL_POOL = 12  # methods next to the target weighed as the comparison
CAUSE_SCAN_PAPERS = 300  # a failure's most recent papers read for what brings it about
RIVAL_MIN_SIMILARITY = 0.4  # centred context cosine: alike concepts sit near 0.6, unrelated near 0
EXTRA_FOR_DUPLICATES = 1.3  # write this many times the ideas asked for; near-duplicates merge


class IdeationError(Exception):
    """A batch cannot run as asked (bad parameters, empty graph); the message says why."""


# -- the graph's history and the forecast ---------------------------------------------------------
def history_now() -> History:
    return history_current(
        store=get_store(),
        path=settings.IDEATION_DIR / "history.npz",
        concept_vectors=lambda keys: unit_vectors(index=CONCEPTS, keys=keys),
        paper_vectors=lambda keys: unit_vectors(index=PAPERS, keys=keys),
    )


_snapshots: dict[str, Snapshot] = {}
_models: dict[str, object] = {}
_lock = threading.Lock()


def snapshot_now(history: History) -> Snapshot:
    with _lock:
        if history.version not in _snapshots:
            _snapshots.clear()
            _snapshots[history.version] = history.snapshot()
        return _snapshots[history.version]


def forecast_model_train(*, history: History | None = None) -> ForecastModel:
    """Fit, validate and store a model for the graph as it is. Raises ForecastUnavailable."""
    history = history or history_now()
    started = time.perf_counter()
    trained = fc.forecast_train(history)
    settings.IDEATION_DIR.mkdir(parents=True, exist_ok=True)
    path = settings.IDEATION_DIR / f"forecast-{timezone.now():%Y%m%dT%H%M%S%f}.joblib"
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    joblib.dump({"model": trained.model, "features": fc.FEATURES}, tmp)
    os.replace(tmp, path)
    return ForecastModel.objects.create(
        path=str(path),
        graph_version=_model_key(history),
        validation_auc=trained.validation_auc,
        baseline_auc=trained.baseline_auc,
        train_cutoff=trained.train_cutoff,
        validation_cutoff=trained.validation_cutoff,
        data_end=trained.end,
        validation_pairs=trained.validation_pairs,
        horizon_months=trained.horizon_months,
        calibration=trained.calibration,
        train_seconds=round(time.perf_counter() - started, 2),
    )


def _model_key(history: History) -> str:
    return f"{history.version}/{fc.FEATURES_TAG}"


PROXY_NOTE = (
    "pairs are ranked by a link-prediction proxy (how connected both concepts are and how many "
    "partners they share), not a probability"
)


@dataclass
class Forecaster:
    """Scores concept pairs: a trained model's probabilities, or (with `model` None) the
    documented link-prediction proxy, which `note` says is one."""

    record: ForecastModel | None
    model: fc.CalibratedForecast | None
    note: str = ""

    @property
    def kind(self) -> str:
        return "probability" if self.model is not None else "proxy"

    def scores(self, snapshot: Snapshot, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if self.model is None:
            return fc.proxy_scores(snapshot, a, b)
        return fc.forecast_scores(self.model, snapshot, a, b)


def forecaster_current(*, history: History, retrain: bool = True) -> Forecaster:
    """The model trained on this graph version, training one first when allowed and missing;
    without one, the proxy."""
    record = ForecastModel.objects.filter(graph_version=_model_key(history)).first()
    if record is None or not os.path.exists(record.path):
        if not retrain:
            return Forecaster(None, None, f"no forecast model for the current graph: {PROXY_NOTE}")
        try:
            record = forecast_model_train(history=history)
        except fc.ForecastUnavailable as exc:
            return Forecaster(None, None, f"no forecast model ({exc}): {PROXY_NOTE}")
    with _lock:
        if record.path not in _models:
            _models[record.path] = joblib.load(record.path)["model"]
        return Forecaster(record, _models[record.path])


def concept_lookup(history: History, name: str) -> int | None:
    """A concept's index by key, name or a known acronym (case and plural insensitive)."""
    for key in concept_keys_resolve(text=name):
        if (found := history.concept_index.get(key)) is not None:
            return found
    return history.name_index.get(squash(name))


def pairs_score(*, pairs: list[tuple[object, object]]) -> list[dict]:
    """Forecast scores of concept pairs given by name: one result per pair, with `score` in
    [0, 1] and `kind` ("probability" of a first co-mention within `horizon_months`, or "proxy"
    when the graph's history is too short to learn from), or `score` None and an `error` naming
    what is wrong with the pair."""
    history = history_now()
    forecaster = forecaster_current(history=history)
    snapshot = snapshot_now(history)
    results: list[dict] = [{} for _ in pairs]
    good, a, b = [], [], []
    for i, (name_a, name_b) in enumerate(pairs):
        if not isinstance(name_a, str) or not isinstance(name_b, str):
            results[i] = {"score": None, "error": '"a" and "b" must be concept names (strings)'}
            continue
        found = [concept_lookup(history, name) for name in (name_a, name_b)]
        unknown = [n for n, f in zip((name_a, name_b), found, strict=True) if f is None]
        if unknown:
            results[i] = {
                "score": None,
                "error": f"unknown concept(s) (or fewer than 3 papers): {', '.join(unknown)}",
            }
        elif found[0] == found[1]:
            results[i] = {"score": None, "error": "a and b are the same concept"}
        else:
            good.append(i)
            a.append(found[0])
            b.append(found[1])
    if good:
        scores = forecaster.scores(snapshot, np.asarray(a), np.asarray(b))
        co = snapshot.co_mentions(np.asarray(a), np.asarray(b))
        described = {"kind": forecaster.kind}
        if forecaster.record is not None:
            described["horizon_months"] = forecaster.record.horizon_months
        else:
            described["note"] = forecaster.note
        for i, score, together in zip(good, scores, co, strict=True):
            results[i] = {
                "score": round(float(score), 4),
                "co_mentions": int(together),
                **described,
            }
    return results


# -- batches -------------------------------------------------------------------------------------
def idea_batch_create(*, params: dict, writer: str = "offline", user=None) -> IdeaBatch:
    n = params.get("n")
    if not isinstance(n, int) or not 1 <= n <= settings.IDEATION_MAX_IDEAS:
        raise IdeationError(f"n must be a whole number from 1 to {settings.IDEATION_MAX_IDEAS}")
    if writer == "llm" and not llm_configured():
        raise IdeationError("the LLM writer needs OPENAI_BASE_URL and LLM_MODEL set")
    return IdeaBatch.objects.create(params=params, writer=writer, created_by=user)


def idea_batch_enqueue(*, batch: IdeaBatch) -> None:
    from ideation.tasks import idea_batch_run as task

    transaction.on_commit(lambda: task.delay(batch.pk))


@dataclass
class _BatchRun:
    """What the stages of one batch pass along."""

    batch: IdeaBatch
    store: object
    history: History
    snapshot: Snapshot
    started: float = dataclass_field(default_factory=time.perf_counter)
    timings: dict = dataclass_field(default_factory=dict)
    notes: list[str] = dataclass_field(default_factory=list)
    analogies_with_use: int = 0  # analogies whose precedent a paper states

    def progress(self, stage: str, percent: int) -> None:
        self.timings[stage] = round(time.perf_counter() - self.started, 3)
        batch = self.batch
        batch.stage, batch.progress, batch.timings = stage, percent, self.timings
        batch.save(update_fields=["stage", "progress", "timings"])


@dataclass(frozen=True)
class _Pick:
    """One chosen candidate: method a, target b, the problem `via` that a is used on and b
    resembles, and the forecast for (a, b)."""

    a: int
    b: int
    via: int
    analogy: float
    forecast: float  # the forecaster's score: a probability, or the proxy
    forecast_rank: float  # its percentile among all the batch's candidates, in [0, 1]
    precedent: str = ""  # the paper that uses the method on `via` (its key)
    routine: bool = False  # the method is general-purpose (`routine_methods`)


@dataclass(frozen=True)
class _Written:
    """One drafted idea with the pair it came from."""

    pick: _Pick
    neighbours: np.ndarray
    context: PairContext
    draft: object

    @property
    def a(self) -> int:
        return self.pick.a

    @property
    def b(self) -> int:
        return self.pick.b


@dataclass(frozen=True)
class _Checked:
    written: _Written
    novelty: object
    score: float
    breakdown: dict


def idea_batch_run(*, batch_id: int) -> IdeaBatch:
    """Run a batch to the end: read the history, fit or load the forecast, choose candidate
    pairs, write ideas, check their novelty and rank them, save. Bad parameters or an unusable
    graph fail the batch with a message."""
    batch = IdeaBatch.objects.get(pk=batch_id)
    if batch.is_finished:
        return batch
    batch.mark_running()
    try:
        run = _stage_history(batch)
        forecaster = _stage_forecast(run)
        picked = _stage_candidates(run, forecaster)
        written = _stage_write(run, picked)
        checked, vectors = _stage_novelty(run, written)
        _stage_save(run, checked, vectors)
    except (IdeationError, UnknownConcepts) as exc:
        return batch.finish(IdeaBatch.Status.FAILED, str(exc))
    return batch.finish(IdeaBatch.Status.SUCCEEDED, batch.message, progress=100)


def _stage_history(batch: IdeaBatch) -> _BatchRun:
    history = history_now()
    if not history.concept_keys:
        raise IdeationError(
            "the graph has no concepts with 3 or more papers yet: ingest papers first"
        )
    run = _BatchRun(batch, get_store(), history, snapshot_now(history))
    run.progress("history", 10)
    return run


def _stage_forecast(run: _BatchRun) -> Forecaster:
    forecaster = forecaster_current(history=run.history)
    if forecaster.note:
        run.notes.append(forecaster.note)
    run.batch.forecast_model = forecaster.record
    run.batch.save(update_fields=["forecast_model"])
    run.progress("forecast model", 25)
    return forecaster


PRECEDENT_NOTE = (
    "1: a paper states the method is used on a problem like the target; "
    f"{ROUTINE_PRECEDENT}: the same for a general-purpose method (used with more problems than "
    f"{GENERAL_PURPOSE_PERCENTILE}% of the graph's methods) or a tool (its papers read less "
    f"alike than {100 - TOOL_PERCENTILE}% of methods' do), for which one more problem is "
    f"routine; {LOOSE_REASON}: a looser reason (a stated use on a problem nearer the target than "
    "most, or a record against failures like it); 0: closeness in meaning alone"
)


def _reason_strength(pick: _Pick, context: PairContext) -> float:
    """The precedent part of the score: how much the idea's stated reason says (PRECEDENT_NOTE).
    An idea resting on closeness alone, chosen only to fill the batch, shows 0."""
    if pick.precedent:
        return ROUTINE_PRECEDENT if pick.routine else 1.0
    return LOOSE_REASON if context.loose_use or context.alike_fought else 0.0


def _is_grounded(pick: _Pick, context: PairContext) -> bool:
    """Whether papers show the idea's reason: a precedent paper, or the method's record against
    a failure like the target (not a stated use on a problem merely nearby)."""
    return bool(pick.precedent or context.alike_fought)


def _stage_candidates(run: _BatchRun, forecaster: Forecaster) -> list[_Pick]:
    """The candidates to write ideas for (a few more than asked: near-duplicates merge later),
    ranked by the forecast (the model's probability, or the proxy without one)."""
    params, snapshot = run.batch.params, run.snapshot
    n = int(params["n"])
    wanted = max(n, int(np.ceil(n * EXTRA_FOR_DUPLICATES)))
    seeds = _seed_keys(run, params.get("seeds") or [])
    query = CandidateQuery(
        seeds=tuple(seeds),
        fields=tuple(params.get("fields") or ()),
        kinds=tuple(params.get("kinds") or DEFAULT_KINDS),
        active_since=params.get("active_since") or None,
    )
    found = analogies(snapshot, query, limit=wanted)
    evidence = _usage_evidence(run, found)
    with_precedent = len(found.a)
    # Pairs close in meaning, with no precedent, fill what the analogies cannot (they rank below).
    found = candidates_merge(found, direct_pairs(snapshot, query, limit=wanted))
    run.batch.candidates = found.considered
    held = set() if params.get("repeats") else _pairs_held(run)
    if not len(found.a):
        seeded = np.array([run.history.concept_index[key] for key in seeds], dtype=np.int64)
        if len(seeded) and is_failure(run.history, seeded).all():
            why = _failures_already_fought(run, query, frozenset(seeded.tolist()))
            raise IdeationError(
                "no method with a record against a failure like "
                + ", ".join(run.history.concept_names[int(i)] for i in seeded)
                + f" (named in {FIGHT_RECORD_MIN}+ papers that fight failures, some of them a "
                "like failure in papers that read like this one's)"
                " is left untried on it"
                + (f"; {'; '.join(why)}" if why else "")
                + ": seed a method to try against it as well, or widen the kinds"
            )
        raise IdeationError(
            "no method-target pairs match these settings (a method and a task, phenomenon or "
            "dataset with 3+ papers each, never mentioned together): widen the fields or kinds, "
            "or seed with other concepts"
        )
    scores = forecaster.scores(snapshot, found.a, found.b)
    percentile = (np.argsort(np.argsort(scores, kind="stable")) + 1) / len(scores)
    routine = routine_methods(snapshot, query)[found.a]
    marks = {
        "analogy": found.via >= 0,
        "used_near": used_near_pairs(snapshot, found.a, found.b),
        "failure": is_failure(run.history, found.b),
    }
    ranking = candidate_order(
        percentile=percentile, cross_field=found.cross_field, routine=routine, **marks
    )
    if seeds:
        # A seeded batch is asked about its seeds: "model editing on GSM8K", with no reason but
        # closeness in meaning, says nothing about model editing.
        unreasoned = ~has_reason(**marks)
        ranking[unreasoned] = -np.inf
        if unreasoned.any():
            run.notes.append(
                f"{int(unreasoned.sum())} candidate pairs with the seeds left out: they rest on "
                "closeness in meaning alone (no paper uses the method on a problem like the "
                "target, nor fights a failure like it with the method)"
            )
    keys = run.history.concept_keys
    repeated = np.array(
        [frozenset((keys[a], keys[b])) in held for a, b in zip(found.a, found.b, strict=True)],
        dtype=bool,
    )
    ranking[repeated] = -np.inf
    if repeated.any():
        run.notes.append(
            f"{int(repeated.sum())} candidate pairs left out: you already have ideas on them "
            "(ask for repeats to see them again)"
        )
    seed_rows = frozenset(run.history.concept_index[key] for key in seeds)
    chosen = pairs_choose(found.a, found.b, ranking, n=wanted, via=found.via, seeds=seed_rows)
    run.analogies_with_use = with_precedent
    if len(chosen) < n:
        run.notes.append(
            short_batch_note(
                chosen=len(chosen),
                asked=n,
                passed=int(np.isfinite(ranking).sum()),
                seeded=bool(seeds),
                on_failures=bool(marks["failure"].any()),
            )
        )
        run.notes += _failures_already_fought(run, query, seed_rows)
        run.notes += _seeds_alike(run, query, seed_rows)
    run.progress("candidates", 35)
    return [
        _Pick(
            int(found.a[i]),
            int(found.b[i]),
            int(found.via[i]),
            float(found.analogy[i]),
            float(scores[i]),
            float(percentile[i]),
            evidence.get((int(found.a[i]), int(found.via[i])), ""),
            bool(routine[i]),
        )
        for i in chosen
    ]


def short_batch_note(
    *, chosen: int, asked: int, passed: int, seeded: bool, on_failures: bool
) -> str:
    """Why a batch holds fewer ideas than asked: the filters its candidates had to pass (the
    fight-record rule only where some target is a failure)."""
    filters = ["never mentioned together", "no shared words"]
    if seeded:
        filters.append("a reason beyond closeness in meaning")
    if on_failures:
        filters.append(
            f"against a failure only a method named in {FIGHT_RECORD_MIN}+ papers that fight "
            "failures, some of them a like failure in papers that read like the target's"
        )
    return (
        f"{chosen} of the {asked} ideas asked for could be chosen: {passed} method-target pairs "
        f"passed the filters ({', '.join(filters)}), and no concept other than a seed may be in "
        "more than two ideas"
    )


def _failures_already_fought(
    run: _BatchRun, query: CandidateQuery, seeds: frozenset[int]
) -> list[str]:
    """For each seeded failure, the methods with a record against failures that papers already
    mention with it: why a seeded batch on a well-studied failure runs short, and where to read."""
    history = run.history
    notes = []
    for seed in sorted(seeds):
        if not is_failure(history, np.array([seed]))[0]:
            continue
        with_it = methods_against(run.snapshot, query, seed)
        if len(with_it):
            notes.append(
                f"{len(with_it)} methods used against failures are already mentioned with "
                f"{history.concept_names[seed]} (not novel, so not offered), among them "
                + ", ".join(history.concept_names[int(i)] for i in with_it[:6])
            )
    return notes


# Concepts whose papers read this much alike (centred context cosine) are neighbouring seeds:
# "knowledge editing" for "model editing" (0.85 on the demo corpus).
SEEDS_ALIKE_COSINE = 0.5


def _seeds_alike(run: _BatchRun, query: CandidateQuery, seeds: frozenset[int]) -> list[str]:
    """For a seeded batch that runs short, the concepts that could take each seed's role whose
    papers read most like the seed's: seeds that may find more."""
    history, snapshot = run.history, run.snapshot
    is_method, is_target = roles(snapshot, CandidateQuery(kinds=query.kinds))
    notes = []
    for seed in sorted(seeds):
        cosine = snapshot.context_centred @ snapshot.context_centred[seed]
        alike = (is_method if is_method[seed] else is_target) & (cosine >= SEEDS_ALIKE_COSINE)
        alike[seed] = False
        if alike.any():
            best = np.flatnonzero(alike)[np.argsort(-cosine[alike])][:3]
            notes.append(
                f"concepts whose papers read like those on {history.concept_names[seed]}, which "
                "may seed more: "
                + ", ".join(
                    f"{history.concept_names[int(i)]} ({int(snapshot.papers[i])} papers)"
                    for i in best
                )
            )
    return notes


def _usage_evidence(run: _BatchRun, found: Candidates) -> dict[tuple[int, int], str]:
    """Each analogy's precedent paper: the most recent one stating the method is used on the
    problem (the history's stated uses, as of the snapshot)."""
    history, day = run.history, run.snapshot.day
    evidence = {}
    for method, via in {(int(a), int(v)) for a, v in zip(found.a, found.via, strict=True)}:
        papers = history.use_papers(method, via, until=day)
        if len(papers):
            evidence[(method, via)] = history.paper_keys[int(papers[0])]
    return evidence


def _pairs_held(run: _BatchRun) -> set[frozenset[str]]:
    return idea_pairs_held(user=run.batch.created_by, before_batch=run.batch.pk)


def _stage_write(run: _BatchRun, picked: list[_Pick]) -> list[_Written]:
    batch, history, snapshot = run.batch, run.history, run.snapshot
    writer = configured_writer(batch.writer)
    shared = [
        _shared_neighbours(snapshot, pick.b, pick.via if pick.via >= 0 else pick.a)
        for pick in picked
    ]
    hubs = np.flatnonzero(
        snapshot.papers > max(GENERIC_SHARE * len(history.paper_keys), HUB_MIN_PAPERS)
    )
    groups = problem_groups(history)
    contexts = [
        _pair_context(
            history, snapshot, pick, neighbours, hubs={int(i) for i in hubs}, groups=groups
        )
        for pick, neighbours in zip(picked, shared, strict=True)
    ]
    _fill_paper_texts(run.store, contexts)
    _fill_causes(run, contexts)
    written = []
    for number, (pick, neighbours, context) in enumerate(
        zip(picked, shared, contexts, strict=True), start=1
    ):
        written.append(_Written(pick, neighbours, context, writer.write(context)))
        if number % 10 == 0 or number == len(contexts):
            run.progress("writing", 35 + int(45 * number / len(contexts)))
    usage = writer.usage
    batch.llm_calls, batch.llm_cost = usage.calls, round(usage.cost, 6)
    batch.llm_prompt_tokens, batch.llm_completion_tokens = (
        usage.prompt_tokens,
        usage.completion_tokens,
    )
    run.notes += usage.messages
    return written


def _stage_novelty(run: _BatchRun, written: list[_Written]) -> tuple[list[_Checked], np.ndarray]:
    """Check each idea's novelty and score it; returns the scored ideas and their statements'
    vectors (for merging near-duplicates)."""
    params, history, snapshot = run.batch.params, run.history, run.snapshot
    # The claim, not the title: a title naming the reason ("... carried over from image
    # editing", "... record against toxicity") would match the reason's papers as prior work.
    statements = [
        f"{w.context.a.name} for {w.context.b.name}. {w.draft.hypothesis}" for w in written
    ]
    vectors = embedding.encode(statements)
    checked_at = timezone.now().isoformat(timespec="seconds")
    weights = params.get("field_weights") or {}
    forecast_note = "percentile of the pair's forecast among this batch's candidates; " + (
        f"the forecast is the model's probability of a first co-mention within "
        f"{run.batch.forecast_model.horizon_months} months"
        if run.batch.forecast_model
        else "the forecast is a link-prediction proxy (no model), not a probability"
    )
    checked = []
    for item, statement, vector in zip(written, statements, vectors, strict=True):
        context = item.context
        result = novelty_check(
            text=statement,
            vector=vector,
            history=history,
            store=run.store,
            concepts=[context.a.key, context.b.key],
            forecast=context.forecast,
            checked_at=checked_at,
        )
        if result.evidence.named_in_text:
            _say_named_in_text(run, item, result.evidence.named_in_text)
        signals = Signals(
            forecast=item.pick.forecast_rank,
            novelty=result.score,
            grounding_papers=len(item.draft.grounding),
            has_resource_neighbour=any(
                history.concept_kinds[i] in ("dataset", "metric") for i in item.neighbours[:50]
            ),
            both_active=bool(min(snapshot.recent[item.a], snapshot.recent[item.b]) > 0),
            field_weight=float(
                np.mean([float(weights.get(side.field, 1.0)) for side in (context.a, context.b)])
            ),
            precedent=_reason_strength(item.pick, context),
        )
        score, breakdown = composite(signals, params.get("weights"))
        breakdown["forecast"]["note"] = forecast_note
        breakdown["precedent"]["note"] = PRECEDENT_NOTE
        checked.append(_Checked(item, result, score, breakdown))
    run.progress("novelty", 90)
    return checked, vectors


def _say_named_in_text(run: _BatchRun, item: _Written, keys: list[str]) -> None:
    """The writer said no paper applies the method to the target, going by the concepts
    extracted; papers that spell both out in their text say otherwise, and the idea says so."""
    title = run.store.papers_text(keys=keys[:1]).get(keys[0], ("", ""))[0]
    many = len(keys) > 1
    item.draft.problem += (
        f" Yet {len(keys)} paper{'s' if many else ''} in the graph name{'' if many else 's'} "
        f"{item.context.a.name} and {item.context.b.name} in {'their' if many else 'its'} text, "
        f'though extraction did not link them (e.g. "{title}"): this may have been done.'
    )


def published_notes(*, published: list[bool], kept: list[int], merged: set[int]) -> list[str]:
    """What a batch says of the chosen ideas the novelty check found published: left out for
    others, or listed last for want of others."""
    offered = sum(published[i] for i in kept)
    left_out = sum(p for i, p in enumerate(published) if p and i not in merged) - offered
    notes = []
    if left_out:
        notes.append(
            f"{left_out} chosen idea{'s were' if left_out > 1 else ' was'} left out: papers in "
            "the graph already name both concepts (novelty check: not novel)"
        )
    if offered:
        notes.append(
            f"{offered} of the ideas {'are' if offered > 1 else 'is'} listed last, though papers "
            "in the graph already name both concepts (novelty check: not novel): nothing else "
            "was left to take their place"
        )
    return notes


def _stage_save(run: _BatchRun, checked: list[_Checked], vectors: np.ndarray) -> None:
    """Rank, merge near-duplicates into the idea they repeat, and save the ideas."""
    batch = run.batch
    n = int(batch.params["n"])
    grounded = [_is_grounded(item.written.pick, item.written.context) for item in checked]
    tiered = bool(batch.params.get("seeds"))
    published = [item.novelty.verdict == "not_novel" for item in checked]
    order = display_order(
        scores=[item.score for item in checked],
        grounded=grounded,
        tiered=tiered,
        published=published,
    )
    merged = duplicates_of(vectors, order)
    kept = [i for i in order if i not in merged][:n]
    run.notes += published_notes(published=published, kept=kept, merged=set(merged))
    if len(kept) < n and merged:
        run.notes.append(
            f"{len(merged)} of the chosen ideas repeated another in other words and were merged "
            f"into it: the batch holds {len(kept)}"
        )
    loose = sum(not grounded[i] for i in kept)
    if tiered and loose:
        run.notes.append(
            f"{loose} of the ideas rest on a stated use of the method on a problem near the "
            "target, not on a precedent paper or a record against a like failure: they are "
            "listed after the others, whatever their score"
        )
    kept_set = set(kept)
    listed = kept + [i for i in order if i in merged and merged[i] in kept_set]
    with transaction.atomic():
        saved: dict[int, Idea] = {}
        for rank, i in enumerate(listed, start=1):
            item = checked[i]
            context, draft, result = item.written.context, item.written.draft, item.novelty
            saved[i] = Idea.objects.create(
                batch=batch,
                rank=rank,
                title=draft.title[:300],
                problem=draft.problem,
                hypothesis=draft.hypothesis,
                method=draft.method,
                expected=draft.expected,
                risks=draft.risks,
                writer=draft.writer,
                concepts=[_side_json(side) for side in (context.a, context.b)],
                fields=sorted({context.a.field, context.b.field}),
                grounding=draft.grounding,
                forecast=context.forecast,
                novelty=result.score,
                verdict=result.verdict,
                evidence=result.evidence.as_dict(),
                score=item.score,
                breakdown=item.breakdown,
                duplicate_of=saved.get(merged[i]) if i in merged else None,
            )
    _note_what_was_delivered(run, [checked[i].written.context for i in kept])
    batch.ideas_written, batch.duplicates = len(kept), len(listed) - len(kept)
    batch.message = "\n".join(dict.fromkeys(run.notes))
    batch.save(
        update_fields=[
            "candidates",
            "ideas_written",
            "duplicates",
            "llm_calls",
            "llm_cost",
            "llm_prompt_tokens",
            "llm_completion_tokens",
            "message",
        ]
    )
    run.progress("ranked", 100)


def _note_what_was_delivered(run: _BatchRun, delivered: list[PairContext]) -> None:
    """Say how many of the ideas delivered (after ranking and merging) have no precedent, and
    how many stay within one field."""
    direct = sum(context.via is None for context in delivered)
    if direct:
        run.notes.append(
            f"{direct} of the ideas are pairs close in meaning with no precedent paper: only "
            f"{run.analogies_with_use} analogies had a paper using the method on a problem like "
            "the target"
        )
    bare = sum(
        context.via is None and context.loose_use is None and not context.alike_fought
        for context in delivered
    )
    if bare:
        run.notes.append(
            f"{bare} of the ideas rest on closeness in meaning alone (the method is used on no "
            "problem like the target): chosen only to fill the batch, after every pair with a "
            "reason"
        )
    same_field = sum(len({context.a.field, context.b.field}) < 2 for context in delivered)
    if same_field:
        run.notes.append(
            f"{same_field} of the ideas pair a method and a target of one field: there were too "
            "few cross-field analogies for these settings"
        )


def _seed_keys(run: _BatchRun, names: list[str]) -> list[str]:
    """Concept keys of the seeds. A seed with too few papers for the history (a concept of one
    or two papers) stands in through its meaning: the nearest concept that has enough."""
    history, keys, unknown = run.history, [], []
    for name in names:
        found = concept_lookup(history, name)
        if found is None:
            found = _nearest_in_history(history, name, run.store)
            if found is None:
                unknown.append(name)
                continue
            run.notes.append(
                f"seed {name!r} has too few papers of its own; its nearest concept in meaning, "
                f"{history.concept_names[found]!r}, stands in for it"
            )
        keys.append(history.concept_keys[found])
    if unknown:
        raise UnknownConcepts(unknown)
    return list(dict.fromkeys(keys))


def _nearest_in_history(history: History, name: str, store) -> int | None:
    """The history's concept nearest in meaning to a concept the graph knows but the history
    leaves out; None for a name the graph does not know at all."""
    if not store.concepts_brief(keys=concept_keys_resolve(text=name)):
        return None
    similarity = history.vectors @ embedding.encode([name])[0]
    best = int(np.argmax(similarity))
    return best if similarity[best] > 0 else None


def _side(history: History, snapshot: Snapshot, i: int) -> ConceptSide:
    field = history.fields[snapshot.main_field[i]] if snapshot.main_field[i] >= 0 else ""
    return ConceptSide(
        key=history.concept_keys[i],
        name=history.concept_names[i],
        kind=history.concept_kinds[i],
        field=field,
        field_name=field_name(field) if field else "no field",
        papers=int(snapshot.papers[i]),
        aliases=history.concept_aliases[i],
    )


def _side_json(side: ConceptSide) -> dict:
    return {"key": side.key, "name": side.name, "kind": side.kind, "field": side.field}


def _shared_neighbours(snapshot: Snapshot, a: int, b: int) -> np.ndarray:
    row_a, row_b = snapshot.cooc[a], snapshot.cooc[b]
    shared = np.intersect1d(row_a.indices, row_b.indices, assume_unique=True)
    if not len(shared):
        return shared
    strength = (
        np.asarray(row_a[:, shared].todense()).ravel()
        + np.asarray(row_b[:, shared].todense()).ravel()
    )
    return shared[np.argsort(-strength)]


def _grounding(
    history: History,
    concept: int,
    toward: np.ndarray,
    *,
    fighting: bool = False,
    against: list[int] | None = None,
) -> list[str]:
    """The concept's papers closest in meaning to the other concept, among its recent ones (only
    those that set out to fight a phenomenon, if `fighting`; one of `against`, if given)."""
    rows = history.papers_of(concept)
    if against:
        rows = np.intersect1d(rows, history.fights[np.isin(history.fights[:, 0], against), 1])
    elif fighting:
        rows = rows[history.fighting_papers[rows]]
    rows = rows[np.argsort(-history.paper_day[rows])][:GROUNDING_POOL]
    closest = rows[np.argsort(-(history.paper_vectors[rows] @ toward), kind="stable")]
    return [history.paper_keys[int(r)] for r in closest[:GROUNDING_PER_CONCEPT]]


def _setup_direction(history: History, a: int, b: int, precedent: str | None) -> np.ndarray:
    """What the target's paper whose setup an idea reproduces should read like: the target
    first, the method second, and the precedent's paper, if any: the analogy carries that
    setup over (SAEs used for retrieval on ImageNet-1K call for a CIFAR-10 paper on
    retrieval, not one on architecture search)."""
    toward = 2 * history.vectors[b] + history.vectors[a]
    row = history.paper_index.get(precedent) if precedent else None
    return toward + history.paper_vectors[row] if row is not None else toward


def _pair_context(
    history: History,
    snapshot: Snapshot,
    pick: _Pick,
    shared: np.ndarray,
    *,
    hubs: set[int],
    groups: np.ndarray,
) -> PairContext:
    """What the writer needs: the method, the target and the problem between them; a paper that
    uses the method on that problem; papers on the target; and the target's own company (the
    datasets and metrics it is measured with, the methods it is done with)."""
    a, b, via = pick.a, pick.b, pick.via
    failure = bool(is_failure(history, np.array([b]))[0])
    alike: list[tuple[int, int]] = []  # for a direct pair on a failure: like failures fought
    if via >= 0 and pick.precedent:
        precedent = [GroundingPaper(key=pick.precedent, title="", abstract="", concept="via")]
    elif via >= 0:
        both = np.intersect1d(history.papers_of(a), history.papers_of(via), assume_unique=True)
        recent = both[np.argsort(-history.paper_day[both])][:GROUNDING_POOL]
        toward = history.vectors[b]
        best = recent[np.argsort(-(history.paper_vectors[recent] @ toward), kind="stable")][:1]
        precedent = [
            GroundingPaper(key=history.paper_keys[int(r)], title="", abstract="", concept="via")
            for r in best
        ]
    else:  # no precedent: the method's papers closest to the target instead
        fighters = failure and snapshot.fight_record[a] >= FIGHT_RECORD_MIN
        alike = (
            alike_failures_fought(snapshot, a, b, fight_likeness_floor(snapshot))
            if fighters
            else []
        )
        against = [p for p, _ in alike] if alike else None
        precedent = [
            GroundingPaper(key=key, title="", abstract="", concept=history.concept_keys[a])
            for key in _grounding(
                history, a, history.vectors[b], fighting=fighters, against=against
            )
        ]
    precedent_key = precedent[0].key if via >= 0 and precedent else None
    papers = precedent + [
        GroundingPaper(key=key, title="", abstract="", concept=history.concept_keys[b])
        for key in _grounding(history, b, _setup_direction(history, a, b, precedent_key))
    ]
    # The data, metric and comparison come from the paper whose setup the idea reproduces, so
    # they belong together ("the Minecraft paper's setup on GSM8K" came of mixing sources);
    # only a comparison method it lacks is taken from the target's company in the graph.
    exclude = {a, via, b} | hubs
    setup = (
        history.paper_index.get(papers[len(precedent)].key)
        if len(papers) > len(precedent)
        else None
    )
    company = _setup_company(history, snapshot, b, setup, exclude=exclude)
    company["method"] = _rivals(history, snapshot, a, b, setup, exclude=exclude)
    return PairContext(
        a=_side(history, snapshot, a),
        b=_side(history, snapshot, b),
        papers=tuple(papers),
        shared_neighbours=tuple(history.concept_names[int(i)] for i in shared[:5]),
        forecast=pick.forecast,
        via=_side(history, snapshot, via) if via >= 0 else None,
        analogy=round(pick.analogy, 2) if via >= 0 else None,
        target_company=company,
        loose_use=_loose_use(history, snapshot, a, b, groups) if via < 0 else None,
        fight_record=_fight_record(history, snapshot, a) if via < 0 and failure else None,
        alike_fought=tuple((history.concept_names[p], n) for p, n in alike[:3]),
    )


def _fight_record(history: History, snapshot: Snapshot, method: int) -> tuple[int, tuple[str, ...]]:
    """How many papers naming `method` set out to fight a phenomenon, and the phenomena they
    fight most often."""
    papers = history.papers_of(method, until=snapshot.day)
    fought = history.fights_of(papers[history.fighting_papers[papers]])
    return int(snapshot.fight_record[method]), tuple(history.concept_names[c] for c in fought[:3])


def _loose_use(
    history: History, snapshot: Snapshot, a: int, b: int, groups: np.ndarray
) -> tuple[str, float] | None:
    found = closest_use(snapshot, a, b, groups)
    return (history.concept_names[found[0]], round(found[1], 2)) if found else None


def _setup_company(
    history: History, snapshot: Snapshot, target: int, setup: int | None, *, exclude: set[int]
) -> dict[str, tuple[str, ...]]:
    """Datasets and metrics of the setup paper, the target's strongest partners first."""
    if setup is None:
        return {}
    row = snapshot.cooc[target]
    in_paper = history.incidence[setup].indices
    strength = np.asarray(row[:, in_paper].todense()).ravel()
    company = _by_kind(history, in_paper[np.argsort(-strength, kind="stable")], exclude)
    company.pop("method", None)  # the comparison is chosen by `_rivals`
    return company


def _rivals(
    history: History,
    snapshot: Snapshot,
    method: int,
    target: int,
    setup: int | None,
    *,
    exclude: set[int],
) -> tuple[str, ...]:
    """What the method is compared with: methods of the setup paper, then of the target's
    company, that are used where the method is used (centred context cosine at least
    RIVAL_MIN_SIMILARITY), most alike first. A VAE is not compared with an actor-critic
    algorithm because both appear next to distribution shift; with no such rival, none is named."""
    row = snapshot.cooc[target]
    order = row.indices[np.argsort(-row.data, kind="stable")]
    if setup is not None:
        order = np.concatenate([history.incidence[setup].indices, order])
    context = snapshot.context_centred
    scored = []
    term = history.concept_terms[method]  # an acronym's long form: DPO is preference optimization
    for i in _nameable(history, order, exclude):
        if share_a_word(history.concept_terms[i], term):
            continue  # "LoRA" is no rival to "LoRA adapters", nor DPO to preference optimization
        if history.concept_kinds[i] == "method" and len(scored) < RIVAL_POOL:
            scored.append((float(context[i] @ context[method]), i))
    return tuple(
        history.concept_names[i]
        for similarity, i in sorted(scored, reverse=True)[:3]
        if similarity >= RIVAL_MIN_SIMILARITY
    )


def _by_kind(history: History, order: np.ndarray, exclude: set[int]) -> dict[str, tuple[str, ...]]:
    """The first three concepts of each kind in `order` that an idea can name."""
    company: dict[str, list[str]] = {}
    for i in _nameable(history, order, exclude):
        names = company.setdefault(history.concept_kinds[i], [])
        if len(names) < 3:
            names.append(history.concept_names[i])
    return {kind: tuple(names) for kind, names in company.items()}


def _nameable(history: History, order: np.ndarray, exclude: set[int]) -> Iterator[int]:
    """The concepts in `order` (once each) that an idea can name as data, metric or rival."""
    seen = set(exclude)
    for i in map(int, order):
        if i in seen:
            continue
        seen.add(i)
        kind, name = history.concept_kinds[i], history.concept_names[i]
        term = history.concept_terms[i]
        if (
            phrase_is_generic(term.split(), strict=True)
            or (kind == "method" and not interventions([term])[0])  # a rival is a method
            or (" " not in name and name.islower())
            or name.lower() in FIELD_NAMES
            or (kind == "dataset" and not dataset_is_named(name))
        ):
            continue  # lone lower-case words ("speech", "road") name no dataset or metric
        yield i


def _fill_paper_texts(store, contexts: list[PairContext]) -> None:
    keys = {paper.key for context in contexts for paper in context.papers}
    texts = store.papers_text(keys=sorted(keys))
    for i, context in enumerate(contexts):
        papers = tuple(
            GroundingPaper(p.key, *texts.get(p.key, ("", "")), concept=p.concept)
            for p in context.papers
        )
        contexts[i] = replace(context, papers=papers)


def _fill_causes(run: _BatchRun, contexts: list[PairContext]) -> None:
    """An idea against a failure whose papers say something like the method brings it about
    ("fine-tuning on incorrect data can lead to emergent misalignment", for instruction tuning)
    carries that sentence: the method may be a cause, not a cure. Reads the failure's
    CAUSE_SCAN_PAPERS most recent papers of the snapshot, all of them in one store call."""
    history, day = run.history, run.snapshot.day
    against = [
        (i, history.concept_index[c.b.key])
        for i, c in enumerate(contexts)
        if c.b.kind == "phenomenon" and phenomenon_aim(c.b.key) == REDUCE
    ]
    papers = {}
    for _, failure in against:
        if failure not in papers:
            found = history.papers_of(failure, until=day)
            recent = found[np.argsort(-history.paper_day[found], kind="stable")][:CAUSE_SCAN_PAPERS]
            papers[failure] = [history.paper_keys[int(p)] for p in recent]
    texts = run.store.papers_text(keys=sorted({k for keys in papers.values() for k in keys}))
    for i, failure in against:
        context = contexts[i]
        for key in papers[failure]:
            title, abstract = texts.get(key, ("", ""))
            said = cause_sentence(context.a.name, context.b.name, f"{title}. {abstract}")
            if said:
                contexts[i] = replace(context, cause=(title, said))
                break


# -- feedback ------------------------------------------------------------------------------------
def idea_feedback_set(*, idea: Idea, feedback: str, user=None) -> Idea:
    if feedback not in Idea.Feedback.values:
        raise IdeationError(f"feedback must be one of starred, rejected or empty; got {feedback!r}")
    idea.feedback = "" if idea.feedback == feedback else feedback  # pressing again clears it
    idea.feedback_by = user if idea.feedback else None
    idea.save(update_fields=["feedback", "feedback_by"])
    return idea


def idea_novelty_live(*, idea: Idea, live_search=None) -> Idea:
    """Search arXiv beyond the graph for papers naming both of the idea's concepts; a hit that
    names them all makes the idea not novel, with that paper as the decisive one. When arXiv
    cannot be reached the idea keeps its verdict and the evidence says why."""
    live_search = live_search or live_search_from_settings()
    found = live_search([side["name"] for side in idea.concepts])
    evidence = {**idea.evidence, "live": found.as_dict()}
    update = ["evidence"]
    if found.decisive is not None:
        evidence["decisive_paper"] = evidence.get("decisive_paper") or (
            f"arXiv:{found.decisive.arxiv_id}"
        )
        idea.verdict = Idea.Verdict.NOT_NOVEL
        idea.novelty = min(idea.novelty, COVERED_CEILING / 2)
        update += ["verdict", "novelty"]
    idea.evidence = evidence
    idea.save(update_fields=update)
    return idea


# -- novelty of free-text ideas ------------------------------------------------------------------
def live_search_from_settings():
    """The live arXiv search as configured: the client waits ARXIV_DELAY_SECONDS between
    requests, answers are cached in the data dir."""
    from ideation.arxiv_search import arxiv_search_live
    from ingest.services import arxiv_client

    client = arxiv_client()
    cache_dir = settings.IDEATION_DIR / "arxiv-cache"
    return lambda names: arxiv_search_live(names=names, client=client, cache_dir=cache_dir)


def texts_novelty(*, texts: list[str], as_of: str | None = None, live_search=None) -> list:
    """Novelty results for idea statements, checked against the papers published by `as_of`
    (all papers when None), and beyond the graph through `live_search` when given. The forecast
    in the evidence is for the statement's two best-known concepts when a model is available."""
    history = history_now()
    if not history.paper_keys:
        raise IdeationError("the graph has no papers to check against: ingest papers first")
    store = get_store()
    forecaster = forecaster_current(history=history, retrain=False)
    snapshot = snapshot_now(history) if forecaster.model is not None else None
    vectors = embedding.encode(texts) if texts else []
    checked_at = timezone.now().isoformat(timespec="seconds")
    results = []
    for text, vector in zip(texts, vectors, strict=True):
        result = novelty_check(
            text=text,
            vector=vector,
            history=history,
            store=store,
            as_of=as_of,
            checked_at=checked_at,
            live_search=live_search,
        )
        found = [history.concept_index[k] for k in result.evidence.concepts][:2]
        if snapshot is not None and len(found) == 2:
            score = forecaster.scores(snapshot, np.asarray(found[:1]), np.asarray(found[1:]))
            result.evidence.forecast = round(float(score[0]), 4)
        results.append(result)
    return results
