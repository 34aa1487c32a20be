"""Settings for the test suite: a throwaway data dir, and a file-based test database so that a
real Celery worker started by a test sees the rows the test wrote."""

import os
import tempfile

os.environ.setdefault("IDEAGRAPH_DATA_DIR", tempfile.mkdtemp(prefix="ideagraph-test-"))
os.environ.setdefault("GRAPH_NAME", "ideagraph_test")

from webapp.settings import *  # noqa: E402,F403
from webapp.settings import DATA_DIR, DATABASES  # noqa: E402

DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
