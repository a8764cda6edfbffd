"""Web framework glue without a framework dependency: the request's facts from a WSGI environ (Flask's
``request.environ``, Django's ``request.META``), the client IP behind trusted proxies, and a
per-request tracker with helpers that mark logins, failed logins, registrations and changes."""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Union

from .client import to_wire

__all__ = ["client_ip", "request_event", "RequestTracker", "TrustProxy", "VigilWSGI"]

#: Which proxies to believe: None/False (the socket address only, the default), True (every hop),
#: an int (that many hops next to the app are proxies), addresses/CIDRs (a list or a
#: comma-separated string, with the names ``loopback``, ``linklocal``, ``uniquelocal``), or a
#: function ``(address, hop) -> bool``.
TrustProxy = Union[None, bool, int, str, Iterable[str], Callable[[str, int], bool]]

_PRESETS = {
    "loopback": ["127.0.0.0/8", "::1/128"],
    "linklocal": ["169.254.0.0/16", "fe80::/10"],
    "uniquelocal": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
}


def normalize_ip(text: str) -> str:
    """Brackets, zone and an IPv4 port stripped; IPv4-mapped IPv6 back to IPv4."""
    s = text.strip()
    if s.startswith("["):
        s = s[1 : s.find("]")] if "]" in s else s[1:]
    elif s.count(":") == 1 and "." in s:
        s = s.split(":")[0]
    s = s.split("%")[0]
    try:
        ip = ipaddress.ip_address(s)
    except ValueError:
        return s
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def _compile(trust: TrustProxy) -> Callable[[str, int], bool]:
    if callable(trust):
        return trust  # type: ignore[return-value]
    if trust is True:
        return lambda address, hop: True
    if trust is None or trust is False:
        return lambda address, hop: False
    if isinstance(trust, int):
        n = trust
        return lambda address, hop: hop < n
    items = trust.split(",") if isinstance(trust, str) else list(trust)
    networks = []
    for item in items:
        for cidr in _PRESETS.get(item.strip(), [item.strip()]):
            if cidr:
                networks.append(ipaddress.ip_network(cidr, strict=False))

    def trusted(address: str, hop: int) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip.version == net.version and ip in net for net in networks)

    return trusted


def client_ip(remote_addr: Optional[str], forwarded_for: Optional[str], trust: TrustProxy = None) -> str:
    """From the socket peer, step left through X-Forwarded-For while the hop is a trusted proxy."""
    is_trusted = _compile(trust)
    chain = [remote_addr or ""]
    chain += [h.strip() for h in reversed((forwarded_for or "").split(",")) if h.strip()]
    i = 0
    while i < len(chain) - 1 and is_trusted(normalize_ip(chain[i]), i):
        i += 1
    return normalize_ip(chain[i])


