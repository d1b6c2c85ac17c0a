"""Settings for the test suite: the real settings, with a throwaway key, fast hashing and a local cache.

The suite's result must not depend on the shell it is started from. Every environment variable that
newsroom/settings.py or gunicorn.conf.py reads is dropped before the settings load, except DATABASE_URL, which
chooses the database under test. Because this happens in os.environ, the processes that tests start
(manage.py check --deploy, gunicorn) inherit the cleaned environment too, and set what they need themselves.
"""

import ast
import hashlib
import os
import tempfile
from pathlib import Path

KEPT = {"DATABASE_URL"}


def variables_read_by(path):
    """Names of the environment variables a module reads: os.environ.get("X"), os.environ["X"], "X" in
    os.environ, and the settings' env_bool("X") / env_list("X")."""
    names = set()
    for node in ast.walk(ast.parse(Path(path).read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = ast.unparse(node.func)
            if function in {"os.environ.get", "os.getenv", "env_bool", "env_list"}:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Constant)
            and any(ast.unparse(c) == "os.environ" for c in node.comparators)
        ):
            names.add(node.left.value)
    return names


ROOT = Path(__file__).resolve().parent.parent
for name in (
    variables_read_by(ROOT / "newsroom" / "settings.py") | variables_read_by(ROOT / "gunicorn.conf.py")
) - KEPT:
    os.environ.pop(name, None)
os.environ["SECRET_KEY"] = "test-suite-only-secret-key-not-for-any-deployment"

from .settings import *  # noqa: E402, F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The test database lives in a file, not in memory. An in-memory database is one connection, which the live
    # server's request threads share; the editor page's overlapping requests (autosave, checklist, preview) then
    # collide in one transaction ("cannot start a transaction within a transaction"). In a file each thread has
    # its own connection, as in production. One file per checkout, so two checkouts can test at once.
    checkout = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"newsroom-test-{checkout}.sqlite3")
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
WHITENOISE_USE_FINDERS = True
# Page caching is switched on by the tests that exercise it (tests/test_production_cache.py), so query budgets
# and other tests see every request rendered.
PAGE_CACHE_SECONDS = 0
# Background tasks run at once, so a saved story has its renditions when save() returns; the queue itself is
# exercised by the tests that switch to the database backend (tests/test_background_renditions.py).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Tests log staff in with force_login; the tests of the second factor switch the Editors' requirement on.
TWO_FACTOR_REQUIRED_FOR_EDITORS = False
