"""Test support: the real Vigil server (VIGIL_URL / VIGIL_API_KEY, or one started with
``node sdks/test-server.mjs``), a fault-injecting HTTP proxy in front of it, a TCP server that
accepts and never answers, and reads through GET /api/v1/users/{userName}/events."""

from __future__ import annotations

import atexit
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # sdks/python: the vigil_sdk package

_server: Optional[Tuple[str, str]] = None

#: This run's suffix, so that the tests can run again against the same server.
RUN = "%x" % (int(time.time() * 1000) % 0xFFFFFF)


def u(name: str) -> str:
    """A user name unique to this run."""
    return "%s-%s" % (name, RUN)


def server() -> Tuple[str, str]:
    """(url, api_key) of a real Vigil server."""
    global _server
    if _server is None:
        url, key = os.environ.get("VIGIL_URL"), os.environ.get("VIGIL_API_KEY")
        if url and key:
            _server = (url.rstrip("/"), key)
        else:
            script = os.path.join(HERE, "..", "..", "test-server.mjs")
            proc = subprocess.Popen(["node", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            line = proc.stdout.readline() if proc.stdout else b""
            if not line:
                raise RuntimeError("node sdks/test-server.mjs did not start (is the repo built?)")
            info = json.loads(line)
            atexit.register(lambda: (proc.stdin and proc.stdin.close(), proc.wait(30)))
            _server = (info["url"], info["apiKey"])
    return _server


def api(method: str, path: str, body: Any = None, key: Optional[str] = None) -> Tuple[int, Any]:
    url, api_key = server()
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method)
    req.add_header("Api-Key", key or api_key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def server_events(user_name: str) -> List[Dict[str, Any]]:
    status, body = api("GET", "/api/v1/users/%s/events?limit=1000" % urllib.parse.quote(user_name, safe=""))
    if status == 404:
        return []
    assert status == 200, (status, body)
    return body["events"]


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(check: Callable[[], Any], timeout: float = 10.0, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in %.1f s" % timeout)
        time.sleep(step)


Action = Union[str, Tuple[int, Dict[str, str]]]


class FaultProxy:
    """HTTP proxy to the real server; ``plan(n, hit)`` picks the answer to the n-th request (0-based):
    ``"forward"``, ``"forward-then-503"`` (the server stores, the client sees 503) or (status, headers)."""

    def __init__(self, plan: Callable[[int, Dict[str, Any]], Action], port: int = 0) -> None:
        self.hits: List[Dict[str, Any]] = []
        upstream = urllib.parse.urlsplit(server()[0])
        proxy = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                hit = {"at": time.monotonic(), "method": self.command, "path": self.path, "body": body, "status": 0}
                with lock:
                    action = plan(len(proxy.hits), hit)
                    proxy.hits.append(hit)
                if isinstance(action, tuple):
                    status, headers = action
                    self._answer(status, headers, b'{"error":{"code":"injected","message":"injected fault"}}')
                    hit["status"] = status
                    return
                conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
                fwd = {k: v for k, v in self.headers.items() if k.lower() in ("api-key", "content-type")}
                conn.request(self.command, self.path, body=body or None, headers=fwd)
                res = conn.getresponse()
                data = res.read()
                conn.close()
                if action == "forward-then-503":
                    hit["status"] = 503
                    self._answer(503, {}, b'{"error":{"code":"unavailable","message":"answer lost"}}')
                    return
                hit["status"] = res.status
                extra = {"Retry-After": res.getheader("Retry-After")} if res.getheader("Retry-After") else {}
                self._answer(res.status, extra, data)

            def _answer(self, status: int, headers: Dict[str, str], data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle
            do_POST = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class StalledServer:
    """Accepts TCP connections (the kernel's backlog) and never answers."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.url = "http://127.0.0.1:%d" % self._sock.getsockname()[1]

    def close(self) -> None:
        self._sock.close()


class Warnings:
    def __init__(self) -> None:
        self.list: List[Tuple[str, str, int]] = []

    def __call__(self, code: str, message: str, count: int) -> None:
        self.list.append((code, message, count))

    def codes(self) -> List[str]:
        return [w[0] for w in self.list]
