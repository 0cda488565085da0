"""`/mcp`: the Model Context Protocol over streamable HTTP, stateless, read-only tools.

A small JSON-RPC view rather than the SDK's Starlette app: `dailypapers serve` runs granian in
WSGI mode, and an ASGI mount would need a second server or a change of serving model. Every
POST carries one JSON-RPC message and gets one `application/json` answer (no SSE stream, no
session id: each request stands alone, so any worker on any host can answer it). The shapes
come from the SDK's pydantic types (`mcp.types`) so they stay conforming.

Speaks the `initialize` handshake era (2024-11-05 … 2025-11-25). A client that first probes
`server/discover` (the 2026 stateless era) gets "method not found" and falls back to the
handshake, as the SDK's `auto` mode does.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import mcp.types as types
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port, validate_host
from django.views.decorators.csrf import csrf_exempt
from mcp.types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_HANDSHAKE_VERSION
from pydantic import ValidationError

from dailypapers.accounts.tokens import rate_limit_key
from dailypapers.api.mcp_tools import TOOLS, ToolError
from dailypapers.papers.ratelimit import action_limited, with_limit_headers

SERVER_INFO = types.Implementation(name="dailypapers", version="1.0")
INSTRUCTIONS = (
    "Read-only tools over this site's research papers: search them, read a day's, week's or "
    "month's community feed or the trending list, read one paper, find similar papers."
)
RATE_LIMITED = -32000  # implementation-defined server error range


class RpcError(Exception):
    def __init__(self, code: int, message: str, status: int = 200, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.data = code, message, status, data


@csrf_exempt  # no cookies are read: nothing for a cross-site form to ride on
def endpoint(request: HttpRequest) -> HttpResponse:
    if not _origin_allowed(request):
        # DNS rebinding: a page on another site must not drive a local server's tools.
        return _error(None, types.INVALID_REQUEST, "Origin not allowed", status=403)
    if request.method != "POST":
        response = HttpResponse(status=405)  # no server-to-client stream, no session to DELETE
        response["Allow"] = "POST"
        return response
    # Per token as on `/api/v1`: an agent that sends its member's token gets that budget.
    if refused := action_limited(request, "api", member_key=rate_limit_key(request)):
        response = _error(None, RATE_LIMITED, "Too many requests; wait a minute.", status=429)
        return with_limit_headers(response, refused)
    try:
        _check_headers(request)
        message = _parse(_body(request))
    except RpcError as error:
        return _error(None, error.code, error.message, error.status, error.data)
    if "id" not in message:  # a notification (`notifications/initialized`…) or a response
        return HttpResponse(status=202)
    return _answer(request, message)


def _origin_allowed(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return True  # not a browser: agents and scripts send none
    host = urlsplit(origin).netloc
    domain, _ = split_domain_port(host)
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.BASE_URL:
        allowed.append(urlsplit(settings.BASE_URL).hostname or "")
    return bool(domain) and validate_host(domain, allowed)


def _check_headers(request: HttpRequest) -> None:
    """Lenient on what the spec asks clients to send; strict only where we cannot serve."""
    version = request.headers.get("MCP-Protocol-Version")
    if version and version not in HANDSHAKE_PROTOCOL_VERSIONS:
        # The shape the SDK reads to fall back from a 2026 `server/discover` probe.
        supported = {"supported": list(HANDSHAKE_PROTOCOL_VERSIONS), "requested": version[:40]}
        raise RpcError(
            types.UNSUPPORTED_PROTOCOL_VERSION,
            f"Unsupported MCP-Protocol-Version: {version[:40]}",
            400,
            supported,
        )
    accept = request.headers.get("Accept", "")
    if accept and not any(kind in accept for kind in ("application/json", "*/*", "application/*")):
        raise RpcError(types.INVALID_REQUEST, "This endpoint answers with application/json", 406)


def _body(request: HttpRequest) -> bytes:
    try:
        return request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise RpcError(types.INVALID_REQUEST, f"Request body over {limit} bytes", 413) from None


def _parse(body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body)
    # RecursionError: json nests one Python call per level, so 100 K nested arrays exhaust
    # the stack. A valid message never nests that deep.
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise RpcError(types.PARSE_ERROR, "Parse error: the body is not JSON", 400) from None
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
        # Batches (a JSON array) left the protocol in 2025-06-18.
        raise RpcError(types.INVALID_REQUEST, "Invalid Request: one JSON-RPC 2.0 object", 400)
    if "method" in message and not isinstance(message["method"], str):
        raise RpcError(types.INVALID_REQUEST, "Invalid Request: method must be a string", 400)
    return message


def _answer(request: HttpRequest, message: dict[str, Any]) -> HttpResponse:
    request_id = message["id"]
    if not isinstance(request_id, str | int) or isinstance(request_id, bool):
        return _error(None, types.INVALID_REQUEST, "Invalid Request: bad id", status=400)
    if "method" not in message:
        return HttpResponse(status=202)  # a client's response to us: we never ask anything
    handler = METHODS.get(message["method"])
    if handler is None:
        return _error(
            request_id, types.METHOD_NOT_FOUND, f"Method not found: {message['method']!r:.60}"
        )
    params = message.get("params") or {}
    if not isinstance(params, dict):
        return _error(request_id, types.INVALID_PARAMS, "Invalid params: an object is expected")
    try:
        result = handler(request, params)
    except RpcError as error:
        return _error(request_id, error.code, error.message, error.status, error.data)
    body = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    return JsonResponse({"jsonrpc": "2.0", "id": request_id, "result": body})


def _error(
    request_id: Any, code: int, message: str, status: int = 200, data: Any = None
) -> JsonResponse:
    error = {"code": code, "message": message} | ({"data": data} if data is not None else {})
    return JsonResponse({"jsonrpc": "2.0", "id": request_id, "error": error}, status=status)


# Methods.


def _initialize(request: HttpRequest, params: dict[str, Any]) -> types.InitializeResult:
    try:
        asked = types.InitializeRequestParams.model_validate(params).protocol_version
    except ValidationError as error:
        raise RpcError(types.INVALID_PARAMS, f"Invalid params: {_first(error)}") from None
    # Echo a version we speak; otherwise offer our latest and let the client decide.
    version = asked if asked in HANDSHAKE_PROTOCOL_VERSIONS else LATEST_HANDSHAKE_VERSION
    return types.InitializeResult(
        protocol_version=version,
        capabilities=types.ServerCapabilities(tools=types.ToolsCapability(list_changed=False)),
        server_info=SERVER_INFO,
        instructions=INSTRUCTIONS,
    )


def _ping(request: HttpRequest, params: dict[str, Any]) -> types.EmptyResult:
    return types.EmptyResult()


def _list_tools(request: HttpRequest, params: dict[str, Any]) -> types.ListToolsResult:
    read_only = types.ToolAnnotations(read_only_hint=True, open_world_hint=False)
    tools = [
        types.Tool(
            name=tool.name,
            description=tool.description,
            input_schema=tool.arguments.model_json_schema(),
            annotations=read_only,
        )
        for tool in TOOLS.values()
    ]
    return types.ListToolsResult(tools=tools)


def _call_tool(request: HttpRequest, params: dict[str, Any]) -> types.CallToolResult:
    name = params.get("name")
    tool = TOOLS.get(name) if isinstance(name, str) else None
    if tool is None:  # the spec's example of a protocol error, not a tool error
        raise RpcError(types.INVALID_PARAMS, f"Unknown tool: {str(name)[:60]!r}")
    try:
        args = tool.arguments.model_validate(params.get("arguments") or {})
        text, structured = tool.run(args, _absolute_url(request))
    except ValidationError as error:
        return _tool_error(f"Invalid arguments for {tool.name}: {_first(error)}")
    except ToolError as error:
        return _tool_error(str(error))
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)], structured_content=structured
    )


def _tool_error(message: str) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=message)], is_error=True
    )


def _first(error: ValidationError) -> str:
    """The first problem pydantic found, said plainly: `limit: Input should be ...`."""
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "arguments"
    return f"{where}: {problem['msg']}"


def _absolute_url(request: HttpRequest):
    base = settings.BASE_URL.rstrip("/")
    return (lambda path: base + path) if base else request.build_absolute_uri


METHODS = {
    "initialize": _initialize,
    "ping": _ping,
    "tools/list": _list_tools,
    "tools/call": _call_tool,
}
