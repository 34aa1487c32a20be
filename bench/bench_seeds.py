"""How seeded batches fare on a graph: for each seed of the programme's topics, how many of the
ideas asked for a batch delivers (with `--repeats`, so ideas already held do not count against
it), in how long, what it says when it delivers fewer, and the titles, to read.

    python bench/bench_seeds.py --data-dir /tmp/demo [--n 8] [--seeds "a,b"] [--json]

The data dir must hold a graph (the demo corpus, or any other); nothing is ingested.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The programme's topics: interpretability (sparse autoencoders and what they study), model
# editing, and the failures safety work fights.
SEEDS = (
    "sparse autoencoder",
    "superposition",
    "polysemanticity",
    "activation steering",
    "model editing",
    "knowledge editing",
    "unlearning",
    "reward hacking",
    "sycophancy",
    "jailbreak",
    "hallucination",
    "deception",
    "emergent misalignment",
    "backdoor",
    "prompt injection",
)


def seeded_batch(data_dir: Path, seed: str, n: int) -> dict:
    env = {**os.environ, "IDEAGRAPH_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ideas.jsonl"
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "ideate", "--n", str(n), "--seed-concepts",
             seed, "--repeats", "--sync", "--out", str(out)],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        ideas = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    said = (run.stderr.strip().splitlines() or [""])[-1] if run.returncode else ""
    notes = [line for line in run.stdout.splitlines()[1:] if line.strip()]
    return {
        "seed": seed,
        "asked": n,
        "delivered": len(ideas),
        "seconds": round(seconds, 1),
        "refused": said.removeprefix("CommandError: "),
        "notes": notes,
        "titles": [idea["title"] for idea in ideas],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--seeds", default=",".join(SEEDS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [
        seeded_batch(args.data_dir, seed.strip(), args.n)
        for seed in args.seeds.split(",")
        if seed.strip()
    ]
    summary = {
        "seeds": len(results),
        "full": sum(r["delivered"] == r["asked"] for r in results),
        "empty": sum(r["delivered"] == 0 for r in results),
        "ideas": sum(r["delivered"] for r in results),
        "asked": sum(r["asked"] for r in results),
        "results": results,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for r in results:
        print(f"{r['seed']}: {r['delivered']} of {r['asked']} in {r['seconds']} s")
        if r["refused"]:
            print(f"  refused: {r['refused'][:300]}")
        elif r["delivered"] < r["asked"]:
            for note in r["notes"]:
                print(f"  said: {note[:300]}")
        for title in r["titles"]:
            print(f"  - {title}")
    print(
        f"{summary['full']} of {summary['seeds']} seeds got every idea asked, {summary['empty']} "
        f"none; {summary['ideas']} of {summary['asked']} ideas in all"
    )


if __name__ == "__main__":
    main()
