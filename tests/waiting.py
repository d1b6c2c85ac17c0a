"""Waiting for something another process or thread does, in tests that are about correctness, never speed."""

import time


def wait_until(condition, seconds=15):
    """Poll until condition() is true; the limit is generous, as nothing here is about speed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False
