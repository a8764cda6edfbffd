"""Vigil client for Python (standard library only, 3.8+).

    from vigil_sdk import Vigil
    vigil = Vigil("https://vigil.example.com", "API_KEY")
    vigil.track(user_name="alice", ip_address="203.0.113.7", url="/login", event_type="account_login")
"""

from .client import Decision, RetryPolicy, Vigil, VigilError, VigilWarning, parse_retry_after, to_wire
from .web import RequestTracker, VigilWSGI, client_ip, request_event

__version__ = "0.1.0"
__all__ = [
    "Vigil",
    "VigilError",
    "VigilWarning",
    "Decision",
    "RetryPolicy",
    "RequestTracker",
    "VigilWSGI",
    "client_ip",
    "request_event",
    "parse_retry_after",
    "to_wire",
]
