"""Values made storable: NUL and half surrogate pairs out, text clipped to its column."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from typing import Any

from dailypapers.ingest.records import SubmissionRecord
from dailypapers.papers.models import Paper, Submission

_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:
    """The record with NUL dropped from every string, whatever the source: PostgreSQL stores
    no NUL in text or JSON, and one such value would otherwise fail its whole batch. Half a
    surrogate pair (JSON can escape one: `"\\ud800"`) cannot be encoded for either database:
    it becomes U+FFFD, the mark of an unrepresentable character.

    A record with nothing to clean, the common case of a big import, is returned as it is:
    one regex search over all its text finds that out."""
    if _UNSTORABLE.search("".join(_texts(value))) is None:
        return value
    return _cleaned(value)


def _texts(value: Any) -> list[str]:
    """Every string in a record, its lists and its nested records."""
    found: list[str] = []
    _collect(value, found)
    return found


def _collect(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                found.append(item)
            else:
                _collect(item, found)
    elif dataclasses.is_dataclass(value):
        for item in vars(value).values():  # plain (not slotted) dataclasses: cheaper than fields()
            if isinstance(item, str):
                found.append(item)
            elif item is not None and not isinstance(item, _SCALARS):
                _collect(item, found)


_SCALARS = (int, float, bool, dt.date)  # dt.datetime is a dt.date


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(
            value, **{name: _cleaned(item) for name, item in vars(value).items()}
        )
    return value


def fit(field: str, value: Any) -> Any:
    """`fit_model` for Paper, the hot path of a big import: only text can be too long."""
    if not isinstance(value, str):
        return value
    limit = _paper_limits().get(field)
    if limit is None or len(value) <= limit:
        return value
    return "" if value.startswith("http") else value[:limit]


@functools.cache
def _paper_limits() -> dict[str, int]:
    return {f.name: f.max_length for f in Paper._meta.concrete_fields if f.max_length}


def fit_model(model: type, field: str, value: Any) -> Any:
    """Make text fit its column: clip names, drop a URL too long to be stored whole."""
    limit = _max_length(model, field)
    if not isinstance(value, str) or limit is None or len(value) <= limit:
        return value
    return "" if value.startswith("http") else value[:limit]


@functools.cache
def _max_length(model: type, field: str) -> int | None:
    return model._meta.get_field(field).max_length


def fit_submitter(submission: SubmissionRecord) -> str:
    return fit_model(Submission, "submitter_name", submission.submitter_name)
