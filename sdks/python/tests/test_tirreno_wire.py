"""tirreno's Python SDK pointed at Vigil, unchanged: what it puts on the wire (spec §7.2: `sensor/`
appended to the base URL; a form body encoded like `requests` does, `+` for spaces, None fields
omitted, nested payload/fieldHistory sent as their key names only), over real HTTP, read back
through GET /api/v1/users/{userName}/events."""

from __future__ import annotations

import datetime as dt
import unittest
import urllib.error
import urllib.parse
import urllib.request

from support import server, server_events, u


def sensor_url(base: str) -> str:
    """The SDK's rule: a trailing '/', then 'sensor/' unless the URL already ends in '/sensor/'."""
    if not base.endswith("/"):
        base += "/"
    return base if base.endswith("/sensor/") else base + "sensor/"


def post_like_requests(base: str, key: str, data: dict) -> int:
    # requests' form encoding of a dict is urlencode(doseq=True): a nested dict is iterated, so only
    # its keys are sent (the SDK's bug, reproduced as is).
    body = urllib.parse.urlencode({k: v for k, v in data.items() if v is not None}, doseq=True).encode()
    req = urllib.request.Request(sensor_url(base), data=body, method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    req.add_header("Api-Key", key)
    try:
        with urllib.request.urlopen(req, timeout=3) as res:
            return res.status
    except urllib.error.HTTPError as error:
        return error.code


def now() -> str:
    t = dt.datetime.now(dt.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (t.microsecond // 1000)


class TirrenoPythonWireTests(unittest.TestCase):
    def test_sensor_url_rule(self) -> None:
        self.assertEqual(sensor_url("https://v.example.com"), "https://v.example.com/sensor/")
        self.assertEqual(sensor_url("https://v.example.com/sensor/"), "https://v.example.com/sensor/")

    def test_login_with_plus_spaces(self) -> None:
        url, key = server()
        status = post_like_requests(
            url,
            key,
            {
                "userName": u("tn-py"),
                "eventTime": now(),
                "ipAddress": "1.1.1.1",
                "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
                "browserLanguage": "fr-FR,fr;q=0.9",
                "httpMethod": "POST",
                "httpReferer": "https://example.com/",
                "url": "/login",
                "emailAddress": "John@Example.com",
                "eventType": "account_login",
            },
        )
        self.assertEqual(status, 204)
        (event,) = server_events(u("tn-py"))
        self.assertEqual(event["type"], "account_login")
        self.assertEqual(event["userAgent"], "Mozilla/5.0 (X11; Linux x86_64)")
        self.assertEqual(event["httpReferer"], "https://example.com/")
        self.assertEqual(event["emailAddress"], "john@example.com")

    def test_the_broken_payload_is_stored_with_a_warning_not_rejected(self) -> None:
        url, key = server()
        common = {"userName": u("tn-py-bug"), "eventTime": now(), "ipAddress": "1.1.1.1"}
        search = dict(common, url="/search", eventType="page_search")
        search["payload"] = {"field_id": "179280", "field_name": "Country", "value": "search query"}
        self.assertEqual(post_like_requests(url, key, search), 204)
        edit = dict(common, url="/profile", eventType="field_edit")
        edit["fieldHistory"] = [{"field_id": "1", "new_value": "Paris"}]
        self.assertEqual(post_like_requests(url, key, edit), 204)
        events = server_events(u("tn-py-bug"))
        self.assertEqual(sorted(e["type"] for e in events), ["field_edit", "page_search"])
        # Only the key names arrived: nothing usable, so neither payload nor field changes.
        self.assertTrue(all(e["payload"] is None and not e["fieldHistory"] for e in events), events)

    def test_an_omitted_url_is_rejected_with_400(self) -> None:
        url, key = server()
        status = post_like_requests(url, key, {"userName": u("tn-py-nourl"), "ipAddress": "1.1.1.1", "url": None})
        self.assertEqual(status, 400)
        self.assertEqual(server_events(u("tn-py-nourl")), [])


if __name__ == "__main__":
    unittest.main()
