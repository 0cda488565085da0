"""Name handling shared by authors, organizations and URLs."""

from __future__ import annotations

import hashlib
import unicodedata

from django.utils.text import slugify


def normalize_name(name: str) -> str:
    """The key two spellings of one person share: case, accents and spacing folded."""
    # ASCII has nothing to decompose (most names of a big import: a third of its time went
    # through the per-character walk below).
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name)
        name = "".join(ch for ch in name if not unicodedata.combining(ch))
    return clean_text(name).casefold()


def clean_text(text: str) -> str:
    """Join arXiv's hard line breaks into single spaces: every run of white space becomes one
    space. str.split splits on exactly what a regex's whitespace class matches, and faster."""
    return " ".join((text or "").split())


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
