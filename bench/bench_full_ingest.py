"""One ingest of the whole shared arXiv file (54,002 papers) into a fresh data dir, in-process
(`ingest --sync`): wall time, peak memory of the ingest process and of the embedded server.

    python bench/bench_full_ingest.py [--file PATH] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=SHARED / "arxiv_cs_2025-03_2026-03.jsonl.gz")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/ideagraph-bench-full"))
    args = parser.parse_args()
    shutil.rmtree(args.data_dir, ignore_errors=True)
    env = {**os.environ, "IDEAGRAPH_DATA_DIR": str(args.data_dir)}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "services", "start", "--no-workers"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run([*manage, "ingest", "--file", str(args.file), "--sync"], env=env, check=True)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stats = json.loads(
        subprocess.run(
            [*manage, "graph_stats", "--json"], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    server = redis.Redis(unix_socket_path=str(args.data_dir / "server" / "redis.sock"))
    server_peak = server.info("memory")["used_memory_peak"]
    result = {
        "papers_in_file": args.file.name,
        "embedding_quantize": os.environ.get("EMBEDDING_QUANTIZE", ""),
        "wall_s": round(wall, 1),
        "ingest_process_peak_rss_mib": round(peak_kib / 1024, 1),
        "server_used_memory_peak_mib": round(server_peak / 2**20, 1),
        "graph": stats,
    }
    print(json.dumps(result, indent=2))
    subprocess.run([*manage, "services", "stop"], env=env, check=True)


if __name__ == "__main__":
    main()
