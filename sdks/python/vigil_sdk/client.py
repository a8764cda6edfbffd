"""The Vigil client: a bounded queue sent in batches by a background thread, and synchronous
decide / blacklist / user reads within a time budget. Standard library only."""

from __future__ import annotations

import atexit
import collections
import datetime as _dt
import email.utils
import http.client
import json
import os
import random
import re
import ssl
import threading
import time
import urllib.parse
import uuid
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional

__all__ = ["Vigil", "VigilError", "Decision", "RetryPolicy", "VigilWarning"]

_CAMEL = re.compile(r"_([a-z0-9])")


class VigilError(Exception):
    """A failed read (get_user, get_user_events): ``status`` and ``code`` when the server answered."""

    def __init__(self, message: str, status: Optional[int] = None, code: Optional[str] = None):
        super().__init__(message)
        self.status = status
        self.code = code


class VigilWarning(UserWarning):
    """What the client reports when it has no ``on_warning`` handler (through ``warnings.warn``)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Tries per request (the first included), and the exponential backoff with full jitter, in seconds.
    ``Retry-After`` is honoured even when it is longer than ``max_delay``."""

    attempts: int = 5
    base: float = 0.2
    max_delay: float = 30.0


@dataclass
class Decision:
    """What ``decide`` answers. ``degraded`` is true when the server could not answer in time and the
    fail-open (``allow``) or fail-closed (``block``) default was used."""

    decision: str
    score: Optional[int] = None
    reasons: List[Dict[str, Any]] = field(default_factory=list)
    degraded: bool = False
    status: Optional[str] = None
    user_name: Optional[str] = None
    event_id: Optional[int] = None
    error: Optional[str] = None

    @property
    def allowed(self) -> bool:
        return self.decision != "block"


