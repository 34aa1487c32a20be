"""How long the explorer takes to draw large neighbourhoods in headless Chromium (Debian's), and
how quickly a click shows the side panel, against a data dir holding a large graph.

    python bench/bench_explorer_render.py --data-dir /work/bigdata [--concepts a,b,c]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--concepts", default="largelanguagemodel,sparseautoencoder,rewardhacking,diffusionmodel"
    )
    parser.add_argument("--limit", type=int, default=500)
    args = parser.parse_args()
    env = {
        **os.environ,
        "IDEAGRAPH_DATA_DIR": str(args.data_dir),
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
        "HF_HUB_OFFLINE": "1",
    }
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results = []
    try:
        time.sleep(4)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=ARGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for key in args.concepts.split(","):
                started = time.perf_counter()
                page.goto(
                    f"http://127.0.0.1:{port}/graph/?concept={key}&depth=2&limit={args.limit}"
                )
                page.wait_for_selector("#explorer[data-ready='true']", timeout=120_000)
                ready_s = time.perf_counter() - started
                nodes = page.evaluate("window.ideagraphExplorer.cy.nodes().length")
                edges = page.evaluate("window.ideagraphExplorer.cy.edges().length")
                render_ms = int(page.get_attribute("#explorer", "data-render-ms"))
                # A tap on the centre node (as a click fires it) until its summary shows.
                clicked = time.perf_counter()
                page.evaluate(
                    "(id) => window.ideagraphExplorer.cy.getElementById(id).emit('tap')", key
                )
                page.wait_for_selector(f"#panel [data-concept='{key}']", timeout=30_000)
                panel_ms = round((time.perf_counter() - clicked) * 1000)
                results.append(
                    {
                        "concept": key,
                        "nodes": nodes,
                        "edges": edges,
                        "page_ready_s": round(ready_s, 2),
                        "draw_ms": render_ms,
                        "click_to_panel_ms": panel_ms,
                    }
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
