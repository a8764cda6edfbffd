"""Vigil in a Flask app: every request is tracked (IP, user agent, language, method, URL, referer,
status code); the login, registration and profile views mark what happened, and the login asks
for a decision first.

    pip install flask
    VIGIL_URL=http://localhost:8585 VIGIL_API_KEY=... flask --app flask_app run
"""

import os

from flask import Flask, abort, jsonify, request, session

from vigil_sdk import Vigil, VigilWSGI

app = Flask(__name__)
app.secret_key = os.environ.get("SECRET_KEY", "dev")

vigil = Vigil(os.environ["VIGIL_URL"], os.environ["VIGIL_API_KEY"], timeout=1.5, fail_mode="open")
# Behind a reverse proxy on the same host, trust it for X-Forwarded-For ("loopback"); else leave it out.
app.wsgi_app = VigilWSGI(
    app.wsgi_app,
    vigil,
    trust_proxy="loopback",
    skip=lambda environ: environ.get("PATH_INFO", "").startswith("/static/"),
)


def tracker():
    """This request's RequestTracker (set by VigilWSGI)."""
    return request.environ["vigil"]


@app.before_request
def signed_in_user():
    # Name the signed-in user on every event of the session.
    if "user" in session:
        tracker().set_user(session["user"])


def check_password(user_name, password):  # your own check
    return password == "correct horse"


@app.post("/login")
def login():
    user_name = request.form["user"]
    if not check_password(user_name, request.form["password"]):
        tracker().login_failed(user_name)
        abort(401)
    verdict = tracker().login(user_name).decide()  # within the 1.5 s budget, never raises
    if verdict.decision == "block":
        abort(403)
    session["user"] = user_name
    return jsonify(ok=True, review=verdict.decision == "review")


@app.post("/register")
def register():
    user_name = request.form["user"]
    tracker().registered(user_name, email_address=request.form["email"], full_name=request.form.get("name"))
    session["user"] = user_name
    return jsonify(ok=True), 201


@app.post("/profile")
def profile():
    old = {"city": "London"}  # from your database
    new_city = request.form["city"]
    if new_city != old["city"]:
        tracker().field_edited("city", old["city"], new_city, "City")
    return jsonify(ok=True)


@app.post("/password")
def password():
    tracker().password_changed()
    return jsonify(ok=True)


@app.post("/email")
def email():
    tracker().email_changed("old@example.com", request.form["email"])
    return jsonify(ok=True)


if __name__ == "__main__":
    app.run(port=5000)