def request_event(environ: Mapping[str, Any], trust_proxy: TrustProxy = None) -> Dict[str, Any]:
    """The request's fields for an event, from a WSGI environ or Django's request.META."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "/")
    query = environ.get("QUERY_STRING", "")
    return {
        "ipAddress": client_ip(environ.get("REMOTE_ADDR"), environ.get("HTTP_X_FORWARDED_FOR"), trust_proxy),
        "url": path + ("?" + query if query else ""),
        "httpMethod": environ.get("REQUEST_METHOD", "GET"),
        "userAgent": environ.get("HTTP_USER_AGENT", ""),
        "browserLanguage": environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        "httpReferer": environ.get("HTTP_REFERER", ""),
        "eventType": "page_view",
    }


class RequestTracker:
    """One request's event: helpers mark what it was; ``finish(status)`` sends it (once).

    With ``track_all=False`` only requests a helper marked are sent."""

    def __init__(
        self,
        client: Any,
        event: Dict[str, Any],
        user_name: Optional[Callable[[], Optional[str]]] = None,
        track_all: bool = True,
    ) -> None:
        self.client = client
        self.event = event
        self._resolve_user = user_name
        self._track_all = track_all
        self._marked = False
        self._sent = False

    def set(self, **fields: Any) -> "RequestTracker":
        self.event.update(to_wire(fields))
        self._marked = True
        self._sent = False
        return self

    def set_user(self, user_name: str, **details: Any) -> "RequestTracker":
        return self.set(user_name=str(user_name), **details)

    def login(self, user_name: str) -> "RequestTracker":
        return self.set(user_name=str(user_name), event_type="account_login")

    def login_failed(self, user_name: str) -> "RequestTracker":
        return self.set(user_name=str(user_name), event_type="account_login_fail")

    def logout(self, user_name: Optional[str] = None) -> "RequestTracker":
        return self.set(user_name=user_name, event_type="account_logout")

    def registered(self, user_name: str, **details: Any) -> "RequestTracker":
        """``details``: email_address, phone_number, first_name, last_name, full_name, user_created."""
        return self.set(user_name=str(user_name), event_type="account_registration", **details)

    def password_changed(self, user_name: Optional[str] = None) -> "RequestTracker":
        return self.set(user_name=user_name, event_type="account_password_change")

    def email_changed(self, old_email: str, new_email: str, user_name: Optional[str] = None) -> "RequestTracker":
        return self.set(
            user_name=user_name,
            event_type="account_email_change",
            email_address=new_email,
            payload={"old_value": old_email, "new_value": new_email},
        )

    def field_edited(
        self, field_id: Any, old_value: Any, new_value: Any, field_name: Optional[str] = None
    ) -> "RequestTracker":
        """One changed field; call it once per field (one field_edit event carries them all)."""
        change: Dict[str, Any] = {
            "field_id": str(field_id),
            "old_value": None if old_value is None else str(old_value),
            "new_value": "" if new_value is None else str(new_value),
        }
        if field_name is not None:
            change["field_name"] = field_name
        history: List[Dict[str, Any]] = list(self.event.get("fieldHistory") or [])
        history.append(change)
        return self.set(event_type="field_edit", field_history=history)

    def decide(self, **fields: Any):  # -> Decision
        """Stores the event as it is now and scores the user (within the client's budget). It is then
        not sent again by ``finish`` unless a helper changes it."""
        self._fill_user()
        result = self.client.decide(dict(self.event, **to_wire(fields)))
        self._sent = True
        return result

    def finish(self, status_code: Optional[int] = None) -> None:
        """Sends the event with the response's status code (the middleware calls it)."""
        if self._sent or (not self._track_all and not self._marked):
            return
        self._sent = True
        if status_code:
            self.event["httpCode"] = int(status_code)
        self._fill_user()
        self.client.track(self.event)

    def _fill_user(self) -> None:
        if "userName" in self.event or self._resolve_user is None:
            return
        try:
            user = self._resolve_user()
        except Exception:  # noqa: BLE001
            user = None
        if user is not None:
            self.event["userName"] = str(user)


class VigilWSGI:
    """WSGI middleware (Flask: ``app.wsgi_app = VigilWSGI(app.wsgi_app, vigil)``): each request gets a
    RequestTracker in ``environ["vigil"]``; its event is sent when the response is closed, with the
    status code. ``user_name(environ)`` names the signed-in user when no helper did."""

    def __init__(
        self,
        app: Callable[..., Any],
        client: Any,
        trust_proxy: TrustProxy = None,
        user_name: Optional[Callable[[Mapping[str, Any]], Optional[str]]] = None,
        track_all: bool = True,
        skip: Optional[Callable[[Mapping[str, Any]], bool]] = None,
    ) -> None:
        self.app = app
        self.client = client
        self.trust_proxy = trust_proxy
        self.user_name = user_name
        self.track_all = track_all
        self.skip = skip

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
        tracker: Optional[RequestTracker] = None
        try:
            if self.skip is None or not self.skip(environ):
                resolve = (lambda: self.user_name(environ)) if self.user_name is not None else None
                event = request_event(environ, self.trust_proxy)
                tracker = RequestTracker(self.client, event, resolve, self.track_all)
        except Exception:  # noqa: BLE001 (tracking must never break the request)
            tracker = None
        if tracker is None:
            return self.app(environ, start_response)
        environ["vigil"] = tracker
        status: Dict[str, int] = {}

        def capture(code: str, headers: Any, exc_info: Any = None) -> Any:
            try:
                status["code"] = int(code.split(" ", 1)[0])
            except ValueError:
                pass
            return start_response(code, headers, exc_info) if exc_info else start_response(code, headers)

        try:
            result = self.app(environ, capture)
        except Exception:
            _safely(tracker.finish, 500)
            raise
        done = tracker.finish
        return _ClosingIterable(result, lambda: _safely(done, status.get("code")))


def _safely(fn: Callable[..., Any], *args: Any) -> None:
    try:
        fn(*args)
    except Exception:  # noqa: BLE001
        pass


class _ClosingIterable:
    """The app's response, with a callback once the server has closed it (the response is sent)."""

    def __init__(self, result: Any, on_close: Callable[[], None]) -> None:
        self._result = result
        self._on_close = on_close

    def __iter__(self) -> Any:
        return iter(self._result)

    def close(self) -> None:
        try:
            if hasattr(self._result, "close"):
                self._result.close()
        finally:
            self._on_close()
