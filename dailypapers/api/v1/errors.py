"""One JSON error shape for every error the API answers:

    {"error": {"code": "not_found", "message": "No paper 2401.99999."}}

plus, for some codes, extra keys inside "error" (`details` for invalid requests, `link` for a
refused submission). Ninja's own shapes (`{"detail": ...}`, a plain-text 405, Django's HTML
404/500) never reach a client: the handlers below and `json_only` replace them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from dailypapers.papers.ratelimit import noted_refusal, with_limit_headers

log = logging.getLogger("dailypapers.api")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_request",
    429: "rate_limited",
    500: "server_error",
}


class ApiError(HttpError):
    """An error a route raises on purpose: its status, a code, a message for people."""

    def __init__(self, status: int, message: str, code: str = "", **extra: Any) -> None:
        super().__init__(status, message)
        self.code = code or CODES.get(status, "error")
        self.extra = extra


def error_body(status: int, message: str, code: str = "", **extra: Any) -> dict:
    return {"error": {"code": code or CODES.get(status, "error"), "message": message, **extra}}


def error_response(status: int, message: str, code: str = "", **extra: Any) -> JsonResponse:
    return JsonResponse(error_body(status, message, code, **extra), status=status)


def install_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(ValidationError, _invalid)
    api.add_exception_handler(AuthenticationError, _unauthorized)
    api.add_exception_handler(Throttled, _throttled)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(SuspiciousOperation, _malformed)
    api.add_exception_handler(Exception, _server_error)


def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [_detail(error) for error in exc.errors]
    message = "; ".join(f"{d['location']}: {d['message']}" for d in details) or "Invalid request."
    return error_response(422, message[:1000], details=details)


def _detail(error: dict) -> dict:
    # Only the location and the words: pydantic's `input`/`ctx` may echo anything sent.
    location = ".".join(str(part) for part in error.get("loc", ()))
    return {"location": location, "message": str(error.get("msg", "invalid"))}


def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        401, "Send a valid API token: `Authorization: Bearer dp_…` (create one in /settings)."
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = error_response(429, "Too many requests. Please wait a minute and try again.")
    return with_limit_headers(response, noted_refusal(request))


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ApiError):
        response = error_response(exc.status_code, exc.message, exc.code, **exc.extra)
    else:
        response = error_response(exc.status_code, str(exc.message))
    if exc.status_code == 429:  # a write's own limit (votes, comments, submissions)
        with_limit_headers(response, noted_refusal(request))
    return response


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "Not found.")


def _malformed(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Django refuses a request it will not parse (more than DATA_UPLOAD_MAX_NUMBER_FIELDS
    # parameters, an oversized body) the moment a route reads it: the client's fault, a 400.
    return error_response(400, malformed_request_message(exc))


def malformed_request_message(exc: SuspiciousOperation) -> str:
    """What to tell a client whose request Django refused to parse, without echoing it."""
    if isinstance(exc, TooManyFieldsSent):
        return f"Too many parameters: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}."
    if isinstance(exc, RequestDataTooBig):
        return f"Request body too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    return "Malformed request."


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "Something went wrong on our side. Please try again later.")


@csrf_exempt
def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under /api/v1/ that no route matches. CSRF-exempt: a POST there (the API
    never reads cookies) must get this JSON 404, not the CSRF check's HTML 403."""
    return error_response(404, f"No API route {request.path}. See /api/docs.")


def json_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja path view: HEAD answers as GET without a body, and ninja's plain-text
    405 and its root's 404 become our JSON errors (ninja builds them before any handler
    could see them)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        except Http404:  # ninja's page for the mount point itself (`/api/`)
            response = error_response(404, "Not found. See /api/docs.")
        if head:
            request.method = "HEAD"
            response.content = b""
        if response.status_code == 405:
            allowed = response.get("Allow", "")
            response = error_response(405, f"Method {request.method} not allowed here.")
            response["Allow"] = allowed
        return response

    return wrapped
