"""The web glue: the client IP behind proxies, and the WSGI middleware end to end (a wsgiref server
with VigilWSGI, requests to it, and the events as the real Vigil server stored them)."""

from __future__ import annotations

import json
import threading
import unittest
import urllib.error
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

from support import server, server_events, u

from vigil_sdk import RetryPolicy, Vigil, VigilWSGI, client_ip, request_event

UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15"


class ClientIpTests(unittest.TestCase):
    XFF = "198.51.100.1, 10.0.0.5, 10.0.0.6"

    def test_no_trust_is_the_socket_address(self) -> None:
        self.assertEqual(client_ip("::ffff:10.0.0.7", self.XFF), "10.0.0.7")

    def test_trust_all_hops_or_a_number(self) -> None:
        self.assertEqual(client_ip("10.0.0.7", self.XFF, True), "198.51.100.1")
        self.assertEqual(client_ip("10.0.0.7", self.XFF, 1), "10.0.0.6")
        self.assertEqual(client_ip("10.0.0.7", self.XFF, 9), "198.51.100.1")

    def test_cidrs_and_presets(self) -> None:
        self.assertEqual(client_ip("10.0.0.7", "6.6.6.6, " + self.XFF, ["10.0.0.0/8"]), "198.51.100.1")
        self.assertEqual(client_ip("203.0.113.5", self.XFF, ["10.0.0.0/8"]), "203.0.113.5")
        self.assertEqual(client_ip("10.0.0.7", self.XFF, "uniquelocal"), "198.51.100.1")
        self.assertEqual(client_ip("::1", "2001:db8::9", "loopback"), "2001:db8::9")
        self.assertEqual(client_ip("10.0.0.7", self.XFF, "10.0.0.7, 10.0.0.6"), "10.0.0.5")

    def test_request_event_from_an_environ(self) -> None:
        event = request_event(
            {
                "REMOTE_ADDR": "127.0.0.1",
                "REQUEST_METHOD": "POST",
                "SCRIPT_NAME": "/app",
                "PATH_INFO": "/login",
                "QUERY_STRING": "next=%2F",
                "HTTP_USER_AGENT": UA,
                "HTTP_ACCEPT_LANGUAGE": "de",
                "HTTP_X_FORWARDED_FOR": "198.51.100.4",
            },
            "loopback",
        )
        self.assertEqual(event["ipAddress"], "198.51.100.4")
        self.assertEqual(event["url"], "/app/login?next=%2F")
        self.assertEqual(event["httpMethod"], "POST")
        self.assertEqual(event["httpReferer"], "")


