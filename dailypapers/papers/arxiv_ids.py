"""arXiv identifiers: new style (2401.01234) and old style (hep-th/9901001), with versions."""

from __future__ import annotations

import re
from typing import NamedTuple

# ASCII digits only: `\d` also matches Arabic-Indic and other digits, which arXiv never uses
# (an id of them would be stored and linked to a broken arXiv URL).
NEW_STYLE = r"[0-9]{4}\.[0-9]{4,5}"
OLD_STYLE = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/[0-9]{7}"
# Bounded: an unbounded run of digits reaches int()'s 4,300-digit limit (a 500, not a 404).
# Five digits is far beyond any real version; the record validator checks the column's range.
VERSION = r"[0-9]{1,5}"
# Used by the URL converter too, so a page URL accepts exactly what the parser does.
ID_PATTERN = rf"(?:{NEW_STYLE}|{OLD_STYLE})(?:v{VERSION})?"

_FULL = re.compile(rf"(?P<base>{NEW_STYLE}|{OLD_STYLE})(?:v(?P<version>{VERSION}))?")
# The scheme is optional: people paste `arxiv.org/pdf/2401.01234v2.pdf` from the address bar.
_PREFIXES = re.compile(
    r"^(?:arxiv:|(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE
)


class ArxivId(NamedTuple):
    base: str
    version: int | None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


def parse_arxiv_id(raw: str) -> ArxivId:
    """Parse an id, an `arXiv:` prefixed id or an abs/pdf URL; raise ValueError if none."""
    text = _PREFIXES.sub("", (raw or "").strip()).removesuffix(".pdf")
    match = _FULL.fullmatch(text)
    if not match:
        # Clipped: the reason ends up in logs and run reports, whatever the input's size.
        shown = raw if len(raw or "") <= 80 else f"{raw[:80]}…"
        raise ValueError(f"not an arXiv id: {shown!r}")
    version = match.group("version")
    return ArxivId(match.group("base"), int(version) if version else None)
