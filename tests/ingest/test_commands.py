import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.conftest import sample_lines, write_jsonl

pytestmark = pytest.mark.django_db


def test_ingest_sync_and_graph_stats_json(clean_state, tmp_path, capsys):
    call_command(
        "ingest", "--file", str(write_jsonl(tmp_path / "p.jsonl", sample_lines(5))), "--sync"
    )
    assert "succeeded: seen 5, new 5" in capsys.readouterr().out
    call_command("graph_stats", "--json")
    stats = json.loads(capsys.readouterr().out)
    expected = {"papers", "concepts", "fields", "authors", "mentions", "paper_vectors",
                "concept_vectors"}  # fmt: skip
    assert expected <= set(stats)
    assert stats["papers"] == stats["paper_vectors"] == 5


@pytest.mark.parametrize(
    ("name", "message"), [("papers.xml", "unknown format"), ("absent.jsonl", "no such file")]
)
def test_ingest_refuses_unreadable_sources(clean_state, tmp_path, name, message):
    if name.endswith(".xml"):
        (tmp_path / name).write_text("<x/>")
    with pytest.raises(CommandError, match=message):
        call_command("ingest", "--file", str(tmp_path / name), "--sync")


def test_extract_concepts_cli(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "d1", "text": "Sparse autoencoders (SAEs) find features in LLMs."})
        + "\nnot json\n"
    )
    out = tmp_path / "out.jsonl"
    call_command("extract_concepts", "--file", str(source), "--out", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["d1"]
    concepts = {c["name"]: c for c in lines[0]["concepts"]}
    assert "sparse autoencoders" in concepts and "LLM" in concepts  # as written
    start, end = concepts["sparse autoencoders"]["spans"][0]
    assert "Sparse autoencoders (SAEs) find"[start:end].lower().startswith("sparse autoencoder")


def test_commands_work_on_a_fresh_data_dir(tmp_path):
    """The CLI on a new IDEAGRAPH_DATA_DIR with nothing started: it starts what it needs."""
    fresh = tmp_path / "fresh"
    env = {"IDEAGRAPH_DATA_DIR": str(fresh), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1",
           "DJANGO_SETTINGS_MODULE": "webapp.settings"}  # fmt: skip
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    papers = write_jsonl(tmp_path / "p.jsonl", sample_lines(3))
    try:
        run = subprocess.run([*manage, "ingest", "--file", str(papers), "--sync"], env=env,
                             capture_output=True, text=True)  # fmt: skip
        assert run.returncode == 0, run.stderr
        stats = subprocess.run([*manage, "graph_stats", "--json"], env=env, capture_output=True,
                               text=True, check=True)  # fmt: skip
        assert json.loads(stats.stdout)["papers"] == 3
        bad = subprocess.run([*manage, "ingest", "--file", str(tmp_path / "x.doc"), "--sync"],
                             env=env, capture_output=True, text=True)  # fmt: skip
        assert bad.returncode != 0 and "unknown format" in bad.stderr
    finally:
        subprocess.run([*manage, "services", "stop"], env=env, check=False)


def test_an_unusable_data_dir_is_named_in_one_line(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    env = {"IDEAGRAPH_DATA_DIR": str(tmp_path / "a-file" / "data"), "PATH": "/usr/bin:/bin"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    run = subprocess.run([*manage, "graph_stats"], env=env, capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        f"ideagraph: the data dir {tmp_path / 'a-file' / 'data'} (IDEAGRAPH_DATA_DIR) cannot be "
        "created: Not a directory"
    ]


def test_refresh_concept_stats_rebuilds_what_an_older_graph_lacks(clean_state, tmp_path, capsys):
    call_command(
        "ingest", "--file", str(write_jsonl(tmp_path / "p.jsonl", sample_lines(8))), "--sync"
    )
    before = clean_state._run("MATCH (c:Concept) RETURN c.key, c.papers, c.fields ORDER BY c.key")
    # As a graph written before field profiles and partner lists existed.
    clean_state._run(
        "MATCH (c:Concept) SET c.fields = null, c.field_counts = null, c.top_keys = null",
        write=True,
    )
    capsys.readouterr()
    call_command("refresh_concept_stats")
    assert f"refreshed {len(before):,} concepts" in capsys.readouterr().out
    after = clean_state._run("MATCH (c:Concept) RETURN c.key, c.papers, c.fields ORDER BY c.key")
    assert after == before
    assert clean_state.concept_tops(keys=[k for k, n, _ in before if n >= 3])


def test_a_command_on_vectors_from_another_embedding_says_so_in_a_line(clean_state, vector_dir):
    vector_dir.mkdir(parents=True, exist_ok=True)
    record = {"model": "all-MiniLM-L6-v2", "max_tokens": 128, "quantize": "int8"}
    (vector_dir / "embedding.json").write_text(json.dumps(record))
    with pytest.raises(CommandError, match="another embedding.*rebuild_index"):
        call_command("graph_stats")