def app(environ, start_response):
    vigil = environ.get("vigil")  # absent on skipped requests
    path = environ["PATH_INFO"]
    status, body = "200 OK", {}
    if path == "/login":
        vigil.login(u("wsgi-alice"))
    elif path == "/login-decide":
        verdict = vigil.login(u("wsgi-alice")).decide()
        body = {"decision": verdict.decision, "degraded": verdict.degraded}
    elif path == "/login-fail":
        vigil.login_failed(u("wsgi-alice"))
        status = "401 Unauthorized"
    elif path == "/register":
        vigil.registered(u("wsgi-bob"), email_address="bob@example.com", full_name="Bob B")
        status = "201 Created"
    elif path == "/password":
        vigil.password_changed()
    elif path == "/email":
        vigil.email_changed("bob@example.com", "bob@new.example")
    elif path == "/profile":
        vigil.field_edited("city", "London", "Paris", "City").field_edited("zip", None, "75001")
    elif path == "/boom":
        raise RuntimeError("app failure")
    elif path == "/healthz":
        assert vigil is None
    else:
        status = "404 Not Found"
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class WsgiMiddlewareTests(unittest.TestCase):
    def test_every_helper_end_to_end(self) -> None:
        url, key = server()
        vigil = Vigil(url, key, flush_interval=60, retry=RetryPolicy(attempts=3, base=0.01, max_delay=0.05))
        wrapped = VigilWSGI(
            app,
            vigil,
            trust_proxy="loopback",
            user_name=lambda environ: environ.get("HTTP_X_USER"),
            skip=lambda environ: environ["PATH_INFO"] == "/healthz",
        )

        def outermost(environ, start_response):
            # What a WSGI server does with an app's exception, without wsgiref's traceback on stderr.
            try:
                return wrapped(environ, start_response)
            except RuntimeError:
                start_response("500 Internal Server Error", [("Content-Length", "0")])
                return [b""]

        httpd = make_server("127.0.0.1", 0, outermost, handler_class=Quiet)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        base = "http://127.0.0.1:%d" % httpd.server_address[1]

        def get(path, **headers):
            req = urllib.request.Request(base + path)
            for k, v in dict(
                {"User-Agent": UA, "Accept-Language": "de-DE,de;q=0.8", "Referer": "https://ref.example/page"},
                **{"X-User": u("wsgi-user")},
                **headers,
            ).items():
                req.add_header(k, v)
            try:
                with urllib.request.urlopen(req, timeout=10) as res:
                    return res.status, json.loads(res.read() or b"null")
            except urllib.error.HTTPError as error:
                return error.code, None

        try:
            self.assertEqual(get("/login?next=%2Fcart", **{"X-Forwarded-For": "203.0.113.9, 198.51.100.7"})[0], 200)
            self.assertEqual(get("/login-fail")[0], 401)
            status, verdict = get("/login-decide")
            self.assertEqual(status, 200)
            self.assertFalse(verdict["degraded"])
            for path, code in (("/register", 201), ("/password", 200), ("/email", 200), ("/profile", 200)):
                self.assertEqual(get(path)[0], code)
            self.assertEqual(get("/missing-page")[0], 404)
            self.assertEqual(get("/healthz")[0], 200)
            self.assertEqual(get("/boom")[0], 500)
            vigil.flush()
        finally:
            httpd.shutdown()
            httpd.server_close()
            vigil.close()

        alice = server_events(u("wsgi-alice"))
        self.assertEqual(sorted(e["type"] for e in alice), ["account_login", "account_login", "account_login_fail"])
        login = [e for e in alice if e["url"] == "/login"][0]
        self.assertEqual(login["ipAddress"], "198.51.100.7")
        self.assertEqual(login["query"], "?next=%2Fcart")
        self.assertEqual(login["userAgent"], UA)
        self.assertEqual(login["browserLanguage"], "de-DE,de;q=0.8")
        self.assertEqual(login["httpMethod"], "GET")
        self.assertEqual(login["httpReferer"], "https://ref.example/page")
        self.assertEqual(login["httpCode"], 200)
        fail = [e for e in alice if e["type"] == "account_login_fail"][0]
        self.assertEqual(fail["httpCode"], 401)
        self.assertEqual(fail["ipAddress"], "127.0.0.1")
        bob = server_events(u("wsgi-bob"))
        self.assertEqual(bob[0]["type"], "account_registration")
        self.assertEqual(bob[0]["emailAddress"], "bob@example.com")
        by_url = {e["url"]: e for e in server_events(u("wsgi-user"))}
        self.assertEqual(by_url["/password"]["type"], "account_password_change")
        self.assertEqual(by_url["/email"]["type"], "account_email_change")
        self.assertEqual(by_url["/email"]["payload"], {"old_value": "bob@example.com", "new_value": "bob@new.example"})
        self.assertEqual(by_url["/profile"]["type"], "field_edit")
        self.assertEqual(
            [(c["fieldId"], c["oldValue"], c["newValue"], c["fieldName"]) for c in by_url["/profile"]["fieldHistory"]],
            [("city", "London", "Paris", "City"), ("zip", None, "75001", None)],
        )
        self.assertEqual(by_url["/missing-page"]["type"], "page_error")
        self.assertEqual(by_url["/boom"]["httpCode"], 500)
        self.assertNotIn("/healthz", by_url)


class ExamplesTests(unittest.TestCase):
    def test_the_examples_compile(self) -> None:
        import os
        import py_compile

        folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                py_compile.compile(os.path.join(folder, name), doraise=True)


if __name__ == "__main__":
    unittest.main()
