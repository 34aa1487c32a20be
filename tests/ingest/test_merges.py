"""Concepts written two ways become one, through the real pipeline, graph and embedding."""

import pytest

from index.vectorindex import CONCEPTS, get_index, vector_id
from ingest import services
from ingest.merges import concepts_merge_variants
from ingest.models import ConceptMerge
from ingest.text import squash
from tests.conftest import write_jsonl

pytestmark = pytest.mark.django_db


def paper(n: int, abstract: str) -> dict:
    return {
        "id": f"2501.{n:05d}",
        "title": f"A study {n}",
        "abstract": abstract,
        "categories": ["cs.CL"],
        "published": "2025-01-15",
    }


PAPERS = [
    paper(1, "We measure how jailbreak attacks transfer between GPT-3 and GPT-4."),
    paper(2, "Jailbreak attacks are studied on open models; GPT-4 resists them best."),
    paper(3, "A defense against jailbreaking attacks that filters prompts before GPT-3 sees them."),
    paper(5, "Jailbreaking attacks on vision-language models bypass their safety training."),
]


def run(tmp_path, name: str, papers: list[dict]):
    job = services.ingest_file_job_create(path=write_jsonl(tmp_path / name, papers))
    return services.ingest_job_run(job_id=job.pk)


def test_a_name_written_two_ways_is_one_concept_and_says_why(clean_state, tmp_path, client):
    run(tmp_path, "a.jsonl", PAPERS)
    kept, variant = squash("jailbreak attacks"), squash("jailbreaking attacks")
    briefs = clean_state.concepts_brief(keys=[kept, variant, "gpt3", "gpt4"])
    assert variant not in briefs, "the variant was merged at the end of the job"
    assert briefs[kept].papers == 4
    assert {"gpt3", "gpt4"} <= set(briefs), "close in the embedding, but two models"
    merge = ConceptMerge.objects.get(variant_key=variant)
    assert (merge.into_key, merge.reason) == (kept, "same words") and merge.cosine > 0.9
    assert "jailbreaking attacks" in clean_state.concept_detail(key=kept).aliases
    assert get_index(CONCEPTS).missing([vector_id(variant)]), "its vector (2 papers) is gone"

    page = client.get(f"/concepts/{kept}/").content.decode()
    assert "Merged into this concept: “jailbreaking attacks” (same words" in page
    assert client.get(f"/concepts/{variant}/").url == f"/concepts/{kept}/"
    assert (
        client.get("/api/search", {"q": "jailbreaking attacks"}).json()["concepts"][0]["key"]
        == kept
    )

    # A paper ingested later that writes the variant counts for the kept concept.
    run(tmp_path, "b.jsonl", [paper(4, "Jailbreaking attacks succeed on multimodal models.")])
    assert kept in {k for k, _, _ in clean_state.paper_mentions(key="2501.00004")}
    assert variant not in clean_state.concepts_brief(keys=[variant])
    assert clean_state.concepts_brief(keys=[kept])[kept].papers == 5
    assert concepts_merge_variants(dry_run=True) == [], "nothing left to merge"
