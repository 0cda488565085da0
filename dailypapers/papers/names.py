"""Name handling shared by authors, organizations and URLs."""

from __future__ import annotations

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


def org_slug(name: str) -> str:
    return slugify(name)[:100] or "org"
