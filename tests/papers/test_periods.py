import datetime as dt

import pytest

from dailypapers.papers.periods import parse_period, period_containing


def test_week_label_names_its_days():
    assert parse_period("week", "2026-W26").label == "Week 26 · Jun 22 – 28, 2026"
    assert parse_period("week", "2026-W27").label == "Week 27 · Jun 29 – Jul 5, 2026"
    assert parse_period("week", "2026-W01").label == "Week 1 · Dec 29, 2025 – Jan 4, 2026"


def test_iso_week_key_round_trips_across_new_year():
    period = period_containing("week", dt.date(2025, 12, 31))

    assert period.key == "2026-W01"
    assert parse_period("week", period.key) == period


def test_month_bounds_handle_leap_years():
    assert parse_period("month", "2024-02").end == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    "kind,key",
    [("day", "2025-02-30"), ("week", "2025-W00"), ("month", "2025-13"), ("week", "9999-W52")],
)
def test_impossible_periods_are_rejected(kind, key):
    with pytest.raises(ValueError):
        parse_period(kind, key)
