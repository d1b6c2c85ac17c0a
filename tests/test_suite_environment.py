"""The suite's result does not depend on the developer's shell: only DATABASE_URL (the database under test)
gets through from the environment to the test settings, and CI=true turns a missing program from a skip into a
failure."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .external import unavailable

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_AS_JSON = """
import json
from django.conf import settings

def stable(value):
    # A set's repr follows string hashing, which differs between interpreters: compare its members in order.
    if isinstance(value, (set, frozenset)):
        return repr(sorted(value, key=repr))
    return repr(value)

print(json.dumps({name: stable(getattr(settings, name)) for name in dir(settings) if name.isupper()}))
"""
SHELL = {
    "DEBUG": "1",
    "SECRET_KEY": "exported-in-a-developer-shell",
    "ALLOWED_HOSTS": "news.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PAGE_CACHE_SECONDS": "5",
    "AWS_STORAGE_BUCKET_NAME": "a-bucket",
    "TIME_ZONE": "Asia/Tokyo",
    "SITE_NAME": "Elsewhere",
    "LOG_LEVEL": "DEBUG",
    "MEDIA_ROOT": "/tmp/elsewhere",
}


def settings_under(environment):
    """The test settings, as loaded by a fresh interpreter with only PATH and ``environment``."""
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_AS_JSON],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "newsroom.test_settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_exported_variables_change_no_test_setting():
    clean = settings_under({})
    exported = settings_under(SHELL)
    assert exported["DEBUG"] == "False"
    assert {name for name in clean if clean[name] != exported[name]} == set()


def test_database_url_still_chooses_the_database():
    chosen = settings_under({**SHELL, "DATABASE_URL": "postgres://someone@db.example:5432/chosen"})
    assert "'ENGINE': 'django.db.backends.postgresql'" in chosen["DATABASES"]
    assert "'NAME': 'chosen'" in chosen["DATABASES"]


def test_a_missing_program_skips_on_a_developer_machine(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromedriver"):
        unavailable("no chromedriver")


def test_a_missing_program_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true, so this cannot skip: no chromedriver"):
        unavailable("no chromedriver")
