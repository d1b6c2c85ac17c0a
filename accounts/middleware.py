from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

from . import audit
from .sessions import why_ended


class StaffSessionMiddleware:
    """Ends sessions that have idled or lived too long, or were logged out everywhere; and lets audit
    entries made while serving a request know whose request it was and from where."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = audit.current_request.set(request)
        try:
            # Only requests carrying a session cookie: readers' pages must not touch (and Vary on) the session.
            if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
                reason = why_ended(request)
                if reason:
                    logout(request)
                    messages.info(request, reason)
            return self.get_response(request)
        finally:
            audit.current_request.reset(token)
