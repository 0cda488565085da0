"""Ask a running `dailypapers serve` for the pages a first visit meets; exit 1 unless each
answers 200 (standard library only: it runs in the runtime-only venv)."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request

MCP_INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "smoke", "version": "1"},
    },
}


def request(url: str, body: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", "Accept": "application/json"} if data else {}
    req = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            request(base + "/")
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main(base: str) -> int:
    wait_until_up(base)
    status, body = request(base + "/api/daily_papers?limit=1")
    paper_id = json.loads(body)[0]["paper"]["id"] if status == 200 else "2501.00001"
    checks = [
        ("/", None, b"Daily Papers"),
        (f"/papers/{paper_id}", None, paper_id.encode()),
        ("/search?q=language+models", None, b"language"),
        ("/api/daily_papers", None, b'"paper"'),
        ("/subscribe", None, b"<form"),
        ("/mcp", MCP_INITIALIZE, b'"protocolVersion"'),
    ]
    failed = 0
    for path, body, expected in checks:
        status, content = request(base + path, body)
        ok = status == 200 and expected in content
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {status} {'POST' if body else 'GET '} {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
