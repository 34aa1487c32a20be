"""The WSGI entry point loads what requests need while a worker boots."""

import os
import subprocess
import sys


def test_a_booted_worker_has_every_view_and_the_vocabulary_loaded(tmp_path):
    """On the 54k graph each gunicorn worker's first request took 2.2-2.5 s, most of it
    importing modules; a fresh interpreter importing the WSGI module must have done that."""
    probe = (
        "import sys, webapp.wsgi; from ingest import extraction;"
        "assert 'browse.views' in sys.modules and 'ideation.views' in sys.modules;"
        "assert extraction.default_vocabulary.cache_info().currsize == 1"
    )
    run_in_a_fresh_interpreter(probe, tmp_path)


def test_a_worker_loads_the_embedding_model_after_its_first_request(tmp_path):
    """Not at boot (the first page would wait for it), but once a request has been answered,
    so that the first search does not pay for it."""
    probe = (
        "import threading, webapp.wsgi; from index import embedding;"
        "from django.core.signals import request_finished;"
        "assert embedding.get_model.cache_info().currsize == 0;"
        "request_finished.send(sender=None); request_finished.send(sender=None);"
        "loaders = [t for t in threading.enumerate() if t.name == 'embedding-warm-up'];"
        "assert len(loaders) == 1, loaders; loaders[0].join(120);"
        "assert embedding.get_model.cache_info().currsize == 1"
    )
    run_in_a_fresh_interpreter(probe, tmp_path)


def run_in_a_fresh_interpreter(code: str, data_dir) -> None:
    env = {**os.environ, "IDEAGRAPH_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
