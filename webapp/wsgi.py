import os
import threading

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import every view (and what they import: numpy, scipy, the graph client) and the concept
    vocabulary while the worker boots, not on its first request: on the 54k graph each gunicorn
    worker's first request took 2.2-2.5 s, 3.2 s of 4.3 s of it importing modules."""
    from django.urls import get_resolver

    from ingest.extraction import default_vocabulary
    from ingest.termhood import background

    get_resolver().url_patterns  # noqa: B018 - loading the URLconf imports every view
    default_vocabulary()
    background()


def _load_embedding_model_after_first_request() -> None:
    """Load the embedding model in the background once the worker has answered its first
    request: a worker's first search paid 4.3 s for it (torch and the weights) on the demo
    corpus. Not at boot, where it would compete with the first page for the CPU; not before the
    fork, where torch's threads would not survive."""
    started = threading.Event()

    def load(**_: object) -> None:
        if started.is_set():
            return
        started.set()
        from index import embedding

        threading.Thread(target=embedding.warm, name="embedding-warm-up", daemon=True).start()

    request_finished.connect(load, weak=False, dispatch_uid="embedding-warm-up")


_warm_up()
_load_embedding_model_after_first_request()
