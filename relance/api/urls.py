"""The REST API under /api/ (interactive docs at /api/docs). Errors stay JSON here too: a method an
endpoint does not have is a JSON 405, any other path under /api/ a JSON 404."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt

from relance.api.api import api


@csrf_exempt  # token-authenticated API: a POST to a wrong path is a JSON 404, not Django's CSRF page
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    detail = f"no API endpoint at {request.path}: see /api/docs"
    return JsonResponse({"detail": detail, "errors": []}, status=404)


def json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja answers a method the path does not have with an empty text/html 405: say it in JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip()))
            detail = f"{request.method} is not allowed on {request.path}: use {allowed}"
            replaced = JsonResponse({"detail": detail, "errors": []}, status=405)
            replaced["Allow"] = allowed
            return replaced
        return response

    return wrapped


def _api_patterns() -> list[URLPattern | URLResolver]:
    patterns, _app_name, _namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = json_405(pattern.callback)
    return list(patterns)


app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    *_api_patterns(),
    # (?s): a path holding a newline is still under /api/ and still gets a JSON answer.
    re_path(r"^(?P<rest>(?s:.*))$", not_found, name="not_found"),
]
