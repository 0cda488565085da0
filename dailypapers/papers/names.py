"""Name handling shared by authors, organizations and URLs."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.utils.text import slugify

_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """The key two spellings of one person share: case, accents and spacing folded."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _SPACES.sub(" ", folded).strip().casefold()


def clean_text(text: str) -> str:
    """Join arXiv's hard line breaks into single spaces."""
    return _SPACES.sub(" ", text or "").strip()


def org_slug(handle: str, *, hashed: bool = False) -> str:
    """The URL slug of an organization handle. Letters of every script are kept, so 北京大学
    and 清华大学 stay apart; a handle that slugify had to change (case aside) gets a short hash
    of itself appended. Handles that differ only in case (`Qwen`, `qwen`) share a plain slug:
    whoever comes second asks for `hashed=True`."""
    slug = slugify(handle, allow_unicode=True)[:80]
    if slug and slug == handle.casefold() and not hashed:
        return slug
    digest = hashlib.sha1(handle.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else f"org-{digest}"