def _iso(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:  # naive: taken as UTC, like the protocol
            value = value.replace(tzinfo=_dt.timezone.utc)
        value = value.astimezone(_dt.timezone.utc)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (value.microsecond // 1000)
    return value


def _now_iso() -> str:
    return _iso(_dt.datetime.now(_dt.timezone.utc))


def to_wire(event: Mapping[str, Any]) -> Dict[str, Any]:
    """Top-level keys to the protocol's camelCase (``user_name`` → ``userName``; camelCase kept),
    datetimes to ISO-8601 UTC, ``None`` values left out."""
    wire: Dict[str, Any] = {}
    for key, value in event.items():
        if value is None:
            continue
        name = _CAMEL.sub(lambda m: m.group(1).upper(), key) if "_" in key else key
        wire[name] = _iso(value)
    return wire


def parse_retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    v = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", v):
        return float(v)
    try:
        at = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return None
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, at.timestamp() - (time.time() if now is None else now))


class _Answer:
    __slots__ = ("status", "retry_after", "body")

    def __init__(self, status: int, retry_after: Optional[float], body: Any):
        self.status = status
        self.retry_after = retry_after
        self.body = body

    def describe(self) -> str:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        if isinstance(error, dict) and error.get("code"):
            return "HTTP %d %s: %s" % (self.status, error.get("code"), error.get("message"))
        return "HTTP %d" % self.status


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


class Vigil:
    """Client of one Vigil project.

    ``track`` never raises and never waits: events are queued (at most ``max_queue``, the oldest
    dropped beyond) and sent by a background thread in batches of ``batch_size``, at least every
    ``flush_interval`` seconds, and at interpreter exit. Every event carries an idempotency key, so
    retries (on network errors, 429 and 5xx, honouring ``Retry-After``) never store it twice.
    """

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 1.5,
        batch_timeout: float = 10.0,
        batch_size: int = 100,
        flush_interval: float = 1.0,
        max_queue: int = 10_000,
        fail_mode: str = "open",
        retry: Optional[RetryPolicy] = None,
        defaults: Optional[Mapping[str, Any]] = None,
        queue_degraded_decisions: bool = True,
        on_warning: Optional[Callable[[str, str, int], None]] = None,
        exit_timeout: float = 5.0,
    ) -> None:
        if not url or not api_key:
            raise ValueError("Vigil: url and api_key are required")
        if fail_mode not in ("open", "closed"):
            raise ValueError("fail_mode is 'open' or 'closed'")
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("Vigil: url must be http(s)://host[:port][/path]")
        self.url = url.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.batch_timeout = batch_timeout
        self.batch_size = min(max(int(batch_size), 1), 1000)
        self.flush_interval = flush_interval
        self.max_queue = max(int(max_queue), 1)
        self.fail_mode = fail_mode
        self.retry = retry or RetryPolicy()
        self.defaults = dict(defaults or {})
        self.queue_degraded_decisions = queue_degraded_decisions
        self.on_warning = on_warning
        self.exit_timeout = exit_timeout
        self._ssl = ssl.create_default_context() if self._https else None
        self._stats = {"delivered": 0, "duplicates": 0, "rejected": 0, "dropped": 0, "retries": 0, "degraded": 0}
        self._init_state()
        self._closed = False
        atexit.register(self._at_exit)

    # ── state, rebuilt in a forked child (the parent's thread does not exist there) ──────────
    def _init_state(self) -> None:
        self._pid = os.getpid()
        self._queue: Deque[str] = collections.deque()
        self._inflight = 0
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._resume_at = 0.0
        self._failures = 0
        self._last_why = ""
        self._last_retry_after: Optional[float] = None
        self._overflow_at = 0.0
        self._overflow_pending = 0

    def _ensure_thread(self) -> None:
        if self._pid != os.getpid():
            self._init_state()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="vigil-sdk", daemon=True)
            self._thread.start()

    # ── public API ───────────────────────────────────────────────────────────────────────────
    def track(self, event: Optional[Mapping[str, Any]] = None, **fields: Any) -> None:
        """Queues an event (a mapping and/or keyword fields, snake_case or camelCase). Never raises."""
        try:
            if self._closed:
                self._warn("invalid_call", "track() after close(): dropped")
                return
            if event is not None and not isinstance(event, Mapping):
                self._warn("invalid_call", "track() needs a mapping or keyword fields")
                return
            self._ensure_thread()
            self._enqueue(json.dumps(self._prepare(event, fields)))
        except Exception as error:  # noqa: BLE001 (never into the host app)
            self._warn("invalid_call", "track() failed: %s" % error)

    def decide(self, event: Optional[Mapping[str, Any]] = None, **fields: Any) -> Decision:
        """Stores the event and scores its user, within ``timeout`` seconds. Never raises: when the
        server cannot answer, the fail-mode default with ``degraded=True``."""
        why = "unknown error"
        body: Optional[str] = None
        requeue = False
        try:
            body = json.dumps(self._prepare(event, fields))
            answer = self._budgeted("POST", "/api/v1/decide", body)
            b = answer.body
            if answer.status == 200 and isinstance(b, dict) and isinstance(b.get("decision"), str):
                return Decision(
                    decision=b["decision"],
                    score=b.get("score"),
                    reasons=b.get("reasons") or [],
                    degraded=False,
                    status=b.get("status"),
                    user_name=b.get("userName"),
                    event_id=b.get("eventId"),
                )
            why = answer.describe()
            requeue = _retryable(answer.status)
        except Exception as error:  # noqa: BLE001
            why = str(error)
            requeue = body is not None
        self._stats["degraded"] += 1
        if requeue and body is not None and self.queue_degraded_decisions and not self._closed:
            # Maybe not stored: deliver it later; its idempotency key keeps it single if it was.
            try:
                self._ensure_thread()
                self._enqueue(body)
            except Exception:  # noqa: BLE001
                pass
        decision = "block" if self.fail_mode == "closed" else "allow"
        self._warn("degraded", "decide answered %s by default: %s" % (decision, why))
        return Decision(decision=decision, degraded=True, error=why)

    def is_blacklisted(self, value: str) -> bool:
        """Whether the value (user id, IP, e-mail or phone) is blacklisted; the fail-mode default on failure."""
        try:
            answer = self._budgeted("POST", "/api/v1/blacklist/search", json.dumps({"value": str(value)}))
            hit = answer.body.get("blacklisted") if isinstance(answer.body, dict) else None
            if answer.status == 200 and isinstance(hit, bool):
                return hit
            why = answer.describe()
        except Exception as error:  # noqa: BLE001
            why = str(error)
        self._stats["degraded"] += 1
        blocked = self.fail_mode == "closed"
        self._warn("degraded", "is_blacklisted answered %s by default: %s" % (blocked, why))
        return blocked

    def get_user(self, user_name: str) -> Optional[Dict[str, Any]]:
        """The user's score and status, or None for an unknown user. Raises VigilError on failure."""
        answer = self._budgeted("GET", "/api/v1/users/%s" % urllib.parse.quote(str(user_name), safe=""))
        if answer.status == 404:
            return None
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise VigilError(answer.describe(), answer.status, _code(answer))
        return answer.body

    def get_user_events(self, user_name: str, limit: int = 50) -> List[Dict[str, Any]]:
        """The user's latest events, newest first ([] for an unknown user). Raises VigilError on failure."""
        path = "/api/v1/users/%s/events?limit=%d" % (urllib.parse.quote(str(user_name), safe=""), limit)
        answer = self._budgeted("GET", path)
        if answer.status == 404:
            return []
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise VigilError(answer.describe(), answer.status, _code(answer))
        return list(answer.body.get("events") or [])

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends everything queued now, with retries, in the calling thread. True when the queue is
        empty afterwards; failed events stay queued for a later retry. Never raises."""
        if self._pid != os.getpid():
            self._init_state()
        acquired = self._send_lock.acquire(timeout=-1 if timeout is None else max(timeout, 0))
        if not acquired:
            return False
        try:
            self._pass(deadline=None if timeout is None else time.monotonic() + timeout)
        except Exception as error:  # noqa: BLE001
            self._warn("delivery_failed", "delivery failed: %s" % error)
        finally:
            self._send_lock.release()
        return self.stats()["queued"] == 0

    def close(self, timeout: Optional[float] = None) -> None:
        """Stops the background thread and flushes (for at most ``timeout`` seconds when given);
        events that still cannot be delivered are reported as lost."""
        if self._closed:
            return
        self._closed = True
        try:
            atexit.unregister(self._at_exit)
        except Exception:  # noqa: BLE001
            pass
        with self._cond:
            self._cond.notify_all()
        self.flush(timeout)
        self._abandon()

    def stats(self) -> Dict[str, int]:
        """Counters: queued (incl. in flight), delivered, duplicates, rejected, dropped, retries, degraded."""
        out = {"queued": len(self._queue) + self._inflight}
        out.update(self._stats)
        return out

    def __enter__(self) -> "Vigil":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ── internals ────────────────────────────────────────────────────────────────────────────
    def _warn(self, code: str, message: str, count: int = 0) -> None:
        try:
            if self.on_warning is not None:
                self.on_warning(code, message, count)
            else:
                warnings.warn("[vigil] %s" % message, VigilWarning, stacklevel=3)
        except Exception:  # noqa: BLE001 (a broken handler must not break tracking)
            pass

    def _prepare(self, event: Optional[Mapping[str, Any]], fields: Mapping[str, Any]) -> Dict[str, Any]:
        wire = to_wire(self.defaults)
        if event:
            wire.update(to_wire(event))
        if fields:
            wire.update(to_wire(fields))
        # The time of the action, not of the (possibly much later) delivery.
        wire.setdefault("eventTime", _now_iso())
        if not isinstance(wire.get("idempotencyKey"), str) or not wire["idempotencyKey"]:
            wire["idempotencyKey"] = str(uuid.uuid4())
        return wire

    def _enqueue(self, body: str) -> None:
        with self._cond:
            self._queue.append(body)
            extra = len(self._queue) - self.max_queue
            if extra > 0:
                for _ in range(extra):
                    self._queue.popleft()
                self._dropped(extra)
            if len(self._queue) >= self.batch_size:
                self._cond.notify()

    def _dropped(self, n: int) -> None:
        self._stats["dropped"] += n
        self._overflow_pending += n
        now = time.monotonic()
        if now - self._overflow_at >= 1.0:
            self._warn(
                "queue_overflow",
                "queue full (%d events): dropped the %d oldest" % (self.max_queue, self._overflow_pending),
                self._overflow_pending,
            )
            self._overflow_at = now
            self._overflow_pending = 0

    def _abandon(self) -> None:
        with self._cond:
            left = len(self._queue) + self._inflight
            self._queue.clear()
        if left:
            self._stats["dropped"] += left
            self._warn(
                "lost", "%d undelivered events are lost (%s)" % (left, self._last_why or "no answer in time"), left
            )

    def _run(self) -> None:
        while not self._closed:
            with self._cond:
                self._cond.wait(self.flush_interval)
                ready = bool(self._queue) and not self._closed and time.monotonic() >= self._resume_at
            if ready and self._send_lock.acquire(blocking=False):
                try:
                    self._pass(deadline=None)
                except Exception as error:  # noqa: BLE001
                    self._warn("delivery_failed", "delivery failed: %s" % error)
                finally:
                    self._send_lock.release()

    def _at_exit(self) -> None:
        if self._closed or self._pid != os.getpid():
            return
        self._closed = True
        self.flush(self.exit_timeout)
        self._abandon()

    def _pass(self, deadline: Optional[float]) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    return
                batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
                self._inflight = len(batch)
            try:
                left = self._deliver(batch, deadline)
            finally:
                self._inflight = 0
            if left:
                with self._cond:
                    self._queue.extendleft(reversed(left))
                    extra = len(self._queue) - self.max_queue
                    for _ in range(max(extra, 0)):
                        self._queue.popleft()
                    if extra > 0:
                        self._dropped(extra)
                self._failures += 1
                ceiling = min(self.retry.max_delay, self.retry.base * 2**self._failures)
                self._resume_at = time.monotonic() + max(self._last_retry_after or 0.0, ceiling)
                self._warn(
                    "delivery_failed",
                    "could not deliver %d events (%s); %d stay queued for a later retry"
                    % (len(left), self._last_why, self.stats()["queued"]),
                    len(left),
                )
                return
            self._failures = 0
            self._resume_at = 0.0

    def _deliver(self, batch: List[str], deadline: Optional[float]) -> List[str]:
        """Sends one batch with retries; returns the events still to deliver ([] when done)."""
        attempt = 0
        while True:
            answer: Optional[_Answer] = None
            try:
                answer = self._call("POST", "/api/v1/events", "[%s]" % ",".join(batch), self.batch_timeout)
            except Exception as error:  # noqa: BLE001
                self._last_why = str(error)
            self._last_retry_after = answer.retry_after if answer else None
            if answer is not None:
                if answer.status == 200:
                    self._account(batch, answer.body)
                    return []
                # Too large, or one event the database refuses: split, so the others get through.
                if answer.status in (413, 422) and len(batch) > 1:
                    half = len(batch) // 2
                    left = self._deliver(batch[:half], deadline)
                    return left + batch[half:] if left else self._deliver(batch[half:], deadline)
                self._last_why = answer.describe()
                if not _retryable(answer.status):
                    self._stats["rejected"] += len(batch)
                    self._warn(
                        "rejected", "the server refused %d events: %s" % (len(batch), self._last_why), len(batch)
                    )
                    return []
            attempt += 1
            if attempt >= self.retry.attempts:
                return batch
            wait = self._backoff(attempt - 1, answer.retry_after if answer else None)
            if deadline is not None and time.monotonic() + wait > deadline:
                return batch
            self._stats["retries"] += 1
            time.sleep(wait)

    def _account(self, batch: List[str], body: Any) -> None:
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list) or not results:
            self._stats["delivered"] += len(batch)
            return
        refused = []
        for r in results:
            status = r.get("status") if isinstance(r, dict) else None
            if status == "duplicate":
                self._stats["duplicates"] += 1
            elif status == "rejected":
                error = r.get("error") or {}
                refused.append("#%s %s: %s" % (r.get("index"), error.get("field", ""), error.get("message")))
            else:
                self._stats["delivered"] += 1
        if refused:
            self._stats["rejected"] += len(refused)
            self._warn(
                "rejected", "the server refused %d events: %s" % (len(refused), "; ".join(refused[:3])), len(refused)
            )

    def _backoff(self, attempt: int, retry_after: Optional[float]) -> float:
        if retry_after is not None:
            return retry_after
        return random.random() * min(self.retry.max_delay, self.retry.base * 2**attempt)

    def _budgeted(self, method: str, path: str, body: Optional[str] = None) -> _Answer:
        """One request, retried on network errors, 429 and 5xx while the ``timeout`` budget allows."""
        deadline = time.monotonic() + self.timeout
        attempt = 0
        while True:
            answer: Optional[_Answer] = None
            failure: Optional[Exception] = None
            try:
                answer = self._call(method, path, body, deadline - time.monotonic())
                if not _retryable(answer.status):
                    return answer
            except Exception as error:  # noqa: BLE001
                failure = error
            wait = self._backoff(attempt, answer.retry_after if answer else None)
            attempt += 1
            if attempt >= self.retry.attempts or time.monotonic() + wait >= deadline:
                if answer is not None:
                    return answer
                assert failure is not None
                raise failure
            self._stats["retries"] += 1
            time.sleep(wait)

    def _call(self, method: str, path: str, body: Optional[str], timeout: float) -> _Answer:
        timeout = max(timeout, 0.001)
        deadline = time.monotonic() + timeout
        if self._https:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout, context=self._ssl
            )
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        headers = {"Api-Key": self.api_key, "User-Agent": "vigil-sdk-python/0.1.0", "Accept": "application/json"}
        data = None
        if body is not None:
            data = body.encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, self._prefix + path, body=data, headers=headers)
            # Each socket operation has the whole timeout: keep what is left for the answer.
            if conn.sock is not None:
                conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            res = conn.getresponse()
            raw = res.read()
            status = res.status
            retry_after = parse_retry_after(res.getheader("Retry-After"))
        except OSError as error:  # socket.timeout is an OSError
            if isinstance(error, TimeoutError) or "timed out" in str(error):
                raise VigilError("no answer within %d ms" % round(timeout * 1000)) from None
            raise VigilError("network error: %s" % error) from None
        except http.client.HTTPException as error:
            raise VigilError("network error: %r" % error) from None
        finally:
            conn.close()
        parsed: Any = None
        if raw:
            try:
                parsed = json.loads(raw.decode("utf-8"))
            except ValueError:
                parsed = None
        return _Answer(status, retry_after, parsed)


def _code(answer: _Answer) -> Optional[str]:
    error = answer.body.get("error") if isinstance(answer.body, dict) else None
    return error.get("code") if isinstance(error, dict) else None

