"""Load test of the browsing endpoints on loopback against a data dir holding a large graph
(the full shared arXiv file for docs/benchmarks.md).

Starts gunicorn (DEBUG off) on the data dir, warms each endpoint once, then for each endpoint
sends requests from `--clients` threads for `--seconds`, over concepts drawn at random (seeded)
from those in at least 3 papers and search queries drawn from concept names and paper titles.
Reports client latency and the server's own time (the Server-Timing header) as p50/p95/p99.

    python bench/bench_browse_load.py --data-dir /work/bigdata [--clients 2] [--seconds 60]

With `--under-load FILE`, the read endpoints are measured twice: idle, then while `manage.py
ingest --file FILE --sync` and an idea batch (`ideate --n 30 --sync`) run beside the server
(issue 13: the browse p95 under load within 2x of idle, and nothing lost: the graph gains
exactly the papers the job reports as new, and no request fails).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def sample_inputs(env: dict, n: int, seed: int) -> dict[str, list[str]]:
    """Concept keys (in 3+ papers), search queries, the 20 biggest hubs and paper ids, drawn
    from the graph itself."""
    code = f"""
import json, random
import django; django.setup()
from graph.factory import get_store
store = get_store()
concepts = [c for page in store.concept_profiles(min_papers=3) for c in page]
keys, names = [c.key for c in concepts], [c.name for c in concepts]
titles = [t for page in store.paper_texts() for _, t, _ in page]
rng = random.Random({seed})
words = lambda t: " ".join(t.split()[:rng.randint(1, 4)])
queries = [rng.choice(names) for _ in range({n} // 2)]
queries += [words(rng.choice(titles)) for _ in range({n} // 2)]
hubs = [c.key for c in sorted(concepts, key=lambda c: -c.papers)[:20]]
papers = rng.sample([k for page in store.paper_texts() for k, _, _ in page], {n})
print(json.dumps({{"keys": rng.sample(keys, min({n}, len(keys))), "queries": queries,
                   "hubs": hubs, "papers": papers}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_endpoint(port: int, paths: list[str], clients: int, seconds: float) -> dict:
    client_ms: list[float] = []
    server_ms: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            path = paths[next(counter) % len(paths)]
            started = time.perf_counter()
            conn.request("GET", path, headers={"HX-Request": "true"})  # the panel is htmx's
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            timing = re.search(r"dur=([\d.]+)", response.getheader("Server-Timing") or "")
            with lock:
                if response.status != 200:
                    errors.append(f"{response.status} {path}")
                client_ms.append(elapsed)
                if timing:
                    server_ms.append(float(timing.group(1)))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    summary = {
        "requests": len(client_ms),
        "rps": round(len(client_ms) / wall, 1),
        "errors": len(errors),
        "error_examples": errors[:3],
    }
    for name, values in (("client_ms", client_ms), ("server_ms", server_ms)):
        summary[name] = {
            "p50": round(statistics.median(values), 1),
            "p95": round(percentile(values, 95), 1),
            "p99": round(percentile(values, 99), 1),
            "max": round(max(values), 1),
        }
    return summary


LOADED = ("neighbourhood (depth 1, 60 nodes)", "concept page", "search API")


def _papers_in_graph(env: dict) -> int:
    out = subprocess.run(
        [sys.executable, "manage.py", "graph_stats", "--json"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)["papers"]


def under_load(env: dict, port: int, endpoints: dict, args) -> dict:
    """Idle figures, then the same endpoints while an ingest job and an idea batch run."""
    endpoints = {name: endpoints[name] for name in LOADED if name in endpoints}
    idle = {
        name: run_endpoint(port, paths, args.clients, args.seconds)
        for name, paths in endpoints.items()
    }
    before = _papers_in_graph(env)
    started = time.monotonic()
    ingest = subprocess.Popen(
        [sys.executable, "manage.py", "ingest", "--file", str(args.under_load), "--sync"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    ideate = subprocess.Popen(
        [sys.executable, "manage.py", "ideate", "--n", "30", "--sync", "--out", os.devnull],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    loaded = {}
    for name, paths in endpoints.items():
        loaded[name] = run_endpoint(port, paths, args.clients, args.seconds)
        loaded[name]["ingest_still_running"] = ingest.poll() is None
    ingest_out, _ = ingest.communicate()
    ingest_s = time.monotonic() - started
    ideate_out, _ = ideate.communicate()
    job = re.search(r"seen (\d+), new (\d+)", ingest_out)
    new = int(job.group(2)) if job else None
    after = _papers_in_graph(env)
    return {
        "idle": idle,
        "under_load": loaded,
        "p95_ratio": {
            name: round(loaded[name]["server_ms"]["p95"] / idle[name]["server_ms"]["p95"], 2)
            for name in endpoints
        },
        "ingest": {"exit": ingest.returncode, "seconds": round(ingest_s, 1), "new": new,
                   "last_line": ingest_out.strip().splitlines()[-1:]},
        "ideate": {"exit": ideate.returncode, "last_line": ideate_out.strip().splitlines()[-1:]},
        "papers_before": before,
        "papers_after": after,
        "nothing_lost": new is not None and after == before + new,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="", help="run the endpoints whose name contains this")
    parser.add_argument("--under-load", type=Path, help="a paper file to ingest while measuring")
    args = parser.parse_args()
    env = {
        **os.environ,
        "IDEAGRAPH_DATA_DIR": str(args.data_dir),
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
        "DJANGO_DEBUG": "0",
        "HF_HUB_OFFLINE": "1",
    }
    inputs = sample_inputs(env, args.samples, args.seed)
    keys, queries = inputs["keys"], inputs["queries"]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "webapp.wsgi", "-w", str(args.workers),
         "--threads", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        quote = urllib.parse.quote
        endpoints = {
            "neighbourhood (depth 1, 60 nodes)": [f"/api/concepts/{k}/neighborhood" for k in keys],
            "concept page": [f"/concepts/{k}/" for k in keys],
            "search API": [f"/api/search?q={quote(q)}" for q in queries],
            "hub side panel (20 biggest concepts)": [
                f"/concepts/{k}/?panel=1" for k in inputs["hubs"]
            ],
            "paper page": [f"/papers/{k}/" for k in inputs["papers"]],
            "path between two concepts": [
                f"/api/concepts/{a}/path?to={quote(b)}"
                for a, b in zip(keys, reversed(keys), strict=True)
            ],
            "neighbourhood (depth 2, 200 nodes)": [
                f"/api/concepts/{k}/neighborhood?depth=2&limit=200" for k in keys
            ],
        }
        endpoints = {name: paths for name, paths in endpoints.items() if args.only in name}
        # Warm the workers: the embedding model and the indexes load on first use.
        for paths in endpoints.values():
            run_endpoint(port, paths[:6], args.workers * 2, 3)
        if args.under_load:
            results = under_load(env, port, endpoints, args)
        else:
            results = {
                name: run_endpoint(port, paths, args.clients, args.seconds)
                for name, paths in endpoints.items()
            }
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        json.dumps(
            {"clients": args.clients, "gunicorn_workers": args.workers, "results": results},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
