"""vigil_sdk against a real Vigil server (see support.server())."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
import unittest

from support import (
    u,
    HERE,
    FaultProxy,
    StalledServer,
    Warnings,
    api,
    free_port,
    server,
    server_events,
    wait_for,
)

from vigil_sdk import RetryPolicy, Vigil, parse_retry_after

FAST = RetryPolicy(attempts=3, base=0.01, max_delay=0.05)


class ClientTests(unittest.TestCase):
    def setUp(self) -> None:
        self.url, self.key = server()
        self.clients = []

    def tearDown(self) -> None:
        for c in self.clients:
            c.close(timeout=2)

    def client(self, **options) -> Vigil:
        options.setdefault("retry", FAST)
        options.setdefault("on_warning", Warnings())
        c = Vigil(options.pop("url", self.url), options.pop("api_key", self.key), **options)
        self.clients.append(c)
        return c

    def test_track_and_flush_every_field_arrives(self) -> None:
        w = Warnings()
        vigil = self.client(on_warning=w)
        base = dict(
            user_name=u("py-alice"),
            ip_address="8.8.4.4",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            browser_language="fr-FR,fr;q=0.9",
            http_method="POST",
            http_referer="https://shop.example/",
        )
        vigil.track(
            base,
            url="/login?next=%2Fhome",
            event_type="account_login",
            event_time=dt.datetime(2026, 3, 1, 10, 0, 0),
            email_address="Alice@Example.com",
            phone_number="+33 6 12 34 56 78",
            http_code=200,
        )
        vigil.track(
            base,
            url="/profile",
            event_type="field_edit",
            event_time="2026-03-01T10:01:00.000Z",
            field_history=[{"field_id": "city", "old_value": "London", "new_value": "Paris", "field_name": "City"}],
        )
        # camelCase keys work too
        vigil.track(
            dict(base, url="/search", eventType="page_search", eventTime="2026-03-01T10:02:00Z"),
            payload={"field_id": "q", "value": "red shoes", "field_name": "Query"},
        )
        self.assertTrue(vigil.flush())
        self.assertEqual(w.list, [])
        self.assertEqual(vigil.stats()["delivered"], 3)
        search, edit, login = server_events(u("py-alice"))
        self.assertEqual(login["type"], "account_login")
        self.assertEqual(login["time"], "2026-03-01T10:00:00.000Z")
        self.assertEqual(login["ipAddress"], "8.8.4.4")
        self.assertEqual(login["url"], "/login")
        self.assertEqual(login["query"], "?next=%2Fhome")
        self.assertEqual(login["userAgent"], base["user_agent"])
        self.assertEqual(login["browserLanguage"], "fr-FR,fr;q=0.9")
        self.assertEqual(login["httpMethod"], "POST")
        self.assertEqual(login["httpReferer"], "https://shop.example/")
        self.assertEqual(login["httpCode"], 200)
        self.assertEqual(login["emailAddress"], "alice@example.com")
        self.assertEqual(login["phoneNumber"], "+33612345678")
        self.assertEqual(edit["type"], "field_edit")
        self.assertEqual(
            edit["fieldHistory"],
            [
                {
                    "fieldId": "city",
                    "fieldName": "City",
                    "oldValue": "London",
                    "newValue": "Paris",
                    "parentId": None,
                    "parentName": None,
                }
            ],
        )
        self.assertEqual(search["type"], "page_search")
        self.assertEqual(search["payload"], {"field_id": "q", "value": "red shoes", "field_name": "Query"})

    def test_event_time_is_the_time_of_track(self) -> None:
        vigil = self.client(flush_interval=60)
        before = time.time()
        vigil.track(user_name=u("py-time"), ip_address="8.8.4.4", url="/")
        time.sleep(0.3)
        vigil.flush()
        (event,) = server_events(u("py-time"))
        at = dt.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc).timestamp()
        self.assertTrue(before - 0.01 <= at < before + 0.25, (event["time"], before))

    def test_batches_on_size_and_interval(self) -> None:
        proxy = FaultProxy(lambda n, hit: "forward")
        try:
            vigil = self.client(url=proxy.url, batch_size=5, flush_interval=0.15)
            for i in range(12):
                vigil.track(user_name=u("py-batch"), ip_address="8.8.4.4", url="/p/%d" % i)
            wait_for(lambda: vigil.stats()["delivered"] == 12, 5)
            sizes = [len(json.loads(h["body"])) for h in proxy.hits]
            self.assertEqual(sizes[0], 5)
            self.assertTrue(all(s <= 5 for s in sizes), sizes)
            self.assertEqual(sum(sizes), 12)
            self.assertEqual(len(server_events(u("py-batch"))), 12)
        finally:
            proxy.close()

    def test_overflow_drops_the_oldest_with_a_counted_warning(self) -> None:
        w = Warnings()
        vigil = self.client(max_queue=3, flush_interval=60, on_warning=w)
        for i in range(5):
            vigil.track(user_name=u("py-overflow"), ip_address="8.8.4.4", url="/o/%d" % i)
        self.assertEqual(vigil.stats()["dropped"], 2)
        self.assertEqual(vigil.stats()["queued"], 3)
        self.assertEqual(w.list[0][0], "queue_overflow")
        vigil.flush()
        self.assertEqual(sorted(e["url"] for e in server_events(u("py-overflow"))), ["/o/2", "/o/3", "/o/4"])

    def test_track_never_raises(self) -> None:
        def boom(*args):
            raise RuntimeError("handler failure")

        vigil = self.client(on_warning=boom)
        for bad in ("text", 42, ["list"]):
            vigil.track(bad)  # type: ignore[arg-type]
        vigil.track(user_name=u("py-x"), ip_address="8.8.4.4", url="/", payload={"v": object()})
        vigil.flush()
        vigil.close()
        vigil.track(user_name=u("py-closed"), ip_address="8.8.4.4", url="/")

    def test_4xx_are_not_retried_and_are_reported(self) -> None:
        proxy = FaultProxy(lambda n, hit: "forward")
        try:
            w = Warnings()
            vigil = self.client(url=proxy.url, api_key="not-a-key", on_warning=w)
            vigil.track(user_name=u("py-401"), ip_address="8.8.4.4", url="/")
            vigil.flush()
            self.assertEqual(len(proxy.hits), 1)
            self.assertEqual(w.codes(), ["rejected"])
            self.assertIn("401", w.list[0][1])
            self.assertEqual(vigil.stats()["rejected"], 1)
            self.assertEqual(vigil.stats()["queued"], 0)
        finally:
            proxy.close()

    def test_a_rejected_event_is_reported_and_the_others_stored(self) -> None:
        w = Warnings()
        vigil = self.client(on_warning=w)
        vigil.track(user_name=u("py-reject"), ip_address="8.8.4.4", url="/ok")
        vigil.track(user_name=u("py-reject"), url="/no-ip")
        vigil.flush()
        self.assertEqual(w.codes(), ["rejected"])
        self.assertIn("ipAddress", w.list[0][1])
        self.assertEqual(len(server_events(u("py-reject"))), 1)

    def test_decide(self) -> None:
        vigil = self.client()
        result = vigil.decide(user_name=u("py-decide"), ip_address="8.8.4.4", url="/login", event_type="account_login")
        self.assertFalse(result.degraded)
        self.assertIn(result.decision, ("allow", "review", "block"))
        self.assertIsInstance(result.score, int)
        self.assertIsInstance(result.reasons, list)
        self.assertIsInstance(result.event_id, int)
        self.assertEqual(server_events(u("py-decide"))[0]["type"], "account_login")

    def test_is_blacklisted_and_get_user(self) -> None:
        vigil = self.client()
        vigil.track(user_name=u("py-bad"), ip_address="8.8.4.4", url="/", email_address=u("py-bad") + "@example.com")
        vigil.flush()
        self.assertFalse(vigil.is_blacklisted(u("py-bad")))
        status, body = api("POST", "/api/v1/users/%s/decision" % u("py-bad"), {"decision": "blacklist"})
        self.assertEqual(status, 200, body)
        self.assertTrue(vigil.is_blacklisted(u("py-bad")))
        self.assertTrue(vigil.is_blacklisted(u("py-bad") + "@example.com"))
        self.assertFalse(vigil.is_blacklisted(u("py-good")))
        user = vigil.get_user(u("py-bad"))
        self.assertEqual(user["userName"], u("py-bad"))
        self.assertEqual(user["status"], "blacklisted")
        self.assertEqual(user["eventCount"], 1)
        self.assertIsNone(vigil.get_user("nobody-here"))
        self.assertEqual(vigil.get_user_events(u("py-bad"))[0]["url"], "/")
        self.assertEqual(vigil.decide(user_name=u("py-bad"), ip_address="8.8.4.4", url="/login").decision, "block")

    def test_exactly_once_when_the_answer_is_lost(self) -> None:
        proxy = FaultProxy(lambda n, hit: "forward-then-503" if n == 0 else "forward")
        try:
            vigil = self.client(url=proxy.url, flush_interval=60)
            for i in range(10):
                vigil.track(user_name=u("py-once"), ip_address="8.8.4.4", url="/x/%d" % i)
            vigil.flush()
            self.assertEqual([h["status"] for h in proxy.hits], [503, 200])
            self.assertEqual(vigil.stats()["duplicates"], 10, "the retry was answered duplicate")
            self.assertEqual(len(server_events(u("py-once"))), 10)
        finally:
            proxy.close()

    def test_429_retry_after_is_honoured(self) -> None:
        proxy = FaultProxy(lambda n, hit: (429, {"Retry-After": "1"}) if n == 0 else "forward")
        try:
            vigil = self.client(url=proxy.url, flush_interval=60)
            vigil.track(user_name=u("py-429"), ip_address="8.8.4.4", url="/")
            vigil.flush()
            self.assertEqual(len(proxy.hits), 2)
            waited = proxy.hits[1]["at"] - proxy.hits[0]["at"]
            self.assertTrue(0.99 <= waited < 2.0, waited)
            self.assertEqual(len(server_events(u("py-429"))), 1)
        finally:
            proxy.close()

    def test_decide_against_a_stalled_server_answers_the_default_within_the_budget(self) -> None:
        stalled = StalledServer()
        try:
            for fail_mode, expected in (("open", "allow"), ("closed", "block")):
                w = Warnings()
                vigil = self.client(
                    url=stalled.url, timeout=0.3, batch_timeout=0.1, flush_interval=60, fail_mode=fail_mode, on_warning=w
                )
                started = time.monotonic()
                result = vigil.decide(user_name=u("py-stall"), ip_address="8.8.4.4", url="/login")
                took = time.monotonic() - started
                self.assertEqual(result.decision, expected)
                self.assertTrue(result.degraded)
                self.assertIsNone(result.score)
                self.assertTrue(0.29 <= took < 0.55, took)
                self.assertEqual(w.codes(), ["degraded"])
                started = time.monotonic()
                self.assertEqual(vigil.is_blacklisted("x"), fail_mode == "closed")
                self.assertLess(time.monotonic() - started, 0.55)
                self.assertEqual(vigil.stats()["queued"], 1, "the undecided event is kept for delivery")
                started = time.monotonic()
                vigil.close(timeout=0.2)
                self.assertLess(time.monotonic() - started, 0.45)
                self.assertEqual(vigil.stats()["dropped"], 1)
        finally:
            stalled.close()

    def test_server_down_then_back_every_event_exactly_once(self) -> None:
        port = free_port()
        w = Warnings()
        vigil = self.client(
            url="http://127.0.0.1:%d" % port,
            flush_interval=0.05,
            retry=RetryPolicy(attempts=2, base=0.01, max_delay=0.1),
            on_warning=w,
        )
        for i in range(25):
            vigil.track(user_name=u("py-down"), ip_address="8.8.4.4", url="/d/%d" % i)
        self.assertFalse(vigil.flush())
        self.assertEqual(vigil.stats()["queued"], 25)
        self.assertIn("delivery_failed", w.codes())
        self.assertIn("refused", [m for c, m, n in w.list if c == "delivery_failed"][0].lower())
        # The server comes back on that port (a proxy to the real server starts listening there).
        proxy = FaultProxy(lambda n, hit: "forward", port=port)
        try:
            # No call: the background thread delivers the backlog once the backoff has passed.
            wait_for(lambda: vigil.stats()["queued"] == 0, 10)
            events = server_events(u("py-down"))
            self.assertEqual(len(events), 25)
            self.assertEqual(len({e["url"] for e in events}), 25)
            self.assertEqual(vigil.stats()["delivered"], 25)
        finally:
            proxy.close()

    def test_flush_at_interpreter_exit(self) -> None:
        url, key = server()
        script = textwrap.dedent(
            """
            import sys
            sys.path.insert(0, %r)
            from vigil_sdk import Vigil, RetryPolicy
            vigil = Vigil(sys.argv[1], sys.argv[2], flush_interval=60, exit_timeout=3,
                          retry=RetryPolicy(attempts=2, base=0.01, max_delay=0.05),
                          on_warning=lambda code, message, n: print("warning", code, flush=True))
            for i in range(5):
                vigil.track(user_name=sys.argv[3], ip_address="8.8.4.4", url="/exit/%%d" %% i)
            print("tracked", flush=True)
            """
            % os.path.dirname(HERE)
        )
        run = subprocess.run(
            [sys.executable, "-c", script, url, key, u("py-exit")], capture_output=True, text=True, timeout=30
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.strip(), "tracked")
        self.assertEqual(len(server_events(u("py-exit"))), 5)
        # Server down: the interpreter still exits, after at most exit_timeout, and says so.
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "-c", script, "http://127.0.0.1:%d" % free_port(), key, u("py-exit-down")],
            capture_output=True,
            text=True,
            timeout=30,
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("warning delivery_failed", run.stdout)
        self.assertIn("warning lost", run.stdout)
        self.assertLess(time.monotonic() - started, 10)


class RetryAfterTests(unittest.TestCase):
    def test_seconds_and_dates(self) -> None:
        self.assertEqual(parse_retry_after("2"), 2.0)
        self.assertIsNone(parse_retry_after(None))
        self.assertIsNone(parse_retry_after("soon"))
        now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp()
        self.assertEqual(parse_retry_after("Thu, 01 Jan 2026 00:00:05 GMT", now), 5.0)


if __name__ == "__main__":
    unittest.main()
