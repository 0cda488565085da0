"""arXiv identifiers: new style (2401.01234) and old style (hep-th/9901001), with versions."""

from __future__ import annotations

import re
from typing import NamedTuple

NEW_STYLE = r"\d{4}\.\d{4,5}"
OLD_STYLE = r"[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}"
# Used by the URL converter too, so a page URL accepts exactly what the parser does.
ID_PATTERN = rf"(?:{NEW_STYLE}|{OLD_STYLE})(?:v\d+)?"

_FULL = re.compile(rf"^(?P<base>{NEW_STYLE}|{OLD_STYLE})(?:v(?P<version>\d+))?$")
_PREFIXES = re.compile(r"^(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)


class ArxivId(NamedTuple):
    base: str
    version: int | None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


def parse_arxiv_id(raw: str) -> ArxivId:
    """Parse an id, an `arXiv:` prefixed id or an abs/pdf URL; raise ValueError if none."""
    text = _PREFIXES.sub("", (raw or "").strip()).removesuffix(".pdf")
    match = _FULL.match(text)
    if not match:
        raise ValueError(f"not an arXiv id: {raw!r}")
    version = match.group("version")
    return ArxivId(match.group("base"), int(version) if version else None)
