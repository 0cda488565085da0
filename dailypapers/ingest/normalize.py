"""Normalization shared by every arXiv source: authors, dates, DOIs, categories.

Plain functions on plain values, so each source stays a parser and these are tested alone
(`tests/ingest/test_normalize.py`, with hypothesis for the author splitter).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import unicodedata
from collections.abc import Iterable

from dailypapers.papers.names import clean_text

# "A, B and C", "A, B, and C", "A and B": commas and a final "and" separate authors.
_AUTHOR_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)
# Affiliation markers in arXiv's free-text authors: "A (1), B (1 and 2) ((1) MIT, (2) CERN)".
_PARENTHESES = re.compile(r"\([^()]*\)")
# TeX accents arXiv keeps in author names and titles: \'a, \"o, \`e, \^i, \~n, \c{c}, {\o}.
_TEX_ACCENT = re.compile(r"""\\([`'^"~=.uvHckr])\s*\{?\s*([A-Za-z]|\\i|\\j)\s*\}?""")
_TEX_COMBINING = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    "u": "\u0306",
    ".": "\u0307",
    '"': "\u0308",
    "r": "\u030a",
    "H": "\u030b",
    "v": "\u030c",
    "c": "\u0327",
    "k": "\u0328",
}
_TEX_LETTERS = {
    r"\o": "ø",
    r"\O": "Ø",
    r"\ss": "ß",
    r"\ae": "æ",
    r"\AE": "Æ",
    r"\l": "ł",
    r"\L": "Ł",
    r"\aa": "å",
    r"\AA": "Å",
}
_TEX_LETTER = re.compile(r"\\(?:ss|ae|AE|aa|AA|o|O|l|L)(?![A-Za-z])")
_BRACES = re.compile(r"[{}]")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def detex(text: str) -> str:
    """TeX accents and special letters as Unicode: `Bal\\'azs` -> `Balázs`, `{\\o}` -> `ø`."""
    if "\\" not in text:
        return text

    def accent(match: re.Match[str]) -> str:
        letter = match.group(2).replace("\\i", "i").replace("\\j", "j")
        return unicodedata.normalize("NFC", letter + _TEX_COMBINING[match.group(1)])

    text = _TEX_ACCENT.sub(accent, text)
    text = _TEX_LETTER.sub(lambda m: _TEX_LETTERS[m.group(0)], text)
    return _BRACES.sub("", text)


def authors_from_string(text: str) -> list[str]:
    """arXiv's free-text author list as names: commas and "and" split, affiliations dropped."""
    text = clean_text(text or "")
    while _PARENTHESES.search(text):  # nested affiliation lists: ((1) MIT, (2) CERN)
        text = _PARENTHESES.sub(" ", text)
    names = (clean_text(detex(part)) for part in _AUTHOR_SEPARATOR.split(text))
    return [name for name in names if name and name.lower() != "et al."]


def author_from_parts(keyname: str, forenames: str = "", suffix: str = "") -> str:
    """One author from its parts (OAI `keyname`/`forenames`, snapshot `authors_parsed`)."""
    parts = (clean_text(detex(p or "")) for p in (forenames, keyname, suffix))
    return " ".join(p for p in parts if p)


def authors_from_parsed(parsed: Iterable[Iterable[str]]) -> list[str]:
    """The snapshot's `authors_parsed`: [[keyname, forenames, suffix, ...], ...]."""
    names = []
    for parts in parsed:
        keyname, forenames, suffix, *_ = [*parts, "", "", ""]
        if name := author_from_parts(keyname, forenames, suffix):
            names.append(name)
    return names


def parse_datetime(value: str | None) -> dt.datetime | None:
    """An aware UTC time from RFC 2822 (`Mon, 2 Apr 2007 19:18:42 GMT`) or ISO 8601
    (`2007-04-02T19:18:42Z`, `2007-04-02`); None when empty; ValueError when neither."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise ValueError(f"not an RFC 2822 or ISO date: {value!r}") from None
    if parsed.tzinfo is None:  # arXiv's dates are UTC
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def clean_doi(value: str | None) -> str:
    """The first DOI of a field that may hold several, without a resolver prefix."""
    text = (value or "").strip()
    first = text.split()[0] if text else ""
    return _DOI_PREFIX.sub("", first.rstrip(".,;"))


def categories(value: str | Iterable[str] | None) -> tuple[str, str]:
    """(all categories space-separated, the primary one): the first listed is primary."""
    items = value.split() if isinstance(value, str) else list(value or [])
    unique = list(dict.fromkeys(item.strip() for item in items if item and item.strip()))
    return " ".join(unique), unique[0] if unique else ""
