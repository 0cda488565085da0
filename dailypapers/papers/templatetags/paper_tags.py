import re
from urllib.parse import urlsplit

from django import template

register = template.Library()

# Schemes a stored link may carry into an href or src. Anything else (javascript:, data:,
# vbscript:, scheme-relative //host) is refused: imported data is not trusted markup.
_WEB_SCHEMES = frozenset({"http", "https"})
# Browsers drop tabs and newlines inside a URL ("java\tscript:" runs as javascript:),
# so a stored URL with any control character or inner space is refused outright.
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


@register.filter
def excerpt(text: str, length: int = 320) -> str:
    """Cut at the last space before `length`: Django's truncatechars walks every character
    through unicodedata, which cost 6 ms on a 50-card page."""
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length)
    return text[: cut if cut > length // 2 else length].rstrip(" ,;:") + "…"


@register.filter
def http_url(value: str | None) -> str:
    """`value` when it is an absolute http(s) URL with a host, else "" (templates then omit
    the link or image). Every URL that came from an import goes through here."""
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
