from django import template

from dailypapers.papers import links

register = template.Library()


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
    """The link when it is an absolute http(s) URL, else "" (templates then omit it)."""
    return links.http_url(value)
