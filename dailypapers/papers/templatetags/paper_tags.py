import re
from collections.abc import Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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


# Endings cut before matching, so "models" marks "model" and "learning" marks "learned".
_ENDINGS = ("ings", "ing", "ed", "es", "s", "ly")
# TeX between dollar signs is left alone: a <mark> inside it would break the formula.
_MATH = re.compile(r"(\$[^$]*\$)")


@register.filter
def highlight(text: str, terms: Sequence[str] | None) -> SafeString:
    """`text` escaped, with the words that start like one of `terms` in <mark>."""
    stems = sorted({_stem(t) for t in terms or () if _stem(t)}, key=len, reverse=True)
    if not stems:
        return escape(text)
    word = re.compile(
        r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE | re.UNICODE
    )
    parts = _MATH.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # math
            out.append(escape(part))
            continue
        last = 0
        for match in word.finditer(part):
            out.append(escape(part[last : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
        out.append(escape(part[last:]))
    return mark_safe("".join(out))


def _stem(term: str) -> str:
    term = term.strip().lower()
    for ending in _ENDINGS:
        if term.endswith(ending) and len(term) - len(ending) >= 3:
            return term[: -len(ending)]
    return term
