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
    [
        ("day", "2025-02-30"),
        ("week", "2025-W00"),
        ("month", "2025-13"),
        ("week", "9999-W53"),
        ("day", "2026-06-01\n"),
        ("week", "2026-W01\n"),
        ("month", "2026-06\n"),
        # 2026-06-01, 2026-W01 and 2026-06 in Arabic-Indic digits.
        ("day", "\u0662\u0660\u0662\u0666-\u0660\u0666-\u0660\u0661"),
        ("week", "\u0662\u0660\u0662\u0666-W\u0660\u0661"),
        ("month", "\u0662\u0660\u0662\u0666-\u0660\u0666"),
        ("month", "0000-01"),
    ],
)
def test_impossible_periods_are_rejected(kind, key):
    with pytest.raises(ValueError):
        parse_period(kind, key)


def test_last_week_of_year_9999_ends_on_the_last_date():
    week = parse_period("week", "9999-W52")

    assert (week.start, week.end) == (dt.date(9999, 12, 27), dt.date.max)
    assert week.key == "9999-W52"
    assert week.label == "Week 52 · Dec 27 – 31, 9999"


@pytest.mark.parametrize("kind", ["day", "week", "month"])
def test_periods_holding_the_last_date_never_overflow(kind):
    period = period_containing(kind, dt.date.max)

    assert period.end == dt.date.max
    assert parse_period(kind, period.key) == period


@pytest.mark.parametrize(
    "kind,day,key,label",
    [
        ("day", dt.date(999, 1, 5), "0999-01-05", "Jan 5, 0999"),
        ("week", dt.date(999, 1, 5), "0999-W01", "Week 1 · Dec 31, 0998 – Jan 6, 0999"),
        ("month", dt.date(999, 1, 5), "0999-01", "January 0999"),
        ("week", dt.date(1, 1, 1), "0001-W01", "Week 1 · Jan 1 – 7, 0001"),
    ],
)
def test_years_below_1000_have_four_digits_in_keys_labels_and_links(kind, day, key, label):
    period = period_containing(kind, day)

    assert (period.key, period.label) == (key, label)
    assert period.url.endswith("/" + key)
    assert parse_period(kind, key) == period
