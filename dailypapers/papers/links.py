"""Which stored links may reach a reader: absolute http(s) URLs only.

Imports refuse other links before they are stored, and every page, export and feed checks
again on the way out, so a row written by any other path (the admin, an old import) cannot
carry `javascript:` into an href.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Anything else (javascript:, data:, vbscript:, scheme-relative //host) is refused.
_WEB_SCHEMES = frozenset({"http", "https"})
# Browsers drop tabs and newlines inside a URL ("java\tscript:" runs as javascript:),
# so a URL with any control character or inner space is refused outright.
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


def http_url(value: str | None) -> str:
    """`value` (trimmed) when it is an absolute http(s) URL with a host, else ""."""
    url = (value or "").strip()
    if not url or _CONTROL_OR_SPACE.search(url):
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return ""
    if parts.scheme.lower() not in _WEB_SCHEMES or not host:
        return ""
    return url


def is_http_url(value: str | None) -> bool:
    return bool(http_url(value))
