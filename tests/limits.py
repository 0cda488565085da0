"""What every 429 must carry, checked the way clients read it: huggingface_hub's own parser."""

from __future__ import annotations

from huggingface_hub.utils import parse_ratelimit_headers


def assert_rate_limited(response, policy: str, quota: int, whole_window: bool = False) -> None:
    """A 429 whose `RateLimit-Policy` / `RateLimit` fields name `policy` with `quota` hits a
    minute, none left, and the seconds to the window's end, as `Retry-After` says (a whole
    minute for limits counted in sliding windows: allauth's)."""
    assert response.status_code == 429
    headers = dict(response.headers.items())
    info = parse_ratelimit_headers(headers)
    assert info is not None, headers
    assert (info.resource_type, info.remaining, info.limit, info.window_seconds) == (
        policy,
        0,
        quota,
        60,
    )
    assert (info.reset_in_seconds == 60) if whole_window else (1 <= info.reset_in_seconds <= 60)
    assert response.headers["Retry-After"] == str(info.reset_in_seconds)
