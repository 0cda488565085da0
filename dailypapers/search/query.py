"""What a user typed into the search box, parsed once for every search mode.

Syntax: free words, "quoted phrases", `-word` and `-"phrase"` exclusions, `author:name` or
`author:"first last"`, `org:handle`. Anything else is text: operators of the databases' own
query languages (FTS5's `NEAR`, `*`, `^`, column filters; tsquery's `&`, `|`, `!`) are not
syntax here, so a query can never be a syntax error, whatever it contains.

Words and phrases keep only letters, digits and combining marks (the characters SQLite's
unicode61 tokenizer and PostgreSQL's parser both index); everything else separates words.
So `GPT-4` is the words `GPT` and `4`, and no term ever carries a quote, an operator or a
control character to the keyword backends.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Bounds on what is kept of a query, so a 5,000-character paste costs what a long query does.
MAX_QUERY_CHARS = 500
MAX_TERMS = 32
MAX_TERM_CHARS = 100

# One token: an optional `-`, an optional `author:` / `org:` prefix, then a quoted string
# (its closing quote optional: an unbalanced quote runs to the end) or a bare run of text.
_TOKEN = re.compile(r'(-?)(?:(author|org):)?(?:"([^"]*)"?|([^\s"]+))', re.IGNORECASE)


_FIELDS = ("words", "phrases", "excluded", "authors", "orgs")


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()

    @property
    def semantic_text(self) -> str:
        """Words and phrases joined: the text the embedder reads."""
        return " ".join((*self.words, *self.phrases))

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    def highlight_terms(self) -> list[str]:
        """Each word once (first spelling kept, case ignored), phrases' words included."""
        seen: dict[str, str] = {}
        for term in (*self.words, *(w for p in self.phrases for w in p.split())):
            seen.setdefault(term.casefold(), term)
        return list(seen.values())


def parse_query(q: str) -> ParsedQuery:
    """Parse a search box's text. Never raises: any string gives a ParsedQuery, possibly empty."""
    if not isinstance(q, str):
        return ParsedQuery()
    text = _clean(q[: MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
    parts: dict[str, list[str]] = {name: [] for name in _FIELDS}
    budget = MAX_TERMS
    for match in _TOKEN.finditer(text):
        if budget <= 0:
            break
        minus, prefix, quoted, bare = match.groups()
        budget -= _add(parts, minus == "-", (prefix or "").lower(), quoted, bare)
    return ParsedQuery(**{name: tuple(_unique(values)) for name, values in parts.items()})


def _add(
    parts: dict[str, list[str]], negated: bool, prefix: str, quoted: str | None, bare: str | None
) -> int:
    """File one token; returns how many terms it added."""
    raw = quoted if quoted is not None else bare or ""
    if prefix:
        if negated:
            return 0  # `-author:x` is not supported: dropped rather than read as `author:x`
        # A name filter: kept as typed (trimmed), the filters match names themselves.
        name = " ".join(raw.split())[:MAX_TERM_CHARS]
        if name:
            parts["authors" if prefix == "author" else "orgs"].append(name)
        return 1 if name else 0
    words = terms(raw)
    if not words:
        return 0
    if negated:
        parts["excluded"].append(" ".join(words))
        return 1
    if quoted is not None and len(words) > 1:
        parts["phrases"].append(" ".join(words))
        return 1
    parts["words"].extend(words)
    return len(words)


def terms(text: str) -> list[str]:
    """The words of `text`: runs of letters, digits and combining marks, each capped."""
    kept = "".join(ch if _is_word_char(ch) else " " for ch in text)
    return [word[:MAX_TERM_CHARS] for word in kept.split()]


def _is_word_char(ch: str) -> bool:
    # unicode61's token characters: letters, numbers, marks (Devanagari vowel signs are marks:
    # splitting on them would cut words in two). Underscore and symbols (emoji) separate.
    return unicodedata.category(ch)[0] in "LNM"


def _clean(text: str) -> str:
    """NFC (so an accent typed as a combining mark matches the composed letter), with control
    characters (NUL included) and other invisible formatting made spaces."""
    text = unicodedata.normalize("NFC", text)
    return "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())
