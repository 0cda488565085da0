"""Django's last-resort answers (400, 404, 500) in the shape of the route that was asked.

A request Django refuses before any view runs (too many parameters, an oversized body), a
path no route matches, or an error no view caught would otherwise get an HTML page, which
no API client can read: `/api/v1/…` gets our error object, the other `/api/…` routes
Hugging Face's `{"error": …}`, `/mcp` a JSON-RPC error. Everything else keeps the site's pages.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request as html_bad_request
from django.views.defaults import server_error as html_server_error

from dailypapers.api.v1.errors import error_response, malformed_request_message
from dailypapers.papers.views import not_found as html_not_found

# JSON-RPC 2.0's codes: the request was not a valid request / the server failed.
INVALID_REQUEST, INTERNAL_ERROR = -32600, -32603


def machine_error(request: HttpRequest, status: int, message: str) -> HttpResponse | None:
    """The error in the shape of `request`'s route, or None for the site's own pages."""
    response = _shaped_error(request.path_info, status, message)
    if response is not None:
        # An error is of this moment: no cache keeps it (a 404 is cacheable by default).
        response["Cache-Control"] = "no-store"
    return response


def _shaped_error(path: str, status: int, message: str) -> HttpResponse | None:
    if path == "/api/v1" or path.startswith("/api/v1/"):
        return error_response(status, message)
    if path.startswith("/api/"):
        return JsonResponse({"error": message}, status=status)
    if path.rstrip("/") == "/mcp":
        code = INTERNAL_ERROR if status >= 500 else INVALID_REQUEST
        body = {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}
        return JsonResponse(body, status=status)
    return None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = (
        malformed_request_message(exception)
        if isinstance(exception, SuspiciousOperation)
        else "Bad request."
    )
    return machine_error(request, 400, message) or html_bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = f"No route {request.path[:200]}. See /api/docs."
    return machine_error(request, 404, message) or html_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    message = "Something went wrong on our side. Please try again later."
    return machine_error(request, 500, message) or html_server_error(request)


@csrf_exempt  # a write to an unknown API path gets this 404, not the CSRF check's HTML 403
def unknown_api_path(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return not_found(request, Exception())
