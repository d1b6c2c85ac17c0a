"""The programs outside Python that some tests need: Chromium with chromedriver, Java, Redis, gunicorn.

On a developer's machine, a test whose program is missing skips and names it. Under ``CI=true`` it fails
instead: CI must never go green by testing less, and `.ci/run` installs and starts every one of them.
"""

import os
import shutil

import pytest
import redis
from selenium import webdriver

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
HEADLESS = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]


def unavailable(reason):
    """Skip the test for want of an outside program, or fail it when running under CI."""
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI=true, so this cannot skip: {reason}", pytrace=False)
    pytest.skip(reason)


def redis_client(url):
    """A client of the Redis at ``url``, which answered a ping."""
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.ConnectionError:
        unavailable(f"Redis is not reachable at {url}")
    return client


def chromium(*arguments, browser_log=False):
    """A headless Chromium under Selenium, with the given extra command-line arguments; the caller quits it."""
    if not (CHROMIUM and CHROMEDRIVER):
        unavailable("headless Chromium needs Debian's chromium and chromium-driver packages")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in [*HEADLESS, *arguments]:
        options.add_argument(argument)
    if browser_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
