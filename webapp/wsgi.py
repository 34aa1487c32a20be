import os

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


_warm_up()
