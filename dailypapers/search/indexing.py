"""Keeping the search indexes in step with the papers (filled in below)."""

from __future__ import annotations


def connect_signals() -> None:
    pass
