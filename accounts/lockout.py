"""How many failed logins count against a request: django-axes' database handler, with two thresholds.

Axes counts failures per lockout parameter (settings.AXES_LOCKOUT_PARAMETERS: the username at this
address, and the address alone) and compares the largest count with one limit. A username alone is never
counted, so guessing at an Editor's password from elsewhere cannot lock the Editor out. An address alone
may fail more often (LOGIN_ADDRESS_FAILURE_LIMIT) before it is refused, because a newsroom behind one NAT
shares an address; its count is scaled onto axes' limit.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        by_user_here, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = get_failure_limit(request, credentials)
        return max(by_user_here, by_address * limit // settings.LOGIN_ADDRESS_FAILURE_LIMIT)
