"""Settings for the test suite: the real settings, with a throwaway key, fast hashing and a local cache."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-any-deployment")
os.environ.pop("REDIS_URL", None)

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
WHITENOISE_USE_FINDERS = True
# Page caching is switched on by the tests that exercise it (tests/test_production_cache.py), so query budgets
# and other tests see every request rendered.
PAGE_CACHE_SECONDS = 0
# Tests log staff in with force_login; the tests of the second factor switch the Editors' requirement on.
TWO_FACTOR_REQUIRED_FOR_EDITORS = False
