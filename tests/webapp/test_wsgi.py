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
    env = {**os.environ, "IDEAGRAPH_DATA_DIR": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
