"""Vigil in a Django project: a middleware that tracks every request and gives views
``request.vigil`` with the helpers (login, login_failed, registered, password_changed,
email_changed, field_edited, decide).

settings.py:

    VIGIL_URL = "http://localhost:8585"
    VIGIL_API_KEY = "..."
    VIGIL_TRUST_PROXY = "loopback"      # or None when Django faces the clients directly
    MIDDLEWARE = [..., "myproject.vigil_middleware.VigilMiddleware"]   # after AuthenticationMiddleware

A view:

    from django.contrib.auth import authenticate, login as django_login
    from django.http import HttpResponse, HttpResponseForbidden

    def login_view(request):
        user = authenticate(request, username=request.POST["user"], password=request.POST["password"])
        if user is None:
            request.vigil.login_failed(request.POST["user"])
            return HttpResponse(status=401)
        verdict = request.vigil.login(user.get_username()).decide()
        if verdict.decision == "block":
            return HttpResponseForbidden()
        django_login(request, user)
        return HttpResponse("welcome")
"""

from django.conf import settings

from vigil_sdk import RequestTracker, Vigil, request_event

# One client per process: it owns the queue and the background thread (flushed at exit).
vigil = Vigil(settings.VIGIL_URL, settings.VIGIL_API_KEY, timeout=1.5, fail_mode="open")


class VigilMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trust_proxy = getattr(settings, "VIGIL_TRUST_PROXY", None)

    def __call__(self, request):
        if request.path.startswith("/static/"):
            return self.get_response(request)

        def signed_in_user():
            user = getattr(request, "user", None)
            return user.get_username() if user is not None and user.is_authenticated else None

        # request.META is a WSGI environ (ASGI too, for the keys used here).
        request.vigil = RequestTracker(vigil, request_event(request.META, self.trust_proxy), signed_in_user)
        try:
            response = self.get_response(request)
        except Exception:
            request.vigil.finish(500)
            raise
        request.vigil.finish(response.status_code)
        return response
