"""Session lifetimes for staff: an idle timeout, an absolute lifetime, and "log out everywhere".

The user's last "log out everywhere" comes loaded with the user (accounts.backends.StaffBackend).
"""

import time

from django.conf import settings

STARTED, SEEN = "accounts.started_at", "accounts.seen_at"
# Noting activity writes the session; once a minute is precise enough for an idle timeout in minutes.
SEEN_PRECISION = 60


def start_session(request):
    now = time.time()
    request.session[STARTED] = now
    request.session[SEEN] = now


def why_ended(request):
    """Why this logged-in session is over (a sentence for the login page), or None while it is good.

    Notes the request as activity when the session goes on.
    """
    session, now = request.session, time.time()
    started = session.setdefault(STARTED, now)
    seen = session.get(SEEN, started)
    if now - seen > settings.STAFF_SESSION_IDLE_MINUTES * 60:
        return f"You were logged out after {settings.STAFF_SESSION_IDLE_MINUTES} minutes without activity."
    if now - started > settings.STAFF_SESSION_MAX_HOURS * 3600:
        return f"Sessions last at most {settings.STAFF_SESSION_MAX_HOURS} hours: please log in again."
    cutoff = getattr(request.user, "logged_out_everywhere_at", None)
    if cutoff is not None and started < cutoff.timestamp():
        return "Your account was logged out everywhere: please log in again."
    if now - seen >= SEEN_PRECISION:
        session[SEEN] = now
    return None
